from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class BodyBlock(blocks.StreamBlock):
    """Free content of standard pages: headings and rich text."""

    heading = blocks.CharBlock(
        form_classname="title",
        icon="title",
        template="cms/blocks/heading.html",
        label=_("Heading"),
        help_text=_("A section heading (level 2)."),
    )
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "document-link", "ol", "ul"],
        icon="pilcrow",
        template="cms/blocks/paragraph.html",
        label=_("Paragraph"),
    )

    class Meta:
        label = _("Content")
