"""The OCDS packages the portal publishes are valid against the vendored OCDS 1.1 schemas, amounts exact."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from opendata.spending import exactjson
from opendata.spending.models import Award, Contract, ContractingProcess, Supplier
from opendata.spending.ocds import (
    import_contracts,
    record_package,
    release_package,
    schema_errors,
    with_package_data,
)

from .ocds_samples import award_release, tender_release
from .ocds_samples import release_package as sample_package

PUBLISHED = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def processes(commune):
    """One process imported from OCDS releases, one typed by staff (a private person among its suppliers)."""
    text = json.dumps(sample_package(tender_release(), award_release())).replace("11980000.25", "98765432101234.56")
    import_contracts(text.encode(), body=commune)
    typed = ContractingProcess.objects.create(
        body=commune, ocid="ocds-b5fd17-typed-1", title="Fournitures scolaires", status="complete",
        method="direct", value=Decimal("450000.10"), currency="DZD", tender_start=date(2026, 1, 5),
    )  # fmt: skip
    person = Supplier.objects.create(name="Karim Benali", kind=Supplier.Kind.INDIVIDUAL, key="name:karim benali")
    Award.objects.create(process=typed, award_id="1", supplier=person, value=Decimal("450000.10"), currency="DZD",
                         status="adjugé")  # fmt: skip
    Contract.objects.create(process=typed, contract_id="1", value=Decimal("450000.10"), currency="DZD")
    return with_package_data(ContractingProcess.objects.order_by("ocid"))


@pytest.mark.django_db
class ContractPackagesTestCase:
    @pytest.mark.parametrize(
        ("package", "schema"),
        [(release_package, "release-package-schema.json"), (record_package, "record-package-schema.json")],
    )
    def test_it_writes_packages_valid_against_the_ocds_schema(self, package, schema, processes):
        data = package(processes, uri="https://example.org/p.json", published_date=PUBLISHED,
                       license="https://creativecommons.org/licenses/by/4.0/")  # fmt: skip

        assert schema_errors(data, schema) == []
        text = exactjson.dumps(data)
        assert "98765432101234.56" in text and "450000.10" in text
        assert "Karim Benali" not in text
        assert json.loads(text)["publisher"] == {"name": "Baladiya"}

    def test_it_writes_a_typed_process_as_a_release_of_its_own(self, processes):
        typed = processes.get(ocid="ocds-b5fd17-typed-1")

        records = record_package([typed], uri="https://example.org/r.json", published_date=PUBLISHED)["records"]

        (release,) = records[0]["releases"]
        assert release["tag"] == ["tender", "award", "contract"]
        assert release["buyer"]["id"] == str(typed.body.uuid)
        assert release["contracts"][0]["awardID"] == "1"
        assert "status" not in release["awards"][0]  # not an awardStatus code
        assert records[0]["compiledRelease"]["tag"] == ["compiled"]

    def test_the_schema_check_finds_what_breaks_the_standard(self, processes):
        data = release_package(processes, uri="https://example.org/p.json", published_date=PUBLISHED)
        data["releases"][0]["tag"] = "tender"
        del data["publisher"]

        errors = schema_errors(data, "release-package-schema.json")

        assert any(error.startswith("releases/0/tag") for error in errors)
        assert any("'publisher' is a required property" in error for error in errors)

    def test_exact_json_keeps_every_digit(self):
        value = {"amount": Decimal("12345678901234567.89"), "tiny": Decimal("0.10"), "text": "د.ج"}

        text = exactjson.dumps(value)

        assert text == '{"amount":12345678901234567.89,"tiny":0.10,"text":"د.ج"}'
        assert exactjson.loads(text) == value
