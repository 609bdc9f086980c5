"""The works of funded projects in the admin: progress with a photo, payments of the body's spending and live
council decisions of the body linked to a project, and every door closed to a budget manager of another body."""

import datetime
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from opendata.spending.models import Payment, Supplier
from participation.budgeting import services
from participation.budgeting.models import Milestone, Project, ProjectStatus, Stage
from tests.cms.builders import council, decision, session

from .admin_support import errors_of, logged, staff_client, successes_of, url
from .conftest import project


def jpeg() -> bytes:
    out = BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


def payment(body, reference: str, amount: int = 120_000) -> Payment:
    supplier, _created = Supplier.objects.get_or_create(
        key="name:sarl bati", defaults={"name": "SARL Bâti", "kind": Supplier.Kind.COMPANY}
    )
    return Payment.objects.create(
        body=body,
        supplier=supplier,
        fiscal_year=2027,
        amount=amount,
        currency="DZD",
        key=reference,
        reference=reference,
        purpose="Aménagement du square",
    )


def progress(**fields) -> dict:
    data = {
        "progress-stage": Stage.WORKS,
        "progress-progress": "40",
        "progress-note": "Les fondations sont coulées.",
        "progress-language": "fr",
        "progress-on": "2027-05-02",
    }
    return {**data, **{f"progress-{name}": value for name, value in fields.items()}}


@pytest.fixture
def funded(cycle, budgets):
    return project(cycle, budgets["nord"], "ساحة الحي", status=ProjectStatus.SELECTED)


@pytest.fixture
def council_page(body):
    return council(body, slug="conseil-blida")


@pytest.mark.django_db
class ProgressTestCase:
    def test_a_manager_records_progress_with_a_photo(self, manager, funded):
        client = staff_client(manager)
        assert client.get(url("works", funded.pk)).context["progress_form"] is not None
        photo = SimpleUploadedFile("chantier.jpg", jpeg(), content_type="image/jpeg")

        response = client.post(url("progress", funded.pk), progress(photo=photo))

        assert response.status_code == 302 and response.url == url("works", funded.pk)
        assert successes_of(response) == ["The progress is recorded; the project's followers are told."]
        milestone = Milestone.objects.get(project=funded)
        assert (milestone.stage, milestone.progress, milestone.date, milestone.by) == (
            Stage.WORKS,
            40,
            datetime.date(2027, 5, 2),
            manager,
        )
        assert milestone.photo.name.endswith(".jpg")
        funded.refresh_from_db()
        assert (funded.stage, funded.progress) == (Stage.WORKS, 40)
        assert logged(funded, "budgeting.progress").filter(user=manager).exists()
        assert "Les fondations sont coulées." in client.get(url("works", funded.pk)).content.decode()

    @pytest.mark.parametrize("fields", [{"progress": "150"}, {"stage": "flying"}, {"note": ""}])
    def test_it_refuses_bad_progress(self, manager, funded, fields):
        response = staff_client(manager).post(url("progress", funded.pk), progress(**fields))
        assert errors_of(response)
        assert not Milestone.objects.exists()

    def test_a_photo_that_is_not_one_is_refused(self, manager, funded):
        fake = SimpleUploadedFile("photo.jpg", b"not an image at all", content_type="image/jpeg")
        response = staff_client(manager).post(url("progress", funded.pk), progress(photo=fake))
        assert errors_of(response)
        assert not Milestone.objects.exists()

    def test_only_funded_projects_have_works(self, manager, projects):
        on_ballot = projects["nord"][0]
        client = staff_client(manager)
        page = client.get(url("works", on_ballot.pk))
        assert not page.context["funded"] and page.context["progress_form"] is None
        response = client.post(url("progress", on_ballot.pk), progress())
        assert errors_of(response) == ["Only funded projects have works to follow."]
        assert not Milestone.objects.exists()


@pytest.mark.django_db
class LinksTestCase:
    def test_a_manager_links_a_payment_of_the_body(self, manager, funded, body, other_body):
        ours, theirs = payment(body, "MDT-2027-001"), payment(other_body, "TIP-2027-009")
        client = staff_client(manager)
        offered = client.get(url("works", funded.pk)).context["payment_form"].fields["payment"].queryset
        assert list(offered) == [ours]

        response = client.post(url("payment", funded.pk), {"payment-payment": ours.pk})

        assert successes_of(response) == ["The payment is linked to the project."]
        assert list(funded.payments.all()) == [ours]
        assert logged(funded, "budgeting.link").filter(user=manager).exists()
        forged = client.post(url("payment", funded.pk), {"payment-payment": theirs.pk})
        assert errors_of(forged) and list(funded.payments.all()) == [ours]

    def test_the_payments_offered_can_be_searched(self, manager, funded, body):
        payment(body, "MDT-2027-001")
        wanted = payment(body, "MDT-2027-777")
        page = staff_client(manager).get(url("works", funded.pk), {"q": "777"})
        assert list(page.context["payment_form"].fields["payment"].queryset) == [wanted]

    def test_a_manager_links_a_live_decision_of_the_body(self, manager, funded, council_page, other_body):
        held = session(council_page)
        ours = decision(held, reference="2027/014", title="Aménagement du square")
        draft = decision(held, reference="2027/015", title="Projet de délibération")
        draft.unpublish()
        theirs = decision(session(council(other_body, slug="conseil-tipaza")), reference="2027/003", title="Autre")
        client = staff_client(manager)
        offered = client.get(url("works", funded.pk)).context["decision_form"].fields["decision"].queryset
        assert list(offered) == [ours]

        response = client.post(url("decision", funded.pk), {"decision-decision": ours.pk})

        assert successes_of(response) == ["The decision is linked to the project."]
        for forged in (theirs, draft):
            assert errors_of(client.post(url("decision", funded.pk), {"decision-decision": forged.pk}))
        assert [page.pk for page in funded.decisions.all()] == [ours.pk]

    def test_the_service_refuses_a_decision_of_another_body(self, manager, funded, other_body):
        theirs = decision(session(council(other_body, slug="conseil-tipaza")), reference="2027/003", title="Autre")
        with translation.override("en"), pytest.raises(services.BudgetingRefused, match="not one of"):
            services.link_decision(funded, theirs, manager)
        assert not funded.decisions.exists()


@pytest.mark.django_db
class OtherBodyWorksDoorsTestCase:
    def test_every_door_of_the_works_is_closed(self, other_manager, funded, body, council_page):
        ours = payment(body, "MDT-2027-001")
        linked = decision(session(council_page), reference="2027/014", title="Aménagement du square")
        client = staff_client(other_manager)
        assert client.get(url("works", funded.pk)).status_code == 403
        assert client.post(url("progress", funded.pk), progress()).status_code == 403
        assert client.post(url("payment", funded.pk), {"payment-payment": ours.pk}).status_code == 403
        assert client.post(url("decision", funded.pk), {"decision-decision": linked.pk}).status_code == 403
        funded = Project.objects.get(pk=funded.pk)
        assert (funded.progress, funded.payments.count(), funded.decisions.count()) == (0, 0, 0)
        assert not Milestone.objects.exists()
