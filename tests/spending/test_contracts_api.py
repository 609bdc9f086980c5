"""The contracts REST API: one entry per ocid, filters, money as decimal strings, the OCDS package downloads."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from opendata.spending.models import Award, ContractingProcess, Supplier
from opendata.spending.ocds import import_contracts, schema_errors

from .ocds_samples import OCID, award_release, release_package, tender_release


@pytest.fixture
def contracts(commune, other_region):
    import_contracts(json.dumps(release_package(tender_release(), award_release())).encode(), body=commune)
    other = ContractingProcess.objects.create(
        body=other_region, ocid="ocds-b5fd17-other-1", title="Cantine scolaire", fiscal_year=2025,
        value=Decimal("80000.00"), currency="MAD",
    )  # fmt: skip
    person = Supplier.objects.create(name="Karim Benali", kind=Supplier.Kind.INDIVIDUAL, key="name:karim benali")
    Award.objects.create(process=other, award_id="1", supplier=person, value=Decimal("80000.00"), currency="MAD")
    return ContractingProcess.objects.get(ocid=OCID), other


@pytest.mark.django_db
class ContractsApiTestCase:
    def test_it_lists_one_entry_per_ocid_with_awards_and_contracts(
        self, client, contracts, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(6):
            response = client.get("/api/v1/contracts/", {"body": "commune-test", "year": 2026})

        assert response.status_code == 200
        (entry,) = response.json()["results"]
        assert (entry["ocid"], entry["value"], entry["currency"]) == (OCID, "12500000.50", "DZD")
        (award,) = entry["awards"]
        assert (award["value"], award["supplier"]["name"]) == ("11980000.25", "Sarl Travaux Publics Amal")
        transaction = entry["contracts"][0]["implementation"]["transactions"][0]
        assert transaction["value"] == {"amount": 3000000, "currency": "DZD"}

    def test_it_filters_by_supplier_and_withholds_private_persons(self, client, contracts):
        company = Supplier.objects.get(kind=Supplier.Kind.COMPANY)
        person = Supplier.objects.get(kind=Supplier.Kind.INDIVIDUAL)

        by_company = client.get("/api/v1/contracts/", {"supplier": str(company.uuid)}).json()
        by_person = client.get("/api/v1/contracts/", {"supplier": str(person.uuid)}).json()
        other = client.get(f"/api/v1/contracts/{contracts[1].uuid}/").json()

        assert [entry["ocid"] for entry in by_company["results"]] == [OCID]
        assert by_person["count"] == 0
        assert other["awards"][0]["supplier"]["uuid"] is None
        assert "Karim" not in json.dumps(other)

    @pytest.mark.parametrize(
        ("path", "status"),
        [
            ("/api/v1/contracts/not-a-uuid/", 404),
            ("/api/v1/contracts/?year=abc", 400),
            ("/api/v1/contracts/?supplier=x", 400),
        ],
    )
    def test_it_answers_bad_requests_with_problems(self, client, contracts, path, status):
        response = client.get(path)

        assert response.status_code == status
        assert response["Content-Type"] == "application/problem+json"

    @pytest.mark.parametrize(
        ("name", "schema", "key"),
        [
            ("spending_api:contract-release-package", "release-package-schema.json", "releases"),
            ("spending_api:contract-record-package", "record-package-schema.json", "records"),
        ],
    )
    def test_it_downloads_valid_ocds_packages_filtered_by_body(self, client, contracts, name, schema, key):
        response = client.get(reverse(name), {"body": "commune-test"})
        empty = client.get(reverse(name), {"body": "commune-test", "year": 1999})

        assert response.status_code == 200
        package = json.loads(response.content)
        assert schema_errors(package, schema) == []
        assert {item["ocid"] for item in package[key]} == {OCID}
        assert b"11980000.25" in response.content
        assert empty.status_code == 404
