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
        preview_value="Article premier",
        description=_("A section heading (level 2)."),
    )
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "document-link", "ol", "ul"],
        icon="pilcrow",
        template="cms/blocks/paragraph.html",
        label=_("Paragraph"),
        preview_value="<p>Le conseil approuve le budget supplémentaire.</p>",
        description=_("Formatted text with links and lists."),
    )

    class Meta:
        label = _("Content")


class AgendaItemBlock(blocks.StructBlock):
    number = blocks.CharBlock(max_length=20, label=_("Number"))
    title = blocks.CharBlock(max_length=255, label=_("Title"))
    description = blocks.TextBlock(required=False, label=_("Description"))

    class Meta:
        icon = "list-ol"
        template = "cms/blocks/agenda_item.html"
        label = _("Agenda item")
        description = _("One item of the session's agenda.")
        preview_value = {"number": "1", "title": "Budget supplémentaire 2025"}


class AgendaBlock(blocks.StreamBlock):
    item = AgendaItemBlock()

    class Meta:
        label = _("Agenda")


PROJECT_STATUSES = [("planned", _("Planned")), ("in_progress", _("In progress")), ("completed", _("Completed"))]


class ProjectValue(blocks.StructValue):
    def status_label(self):
        return dict(PROJECT_STATUSES).get(self.get("status"), "")


class ProjectBlock(blocks.StructBlock):
    """A local project placed on a map (until participatory budgeting brings its own projects)."""

    title = blocks.CharBlock(max_length=255, label=_("Title"))
    description = blocks.TextBlock(required=False, label=_("Description"))
    status = blocks.ChoiceBlock(choices=PROJECT_STATUSES, label=_("Status"))
    latitude = blocks.DecimalBlock(min_value=-90, max_value=90, decimal_places=6, label=_("Latitude"))
    longitude = blocks.DecimalBlock(min_value=-180, max_value=180, decimal_places=6, label=_("Longitude"))
    decision = blocks.PageChooserBlock(page_type="cms.DecisionPage", required=False, label=_("Decision"))

    class Meta:
        icon = "site"
        template = "cms/blocks/project.html"
        label = _("Project")
        value_class = ProjectValue
        description = _("A project with its place on the map.")
        preview_value = {
            "title": "Éclairage public du quartier Bab Dzaïr",
            "status": "in_progress",
            "latitude": 36.47,
            "longitude": 2.83,
        }


class ProjectsBlock(blocks.StreamBlock):
    project = ProjectBlock()

    class Meta:
        label = _("Projects")
