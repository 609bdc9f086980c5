from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from ..blocks import BodyBlock, ProjectsBlock
from ..routing import LocaleFallbackRouteMixin


class NewsIndexPage(LocaleFallbackRouteMixin, Page):
    intro = models.CharField(_("introduction"), max_length=500, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsArticlePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        from django.core.paginator import Paginator

        context = super().get_context(request, *args, **kwargs)
        articles = NewsArticlePage.objects.live().child_of(self).order_by("-date")
        context["articles"] = Paginator(articles, 12).get_page(request.GET.get("page"))
        return context


class NewsArticlePage(Page):
    date = models.DateField(_("date"))
    intro = models.CharField(_("introduction"), max_length=500)
    body = StreamField(BodyBlock(), verbose_name=_("page content"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("date"), FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("news article")


class ProjectMapPage(LocaleFallbackRouteMixin, Page):
    """Local projects on a map, each linked to the decision that authorised it."""

    intro = models.CharField(_("introduction"), max_length=500, blank=True)
    projects = StreamField(ProjectsBlock(), verbose_name=_("projects"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("projects")]
    parent_page_types = ["cms.HomePage", "cms.CouncilIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("project map")

    def geojson(self) -> dict:
        """Return the projects as a GeoJSON FeatureCollection for the map."""
        return {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [float(p.value["longitude"]), float(p.value["latitude"])],
                    },
                    "properties": {"title": p.value["title"], "status": p.value["status"]},
                }
                for p in self.projects
            ],
        }
