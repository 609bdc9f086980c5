"""The Spending admin menu: staff type contracts and figures for their bodies only, and every write is audited."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from opendata.spending.models import Award, BudgetLine, ClassificationCode, ContractingProcess, Payment, Supplier
from tests.factories import RoleGrantFactory, UserFactory
from tests.staff import login_with_second_factor


@pytest.fixture
def publisher(commune, client):
    user = RoleGrantFactory(body=commune, role="publisher", user__email="publisher@example.org").user
    login_with_second_factor(client, user)
    return user


@pytest.fixture
def outsiders_process(other_region):
    """A contract of another body, awarded to a private person."""
    process = ContractingProcess.objects.create(body=other_region, ocid="ocds-x-other-1", title="Cantine")
    person = Supplier.objects.create(name="Karim Benali", kind=Supplier.Kind.INDIVIDUAL, key="name:karim benali")
    Award.objects.create(process=process, award_id="1", supplier=person)
    return process


def contract_form(body, supplier=None, **overrides) -> dict:
    data = {
        "body": body.pk, "ocid": "ocds-b5fd17-2026-007", "title": "Éclairage public", "description": "",
        "status": "complete", "method": "open", "value": "1250000.50", "currency": "DZD",
        "tender_start": "2026-03-01", "tender_end": "2026-03-31", "fiscal_year": "2026", "decision_reference": "",
        "awards-TOTAL_FORMS": "1", "awards-INITIAL_FORMS": "0", "awards-MIN_NUM_FORMS": "0",
        "awards-MAX_NUM_FORMS": "1000", "awards-0-award_id": "A-7", "awards-0-status": "active",
        "awards-0-date": "2026-04-02", "awards-0-supplier": supplier.pk if supplier else "",
        "awards-0-title": "Lot 1", "awards-0-value": "1190000.00", "awards-0-currency": "DZD",
        "contracts-TOTAL_FORMS": "0", "contracts-INITIAL_FORMS": "0", "contracts-MIN_NUM_FORMS": "0",
        "contracts-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.mark.django_db
class SpendingAdminTestCase:
    @pytest.mark.parametrize("view", ["edit", "inspect", "history", "delete", "copy"])
    def test_it_hides_another_bodys_contract_from_its_every_door(self, client, publisher, outsiders_process, view):
        response = client.get(f"/admin/spending_contracts/{view}/{outsiders_process.pk}/")

        assert response.status_code == 404

    def test_a_publisher_types_a_contract_with_its_award_and_it_is_audited(self, client, publisher, commune):
        supplier = Supplier.objects.create(name="Lumière SARL", kind=Supplier.Kind.COMPANY, key="name:lumiere sarl")
        form = client.get(reverse("spending_contracts:add"))

        response = client.post(reverse("spending_contracts:add"), contract_form(commune, supplier))

        assert response.status_code == 302, response.context["form"].errors
        process = ContractingProcess.objects.get(ocid="ocds-b5fd17-2026-007")
        award = process.awards.get()
        assert (process.body, process.value, award.supplier, award.value) == (
            commune, Decimal("1250000.50"), supplier, Decimal("1190000.00"),
        )  # fmt: skip
        assert ModelLogEntry.objects.filter(action="wagtail.create", object_id=str(process.pk)).exists()
        # The award's supplier is picked with the supplier chooser, not from a list of every supplier.
        assert reverse("spending_supplier_chooser:choose") in form.content.decode()
        assert client.get(reverse("spending_contracts:edit", args=[process.pk])).status_code == 200

    def test_it_refuses_a_body_or_a_supplier_forged_in_the_post(self, client, publisher, commune, outsiders_process):
        other_bodys_person = Supplier.objects.get(kind=Supplier.Kind.INDIVIDUAL)

        body = client.post(reverse("spending_contracts:add"), contract_form(outsiders_process.body))
        supplier = client.post(reverse("spending_contracts:add"), contract_form(commune, other_bodys_person))

        assert "body" in body.context["form"].errors
        assert "supplier" in supplier.context["form"].formsets["awards"].forms[0].errors
        assert ContractingProcess.objects.count() == 1

    def test_it_shares_suppliers_but_not_other_bodies_private_persons(self, client, publisher, outsiders_process):
        company = Supplier.objects.create(name="Lumière SARL", kind=Supplier.Kind.COMPANY, key="name:lumiere sarl")
        person = Supplier.objects.get(kind=Supplier.Kind.INDIVIDUAL)

        listing = client.get(reverse("spending_suppliers:index"))
        chooser = client.get(reverse("spending_supplier_chooser:choose"))
        edited = client.post(reverse("spending_suppliers:edit", args=[company.pk]), {
            "name": "Lumière SARL", "identifier": "000 111 222", "kind": "company"})  # fmt: skip
        hidden = client.get(reverse("spending_suppliers:edit", args=[person.pk]))
        deleted = client.post(reverse("spending_suppliers:delete", args=[company.pk]))

        for page in (listing.content.decode(), json.loads(chooser.content)["html"]):
            assert "Lumière SARL" in page and "Karim" not in page
        assert edited.status_code == 302
        assert Supplier.objects.get(pk=company.pk).key == "id:000111222"
        assert hidden.status_code == 404
        assert deleted.status_code in (302, 403) and Supplier.objects.filter(pk=company.pk).exists()

    def test_it_keys_typed_budget_lines_and_payments_and_refuses_them_twice(self, client, publisher, commune):
        supplier = Supplier.objects.create(name="Association Nour", kind="association", key="name:association nour")
        line = {"body": commune.pk, "fiscal_year": "2026", "stage": "voted", "direction": "expenditure",
                "section": "operating", "function_code": "007", "economic_code": "", "label": "Voirie",
                "amount": "1 000,00".replace(" ", "").replace(",", "."), "currency": "DZD", "decision_reference": ""}  # fmt: skip
        payment = {"body": commune.pk, "kind": "subsidy", "fiscal_year": "2026", "date": "2026-05-01",
                   "supplier": supplier.pk, "amount": "50000.00", "currency": "DZD", "purpose": "Fête du quartier",
                   "function_code": "", "economic_code": "", "reference": "M-12", "decision_reference": ""}  # fmt: skip

        first = [
            client.post(reverse(f"spending_{name}:add"), data)
            for name, data in [("budget_lines", line), ("payments", payment)]
        ]
        again = [
            client.post(reverse(f"spending_{name}:add"), data)
            for name, data in [("budget_lines", line), ("payments", payment)]
        ]

        assert [response.status_code for response in first] == [302, 302]
        assert [response.status_code for response in again] == [200, 200]
        assert BudgetLine.objects.get().key == BudgetLine.objects.get().identity()
        assert Payment.objects.get().key == "ref:M-12"

    def test_it_keeps_shared_classification_codes_to_superusers(self, client, publisher, commune):
        code = {"scheme": "functional", "code": "007", "parent_code": "", "level": "1", "label_ar": "الطرق",
                "label_fr": "Voirie", "label_en": ""}  # fmt: skip

        shared = client.post(reverse("spending_classification_codes:add"), {**code, "body": ""})
        own = client.post(reverse("spending_classification_codes:add"), {**code, "body": commune.pk})
        login_with_second_factor(client, UserFactory(is_superuser=True, is_staff=True))
        by_superuser = client.post(reverse("spending_classification_codes:add"), {**code, "body": ""})

        assert (shared.status_code, own.status_code, by_superuser.status_code) == (200, 302, 302)
        assert sorted(ClassificationCode.objects.values_list("body", flat=True), key=str) == sorted(
            [commune.pk, None], key=str
        )
