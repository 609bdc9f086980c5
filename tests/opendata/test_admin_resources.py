"""Resources in the Wagtail admin: links or uploads kept as versions, declared schemas checked, reports shown."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import ModelLogEntry

from opendata.models import Dataset, Resource, ResourceVersion
from tests.factories import PublicBodyFactory, RoleGrantFactory
from tests.opendata.factories import DatasetFactory, ResourceFactory, add_file
from tests.staff import login_with_second_factor

XSS = '<img src=x onerror="alert(1)">'
BUDGET_V1 = b"annee,chapitre,montant\n2025,Voirie,1200.50\n2025,Eclairage,300.00\n"
BUDGET_V2 = b"annee,chapitre,montant\n2025,Voirie,1250.50\n2025,Eclairage,310.00\n2025,Parcs,90.00\n"
# The third row has a cell too many, the fourth a text where a number is expected.
BROKEN = b"annee,chapitre,montant\n2025,Voirie,1200.50\n2025,Eclairage,300.00,extra\n2025,Parcs,beaucoup\n"
SCHEMA = {
    "fields": [
        {"name": "annee", "type": "integer"},
        {"name": "chapitre", "type": "string"},
        {"name": "montant", "type": "number"},
    ]
}

ADD = reverse("opendata_resources:add")


@pytest.fixture
def editor(commune):
    return RoleGrantFactory(body=commune, role="editor").user


@pytest.fixture
def dataset(commune):
    return DatasetFactory(body=commune, name="budget-2025", status=Dataset.Status.PUBLISHED)


@pytest.fixture
def staff(client, editor):
    login_with_second_factor(client, editor)
    return client


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def resource_form(dataset, **overrides):
    return {
        "dataset": dataset.pk,
        "position": 0,
        "name_ar": "الميزانية",
        "name_fr": "Budget",
        "name_en": "",
        "description_ar": "",
        "description_fr": "",
        "description_en": "",
        "url": "",
        "format": "CSV",
        "declared_schema": "",
        **overrides,
    }


def csv_file(content: bytes, name: str = "budget.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def edit_url(resource):
    return reverse("opendata_resources:edit", args=[resource.pk])


class ResourceLinkTestCase:
    def test_it_adds_a_link_resource(self, staff, editor, dataset):
        response = staff.post(ADD, resource_form(dataset, url="https://data.example.org/budget.csv"))
        assert response.status_code == 302, response.context["form"].errors
        resource = Resource.objects.get()
        assert resource.url == "https://data.example.org/budget.csv"
        assert not resource.versions.exists()
        assert ModelLogEntry.objects.filter(object_id=str(resource.pk), action="wagtail.create", user=editor).exists()

    def test_it_wants_a_link_or_a_file_but_not_both(self, staff, dataset):
        response = staff.post(ADD, resource_form(dataset))
        assert "file" in response.context["form"].errors
        response = staff.post(
            ADD, {**resource_form(dataset, url="https://data.example.org/a.csv"), "file": csv_file(BUDGET_V1)}
        )
        assert "file" in response.context["form"].errors
        assert not Resource.objects.exists()

    def test_it_offers_only_the_datasets_of_managed_bodies(self, staff, dataset, region):
        theirs = DatasetFactory(body=PublicBodyFactory(parent=region, slug="commune-b"))
        response = staff.get(ADD, {"dataset": dataset.pk})
        form = response.context["form"]
        assert list(form.fields["dataset"].queryset) == [dataset]
        assert str(form["dataset"].value()) == str(dataset.pk)
        response = staff.post(ADD, resource_form(theirs, url="https://data.example.org/a.csv"))
        assert "dataset" in response.context["form"].errors
        assert not Resource.objects.exists()

    def test_it_hides_resources_of_other_bodies(self, staff, region):
        theirs = ResourceFactory(dataset=DatasetFactory(body=PublicBodyFactory(parent=region, slug="commune-b")))
        assert list(staff.get(reverse("opendata_resources:index")).context["object_list"]) == []
        assert staff.get(edit_url(theirs)).status_code == 404
        assert staff.post(reverse("opendata_resources:delete", args=[theirs.pk])).status_code == 404
        assert Resource.objects.filter(pk=theirs.pk).exists()

    def test_it_escapes_resource_names(self, staff, dataset):
        resource = ResourceFactory(dataset=dataset, name_ar=XSS, name_fr=XSS, url="https://example.org/a.csv")
        for url in (reverse("opendata_resources:index"), edit_url(resource)):
            html = staff.get(url).content.decode()
            assert XSS not in html
            assert "&lt;img src=x" in html


class DeclaredSchemaTestCase:
    def test_it_keeps_a_valid_table_schema(self, staff, dataset):
        response = staff.post(
            ADD, resource_form(dataset, url="https://example.org/a.csv", declared_schema=json.dumps(SCHEMA))
        )
        assert response.status_code == 302
        assert Resource.objects.get().declared_schema == SCHEMA

    @pytest.mark.parametrize(
        "schema",
        [
            "{not json",
            json.dumps(["annee", "montant"]),
            json.dumps({"fields": [{"name": "montant", "type": "money"}]}),
            json.dumps({"fields": [{"type": "string"}]}),
            json.dumps({"fields": [{"name": "a", "type": "integer"}], "primaryKey": ["b"]}),
        ],
        ids=["not-json", "not-an-object", "unknown-type", "unnamed-field", "bad-primary-key"],
    )
    def test_it_refuses_an_invalid_table_schema(self, staff, dataset, schema):
        response = staff.post(ADD, resource_form(dataset, url="https://example.org/a.csv", declared_schema=schema))
        assert response.status_code == 200
        assert "declared_schema" in response.context["form"].errors
        assert not Resource.objects.exists()

    def test_it_names_the_problem_in_the_schema(self, staff, dataset):
        schema = json.dumps({"fields": [{"name": "montant", "type": "money"}]})
        response = staff.post(ADD, resource_form(dataset, url="https://example.org/a.csv", declared_schema=schema))
        assert "money" in " ".join(response.context["form"].errors["declared_schema"])


class ResourceUploadTestCase:
    def test_it_stores_an_upload_as_version_1_then_keeps_it_when_version_2_comes(
        self, client, staff, editor, dataset, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = staff.post(ADD, {**resource_form(dataset), "file": csv_file(BUDGET_V1)})
        assert response.status_code == 302, response.context["form"].errors
        resource = Resource.objects.get()
        first = resource.versions.get()
        assert (first.number, first.size, first.uploaded_by) == (1, len(BUDGET_V1), editor)
        assert resource.current_version == first

        with django_capture_on_commit_callbacks(execute=True):
            response = staff.post(edit_url(resource), {**resource_form(dataset), "file": csv_file(BUDGET_V2)})
        assert response.status_code == 302, response.context["form"].errors
        resource.refresh_from_db()
        assert list(resource.versions.order_by("number").values_list("number", flat=True)) == [1, 2]
        assert resource.current_version.number == 2

        html = staff.get(edit_url(resource)).content.decode()
        for number in (1, 2):
            assert reverse("downloads:version", args=[resource.uuid, number]) in html
        assert first.sha256 in html
        old = client.get(reverse("downloads:version", args=[resource.uuid, 1]))
        assert old.status_code == 200
        assert b"".join(old.streaming_content if old.streaming else [old.content]) == BUDGET_V1

        uploads = ModelLogEntry.objects.filter(object_id=str(resource.pk), action="opendata.upload").order_by("pk")
        assert [entry.data["version"] for entry in uploads] == [1, 2]
        assert all(entry.user == editor for entry in uploads)

    @pytest.mark.parametrize(
        ("first_row", "names", "rows"),
        [
            ("", ["column_1", "column_2"], 3),  # the portal tells: numbers over columns of numbers are data
            ("data", ["column_1", "column_2"], 3),
            ("header", ["1", "2"], 2),
        ],
    )
    def test_staff_say_whether_the_first_row_names_the_columns(
        self, staff, dataset, first_row, names, rows, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = staff.post(
                ADD, {**resource_form(dataset), "file": csv_file(b"1,2\n10,20\n11,21\n"), "first_row": first_row}
            )
        assert response.status_code == 302, response.context["form"].errors
        version = Resource.objects.get().versions.get()
        assert version.status == ResourceVersion.Status.LOADED, version.error
        assert [field["name"] for field in version.table_schema["fields"]] == names
        assert version.rows_loaded == rows

    def test_it_keeps_the_edit_without_a_file_as_it_was(self, staff, dataset):
        resource = ResourceFactory(dataset=dataset)
        add_file(resource, BUDGET_V1)
        response = staff.post(edit_url(resource), resource_form(dataset, name_fr="Budget primitif"))
        assert response.status_code == 302, response.context["form"].errors
        resource.refresh_from_db()
        assert resource.name_fr == "Budget primitif"
        assert resource.versions.count() == 1

    def test_it_shows_the_validation_report_of_an_invalid_file(
        self, staff, dataset, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            staff.post(ADD, {**resource_form(dataset, declared_schema=json.dumps(SCHEMA)), "file": csv_file(BROKEN)})
        resource = Resource.objects.get()
        version = resource.versions.get()
        assert version.status == ResourceVersion.Status.INVALID
        html = staff.get(edit_url(resource)).content.decode()
        assert "opendata-validation-errors" in html
        errors = html.split("opendata-validation-errors", 1)[1]
        assert "<td>3</td>" in errors
        assert "<td>4</td>" in errors
        assert "montant" in errors

    def test_it_shows_errors_warnings_and_what_was_detected(self, staff, dataset):
        resource = ResourceFactory(dataset=dataset, format="XLSX")
        add_file(
            resource,
            b"PK",
            filename="budget.xlsx",
            status=ResourceVersion.Status.INVALID,
            dialect={"encoding": "windows-1256", "delimiter": ";", "decimal": ",", "sheet": "2025"},
            validation_report={
                "valid": False,
                "errors": [
                    {"row": 4, "field": "montant", "type": "type-error", "message": f"Not a number: {XSS}"},
                    {"row": None, "field": None, "type": "blank-header", "message": "A column has no name."},
                ],
                "warnings": [
                    "The workbook has 3 sheets: only the first was read.",
                    "Merged cells in A1:C1 were split.",
                ],
                "schema_source": "inferred",
            },
        )
        html = staff.get(edit_url(resource)).content.decode()
        errors = html.split("opendata-validation-errors", 1)[1].split("</table>", 1)[0]
        assert "<td>4</td>" in errors
        assert "<td>montant</td>" in errors
        assert "A column has no name." in errors
        assert XSS not in html
        # The encoding as people call it, in the admin's language (the staff member's, Arabic).
        assert "الترميز المكتشف: Windows-1256 (العربية)." in html
        assert "only the first was read" in html
        assert "Merged cells in A1:C1" in html

    def test_it_follows_the_load_of_a_running_version(self, client, staff, dataset, region):
        resource = ResourceFactory(dataset=dataset)
        version = add_file(resource, BUDGET_V1, status=ResourceVersion.Status.LOADING)
        url = reverse("opendata_admin_progress", args=[version.pk])
        assert url in staff.get(edit_url(resource)).content.decode()
        page = staff.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert 'http-equiv="refresh"' in html
        assert str(ResourceVersion.Status.LOADING.label) in html or "data-running" in html

        version.status = ResourceVersion.Status.LOADED
        version.save()
        assert 'http-equiv="refresh"' not in staff.get(url).content.decode()

    def test_it_hides_the_progress_of_other_bodies(self, staff, region):
        theirs = ResourceFactory(dataset=DatasetFactory(body=PublicBodyFactory(parent=region, slug="commune-b")))
        version = add_file(theirs, BUDGET_V1)
        assert staff.get(reverse("opendata_admin_progress", args=[version.pk])).status_code == 404

    def test_it_lets_staff_download_the_files_of_a_draft(self, staff, client, commune):
        draft = DatasetFactory(body=commune, status=Dataset.Status.DRAFT)
        resource = ResourceFactory(dataset=draft)
        add_file(resource, BUDGET_V1)
        url = reverse("opendata_admin_version_file", args=[resource.pk, 1])
        assert url in staff.get(edit_url(resource)).content.decode()
        response = staff.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == BUDGET_V1
        client.logout()
        assert client.get(url).status_code == 302
