"""Datasets in the Wagtail admin: staff of a body manage its datasets only; only publishers publish; audited."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from wagtail.models import ModelLogEntry

from opendata.models import Dataset, Licence, ProblemReport, Theme
from tests.factories import PublicBodyFactory, RoleGrantFactory, UserFactory
from tests.opendata.factories import DatasetFactory, ResourceFactory
from tests.staff import login_with_second_factor

XSS = '<script>alert("x")</script>'


@pytest.fixture
def commune_b(region):
    return PublicBodyFactory(parent=region, name_ar="البلدية ب", name_fr="Commune B", slug="commune-b")


@pytest.fixture
def editor(commune):
    return RoleGrantFactory(body=commune, role="editor", user__email="editor@example.org").user


@pytest.fixture
def publisher(commune):
    return RoleGrantFactory(body=commune, role="publisher", user__email="publisher@example.org").user


def staff_client(client, user):
    login_with_second_factor(client, user)
    return client


def dataset_form(body, **overrides):
    data = {
        "name": "budget-2025",
        "body": body.pk,
        "status": "draft",
        "title_ar": "ميزانية البلدية 2025",
        "title_fr": "Budget communal 2025",
        "title_en": "",
        "notes_ar": "",
        "notes_fr": "Le budget primitif voté par le conseil.",
        "notes_en": "",
        "licence": Licence.objects.get(slug="cc-by-4.0").pk,
        "themes": [Theme.objects.get(code="GOVE").pk, Theme.objects.get(code="ECON").pk],
        "tags": "budget, finances",
        "frequency": "ANNUAL",
        "temporal_start": "2025-01-01",
        "temporal_end": "2025-12-31",
        "spatial": "",
        "version": "1.0",
        "contact_email": "",
    }
    data.update(overrides)
    return data


def edit_form(dataset, **overrides):
    current = {
        "name": dataset.name,
        "status": dataset.status,
        "title_ar": dataset.title_ar,
        "title_fr": dataset.title_fr,
    }
    return dataset_form(dataset.body, **{**current, **overrides})


ADD = reverse("opendata_datasets:add")
INDEX = reverse("opendata_datasets:index")


def assert_refused(response):
    """Wagtail answers a refused admin action by sending the user back to the dashboard with a message."""
    assert (response.status_code, response.get("Location")) == (302, reverse("wagtailadmin_home"))


def edit_url(dataset):
    return reverse("opendata_datasets:edit", args=[dataset.pk])


class DatasetCreateTestCase:
    def test_it_lets_an_editor_create_a_draft_for_their_body(self, client, editor, commune):
        response = staff_client(client, editor).post(ADD, dataset_form(commune))
        assert response.status_code == 302, response.context["form"].errors
        dataset = Dataset.objects.get(name="budget-2025")
        assert dataset.body == commune
        assert dataset.status == Dataset.Status.DRAFT
        assert dataset.title_fr == "Budget communal 2025"
        assert set(dataset.themes.values_list("code", flat=True)) == {"GOVE", "ECON"}
        assert set(dataset.tags.names()) == {"budget", "finances"}
        entry = ModelLogEntry.objects.get(object_id=str(dataset.pk), action="wagtail.create")
        assert entry.user == editor

    def test_it_refuses_a_body_the_editor_does_not_manage(self, client, editor, commune_b):
        response = staff_client(client, editor).post(ADD, dataset_form(commune_b))
        assert response.status_code == 200
        assert "body" in response.context["form"].errors
        assert not Dataset.objects.exists()

    def test_it_offers_only_the_managed_bodies(self, client, editor, commune, department, commune_b):
        response = staff_client(client, editor).get(ADD)
        choices = set(response.context["form"].fields["body"].queryset)
        assert choices == {commune, department}

    def test_a_new_dataset_saves_on_the_first_try_from_its_first_tab(self, client, editor, commune):
        form = staff_client(client, editor).get(ADD).context["form"]
        assert form.initial["licence"] == Licence.objects.get(slug="cc-by-4.0").pk
        # What the first tab asks: titles, body, licence; the identifier is left empty.
        essentials = {"title_ar": "", "title_fr": "Budget communal 2025", "title_en": "", "body": commune.pk}
        # The other tabs' selects post the values they start with, as a browser does.
        defaults = {"licence": form.initial["licence"], "status": "draft", "frequency": "UNKNOWN"}
        response = client.post(ADD, {**essentials, **defaults})
        assert response.status_code == 302, response.context["form"].errors
        assert Dataset.objects.get().name == "budget-communal-2025"

    def test_an_arabic_title_alone_gives_a_plain_identifier(self, client, editor, commune):
        DatasetFactory(name="dataset")
        data = dataset_form(commune, name="", title_fr="")
        response = staff_client(client, editor).post(ADD, data)
        assert response.status_code == 302, response.context["form"].errors
        assert Dataset.objects.filter(title_ar="ميزانية البلدية 2025").get().name == "dataset-2"

    def test_it_lets_a_regions_editor_create_for_a_commune_below(self, client, region, commune):
        user = RoleGrantFactory(body=region, role="editor").user
        response = staff_client(client, user).post(ADD, dataset_form(commune))
        assert response.status_code == 302
        assert Dataset.objects.get().body == commune

    def test_it_keeps_an_editors_new_dataset_a_draft_whatever_is_posted(self, client, editor, commune):
        response = staff_client(client, editor).post(ADD, dataset_form(commune, status="published"))
        assert response.status_code == 302
        assert Dataset.objects.get().status == Dataset.Status.DRAFT
        assert not ModelLogEntry.objects.filter(action="opendata.publish").exists()

    def test_it_refuses_publishing_where_the_user_is_only_editor(self, client, editor, commune, other_region):
        # A publisher elsewhere sees the status field, but may not publish for this body.
        RoleGrantFactory(body=other_region, role="publisher", user=editor)
        response = staff_client(client, editor).post(ADD, dataset_form(commune, status="published"))
        assert response.status_code == 200
        assert "status" in response.context["form"].errors
        assert not Dataset.objects.exists()

    def test_it_lets_a_publisher_create_a_published_dataset(self, client, publisher, commune):
        response = staff_client(client, publisher).post(ADD, dataset_form(commune, status="published"))
        assert response.status_code == 302
        dataset = Dataset.objects.get()
        assert dataset.status == Dataset.Status.PUBLISHED
        assert dataset.published_at is not None
        assert ModelLogEntry.objects.filter(object_id=str(dataset.pk), action="opendata.publish").exists()

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"title_ar": "", "title_fr": "", "title_en": ""}, "title_ar"),
            ({"temporal_start": "2025-12-31", "temporal_end": "2025-01-01"}, "temporal_end"),
            ({"name": "pas un identifiant"}, "name"),
            ({"licence": ""}, "licence"),
        ],
        ids=["no-title", "period-backwards", "bad-identifier", "no-licence"],
    )
    def test_it_refuses_incomplete_metadata(self, client, editor, commune, overrides, field):
        response = staff_client(client, editor).post(ADD, dataset_form(commune, **overrides))
        assert response.status_code == 200
        assert field in response.context["form"].errors
        assert not Dataset.objects.exists()


class DatasetEditTestCase:
    def test_it_refuses_publishing_to_an_editor(self, client, editor, commune):
        dataset = DatasetFactory(body=commune, status=Dataset.Status.DRAFT)
        staff_client(client, editor).post(edit_url(dataset), edit_form(dataset, status="published"))
        dataset.refresh_from_db()
        assert dataset.status == Dataset.Status.DRAFT
        assert dataset.published_at is None

    def test_it_lets_an_editor_correct_a_published_dataset_without_unpublishing_it(self, client, editor, commune):
        dataset = DatasetFactory(body=commune, status=Dataset.Status.PUBLISHED)
        response = staff_client(client, editor).post(
            edit_url(dataset), edit_form(dataset, status="draft", title_fr="Titre corrigé")
        )
        assert response.status_code == 302
        dataset.refresh_from_db()
        assert dataset.title_fr == "Titre corrigé"
        assert dataset.status == Dataset.Status.PUBLISHED
        assert ModelLogEntry.objects.filter(object_id=str(dataset.pk), action="wagtail.edit", user=editor).exists()

    def test_it_lets_a_publisher_publish_and_withdraw_and_logs_both(self, client, publisher, commune):
        dataset = DatasetFactory(body=commune, status=Dataset.Status.DRAFT)
        staff_client(client, publisher)
        assert client.post(edit_url(dataset), edit_form(dataset, status="published")).status_code == 302
        dataset.refresh_from_db()
        assert dataset.status == Dataset.Status.PUBLISHED
        assert client.post(edit_url(dataset), edit_form(dataset, status="withdrawn")).status_code == 302
        dataset.refresh_from_db()
        assert dataset.status == Dataset.Status.WITHDRAWN
        actions = list(
            ModelLogEntry.objects.filter(object_id=str(dataset.pk), action__startswith="opendata.")
            .order_by("timestamp", "pk")
            .values_list("action", "data")
        )
        assert actions == [
            ("opendata.publish", {"status": {"old": "draft", "new": "published"}}),
            ("opendata.withdraw", {"status": {"old": "published", "new": "withdrawn"}}),
        ]

    def test_it_lists_the_datasets_resources_with_a_link_to_add_one(self, client, editor, commune):
        dataset = DatasetFactory(body=commune)
        resource = ResourceFactory(dataset=dataset, name_fr="Budget primitif", url="https://example.org/b.csv")
        html = staff_client(client, editor).get(edit_url(dataset)).content.decode()
        assert reverse("opendata_resources:edit", args=[resource.pk]) in html
        assert f"{reverse('opendata_resources:add')}?dataset={dataset.pk}" in html

    def test_it_hides_other_bodies_datasets(self, client, editor, commune, commune_b):
        mine = DatasetFactory(body=commune, title_fr="Le mien")
        theirs = DatasetFactory(body=commune_b, title_fr="Le leur", title_ar="ليس لي")
        staff_client(client, editor)
        listing = client.get(INDEX)
        assert listing.status_code == 200
        assert list(listing.context["object_list"]) == [mine]
        assert "ليس لي" not in listing.content.decode()
        assert client.get(edit_url(theirs)).status_code == 404
        assert client.post(edit_url(theirs), edit_form(theirs, title_fr="Piraté")).status_code == 404
        assert client.get(reverse("opendata_datasets:delete", args=[theirs.pk])).status_code == 404
        assert client.get(reverse("opendata_datasets:history", args=[theirs.pk])).status_code == 404
        theirs.refresh_from_db()
        assert theirs.title_fr == "Le leur"

    def test_it_lets_an_editor_delete_a_draft_but_not_a_published_dataset(self, client, editor, commune):
        draft = DatasetFactory(body=commune, status=Dataset.Status.DRAFT)
        published = DatasetFactory(body=commune, status=Dataset.Status.PUBLISHED)
        staff_client(client, editor)
        assert_refused(client.post(reverse("opendata_datasets:delete", args=[published.pk])))
        assert client.post(reverse("opendata_datasets:delete", args=[draft.pk])).status_code == 302
        assert list(Dataset.objects.all()) == [published]
        assert ModelLogEntry.objects.filter(object_id=str(draft.pk), action="wagtail.delete").exists()

    def test_it_lets_a_publisher_delete_a_published_dataset(self, client, publisher, commune):
        published = DatasetFactory(body=commune, status=Dataset.Status.PUBLISHED)
        response = staff_client(client, publisher).post(reverse("opendata_datasets:delete", args=[published.pk]))
        assert response.status_code == 302
        assert not Dataset.objects.exists()


class DatasetListTestCase:
    def test_it_searches_and_filters_by_body_and_status(self, client, editor, commune, department):
        budget = DatasetFactory(body=commune, title_fr="Budget primitif", status=Dataset.Status.PUBLISHED)
        DatasetFactory(body=commune, title_fr="Équipements sportifs", status=Dataset.Status.DRAFT)
        roads = DatasetFactory(body=department, title_fr="Voirie", status=Dataset.Status.DRAFT)
        staff_client(client, editor)
        assert list(client.get(INDEX, {"q": "primitif"}).context["object_list"]) == [budget]
        assert list(client.get(INDEX, {"body": department.pk}).context["object_list"]) == [roads]
        assert list(client.get(INDEX, {"status": "published"}).context["object_list"]) == [budget]

    def test_it_refuses_to_filter_by_a_body_the_user_does_not_manage(self, client, editor, commune, commune_b):
        DatasetFactory(body=commune_b)
        response = staff_client(client, editor).get(INDEX, {"body": commune_b.pk})
        assert list(response.context["object_list"]) == []

    def test_it_escapes_titles(self, client, editor, commune):
        DatasetFactory(body=commune, title_ar=XSS, title_fr=XSS)
        staff_client(client, editor)
        html = client.get(INDEX).content.decode()
        assert XSS not in html
        assert "&lt;script&gt;alert(" in html
        dataset = Dataset.objects.get()
        assert XSS not in client.get(edit_url(dataset)).content.decode()

    def test_it_lists_with_a_constant_number_of_queries(self, client, editor, commune):
        staff_client(client, editor)
        DatasetFactory.create_batch(2, body=commune, themes=["economy"], tags=["budget"])
        client.get(INDEX)  # warm the caches (content types, site)
        with CaptureQueriesContext(connection) as few:
            client.get(INDEX)
        DatasetFactory.create_batch(8, body=commune, themes=["economy"], tags=["budget"])
        with CaptureQueriesContext(connection) as many:
            response = client.get(INDEX)
        assert len(response.context["object_list"]) == 10
        assert len(many) == len(few)


class AdminAccessTestCase:
    def test_it_sends_anonymous_visitors_to_the_login(self, client, db):
        response = client.get(INDEX)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"] or "/admin/login/" in response["Location"]
        assert client.post(ADD, {}).status_code == 302
        assert not Dataset.objects.exists()

    def test_it_gives_citizens_no_admin(self, client, citizen, commune):
        staff_client(client, citizen)
        for url in (INDEX, ADD, reverse("opendata_problem_reports:index"), reverse("opendata_api_token:index")):
            response = client.get(url)
            assert response.status_code == 302
            assert "/accounts/login/" in response["Location"]
        assert client.post(ADD, dataset_form(commune)).status_code == 302
        assert not Dataset.objects.exists()

    def test_it_asks_staff_for_their_second_factor(self, client, editor):
        client.force_login(editor)
        response = client.get(INDEX)
        assert response.status_code == 302
        assert "/admin/" not in response["Location"].split("?")[0]

    def test_it_shows_staff_the_open_data_menu(self, client, editor):
        html = staff_client(client, editor).get(reverse("wagtailadmin_home")).content.decode()
        assert INDEX in html
        assert reverse("opendata_licences:index") not in html

    def test_it_keeps_licences_and_themes_to_superusers(self, client, publisher):
        staff_client(client, publisher)
        licence = Licence.objects.get(slug="cc-by-4.0")
        assert_refused(client.get(reverse("opendata_licences:index")))
        assert_refused(client.get(reverse("opendata_licences:edit", args=[licence.pk])))
        assert_refused(client.get(reverse("opendata_themes:add")))

    def test_it_lets_superusers_edit_themes(self, client, db):
        superuser = UserFactory(is_superuser=True, is_staff=True)
        staff_client(client, superuser)
        theme = Theme.objects.get(code="ECON")
        response = client.post(
            reverse("opendata_themes:edit", args=[theme.pk]),
            {"code": "ECON", "slug": theme.slug, "name_ar": theme.name_ar, "name_fr": "Économie", "name_en": "Economy"},
        )
        assert response.status_code == 302
        theme.refresh_from_db()
        assert theme.name_fr == "Économie"
        assert ModelLogEntry.objects.filter(object_id=str(theme.pk), action="wagtail.edit", user=superuser).exists()


class ProblemReportAdminTestCase:
    @pytest.fixture
    def report(self, commune):
        dataset = DatasetFactory(body=commune, title_fr="Budget")
        return ProblemReport.objects.create(
            dataset=dataset, kind="wrong_data", message=f"Le total est faux {XSS}", email="amina@example.org"
        )

    def test_it_shows_reports_to_the_bodys_staff(self, client, editor, report):
        staff_client(client, editor)
        assert list(client.get(reverse("opendata_problem_reports:index")).context["object_list"]) == [report]
        html = client.get(reverse("opendata_problem_reports:edit", args=[report.pk])).content.decode()
        assert "amina@example.org" in html
        assert "Le total est faux" in html
        assert XSS not in html

    def test_it_hides_reports_from_staff_of_other_bodies(self, client, commune_b, report):
        stranger = RoleGrantFactory(body=commune_b, role="publisher").user
        staff_client(client, stranger)
        response = client.get(reverse("opendata_problem_reports:index"))
        assert list(response.context["object_list"]) == []
        assert "amina@example.org" not in response.content.decode()
        assert client.get(reverse("opendata_problem_reports:edit", args=[report.pk])).status_code == 404

    def test_it_marks_a_report_resolved_and_logs_it(self, client, editor, report):
        staff_client(client, editor)
        response = client.post(reverse("opendata_problem_reports:edit", args=[report.pk]), {"resolved": "on"})
        assert response.status_code == 302
        report.refresh_from_db()
        assert report.resolved_at is not None
        assert report.message.startswith("Le total est faux")
        assert ModelLogEntry.objects.filter(object_id=str(report.pk), action="opendata.report.resolve").exists()
        assert (
            list(client.get(reverse("opendata_problem_reports:index"), {"resolved": "false"}).context["object_list"])
            == []
        )

    def test_it_lets_nobody_add_or_delete_reports_in_the_admin(self, client, publisher, report):
        staff_client(client, publisher)
        assert_refused(client.get(reverse("opendata_problem_reports:add")))
        assert_refused(client.post(reverse("opendata_problem_reports:delete", args=[report.pk])))
        assert ProblemReport.objects.exists()


class ApiTokenAdminTestCase:
    URL = reverse("opendata_api_token:index")

    def test_it_creates_a_token_and_shows_it_once(self, client, editor):
        staff_client(client, editor)
        assert "data-token" not in client.get(self.URL).content.decode()
        response = client.post(self.URL)
        token = Token.objects.get(user=editor)
        assert token.key in response.content.decode()
        assert "no-store" in response["Cache-Control"]
        assert token.key not in client.get(self.URL).content.decode()
        entry = ModelLogEntry.objects.get(action="opendata.api_token.create")
        assert entry.user == editor
        assert token.key not in str(entry.label) + str(entry.data)

    def test_it_regenerates_a_token_and_the_old_one_stops_working(self, client, editor):
        old = Token.objects.create(user=editor)
        staff_client(client, editor).post(self.URL)
        new = Token.objects.get(user=editor)
        assert new.key != old.key
        assert ModelLogEntry.objects.filter(action="opendata.api_token.regenerate", user=editor).exists()

    def test_it_needs_the_csrf_token(self, editor):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        staff_client(client, editor)
        assert client.post(self.URL).status_code == 403
        assert not Token.objects.exists()
