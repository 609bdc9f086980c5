from io import StringIO

from django.apps import apps
from django.core.management import call_command
from wagtail.models import Page, Site

from cms.models import HomePage, PortalSettings

COUNTED = [
    "bodies.PublicBody",
    "bodies.District",
    "bodies.RoleGrant",
    "accounts.User",
    "accounts.Organisation",
    "accounts.Membership",
    "wagtailcore.Page",
    "wagtailcore.Locale",
    "wagtailcore.Site",
]


def counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in COUNTED}


class LoadDemoTestCase:
    def test_it_builds_a_living_portal(self, db):
        output = StringIO()
        call_command("load_demo", stdout=output)
        assert "staff@baladiya.localhost" in output.getvalue()
        site = Site.objects.get(is_default_site=True)
        assert isinstance(site.root_page.specific, HomePage)
        assert {page.locale.language_code for page in HomePage.objects.live()} == {"ar", "fr", "en"}
        assert PortalSettings.for_site(site).body.slug == "commune-blida"
        # Wagtail's placeholder page is gone.
        assert not Page.objects.filter(title__startswith="Welcome to your new Wagtail site").exists()

    def test_it_is_idempotent(self, db):
        call_command("load_demo", stdout=StringIO())
        first = counts()
        call_command("load_demo", stdout=StringIO())
        assert counts() == first
