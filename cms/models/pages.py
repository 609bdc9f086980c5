from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from ..blocks import BodyBlock
from ..routing import LocaleFallbackRouteMixin


class HomePage(LocaleFallbackRouteMixin, Page):
    """The portal's front page, one per language."""

    intro = models.CharField(_("introduction"), max_length=500, blank=True)
    body = RichTextField(_("page content"), blank=True, features=["bold", "italic", "link", "ol", "ul"])

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.StandardPage", "cms.NewsIndexPage", "cms.CouncilIndexPage", "cms.ProjectMapPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")


class StandardPage(LocaleFallbackRouteMixin, Page):
    """A page of text: about the council, the legal notice, the privacy and accessibility statements."""

    intro = models.CharField(_("introduction"), max_length=500, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("page content"), blank=True)
    show_in_footer = models.BooleanField(
        _("show in footer"),
        default=False,
        help_text=_("List this page with the legal pages at the foot of every page."),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    promote_panels = [*Page.promote_panels, FieldPanel("show_in_footer")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = _("standard page")


@register_setting(icon="site")
class PortalSettings(BaseSiteSetting):
    """Which public body a site speaks for: its name heads every page."""

    body = models.ForeignKey(
        "bodies.PublicBody",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("public body"),
        help_text=_("The region, wilaya or commune this site belongs to."),
    )
    contact_email = models.EmailField(_("contact email"), blank=True)

    panels = [FieldPanel("body"), FieldPanel("contact_email")]

    class Meta:
        verbose_name = _("portal settings")
