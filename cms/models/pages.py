from django.db import models
from django.db.models import Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from portal.i18n import language_order

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

    def specific_children(self):
        """Councils: the way to their sessions and decisions, the deepest and most numerous pages."""
        from .council import CouncilIndexPage

        return CouncilIndexPage.objects.all()

    def route(self, request, path_components):
        """A decision's address (council/session/decision) leads straight to it: one query by its url_path under
        this home page or, published in another language only, under a translation of it."""
        from .council import DecisionPage

        if len(path_components) == 3:
            rest = "/".join(path_components) + "/"
            homes = Page.objects.filter(translation_key=self.translation_key, live=True)
            decisions = (
                DecisionPage.objects.live()
                .select_related("locale", "body")
                .filter(
                    # The slug is indexed (url_path is not): it narrows 100,000 decisions to the few of that number.
                    slug=path_components[-1],
                    url_path__in=homes.annotate(
                        address=Concat("url_path", Value(rest), output_field=models.TextField())
                    ).values("address"),
                )
            )
            found = {decision.locale.language_code: decision for decision in decisions}
            own = next((decision for decision in found.values() if decision.locale_id == self.locale_id), None)
            decision = own or next((found[code] for code in language_order() if code in found), None)
            if decision is not None:
                return decision.route(request, [])
        return super().route(request, path_components)


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

    # Every page's header shows the body's name: fetched with the settings (Wagtail reads this attribute).
    select_related = ["body"]

    panels = [FieldPanel("body"), FieldPanel("contact_email")]

    class Meta:
        verbose_name = _("portal settings")
