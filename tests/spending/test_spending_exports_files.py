"""Bulk exports of a body's spending data (/download/spending/<body>/…): exact, safe, and the Fiscal Data Package."""

import csv
import io
import json
from decimal import Decimal

import pytest
from frictionless import Package
from openpyxl import load_workbook

from tests.ratelimits import rate_limits
from tests.spending.api_data import FORMULA_LABEL, PRIVATE_NAME

pytestmark = pytest.mark.django_db


def download(client, path: str, status: int = 200, **headers):
    response = client.get(f"/download/spending/{path}", headers=headers or None)
    assert response.status_code == status, response
    return response


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_budget_lines_as_csv_keep_codes_exact_amounts_and_neutralise_formulas(client, world):
    response = download(client, "commune-test/budget-lines.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "commune-test-budget-lines.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(content(response).decode())))
    assert len(rows) == 5
    first = rows[0]
    assert (first["fiscal_year"], first["function_code"], first["economic_code"], first["amount"]) == (
        "2023", "007", "02100", "1000.10",
    )  # fmt: skip
    assert {row["label"] for row in rows} >= {"'" + FORMULA_LABEL, "Voirie"}


def test_payments_as_json_withhold_private_names_and_keep_decimal_strings(client, world):
    document = json.loads(content(download(client, "commune-test/payments.json", accept_language="en")))
    assert [field["id"] for field in document["fields"]][:5] == ["id", "fiscal_year", "date", "supplier_id", "supplier"]
    by_amount = {record["amount"]: record for record in document["records"]}
    assert set(by_amount) == {"1234.56", "500.00"}
    assert by_amount["500.00"]["supplier_id"] is None
    assert by_amount["500.00"]["supplier"] == "Private person (name withheld)"
    assert by_amount["1234.56"]["supplier_id"] == str(world.company.uuid)
    assert by_amount["1234.56"]["date"] == "2024-03-01"


@pytest.mark.parametrize("format", ["csv", "json", "xlsx"])
def test_no_export_names_a_private_person_and_aggregating_bodies_leave_them_out(client, world, format):
    for body in ("commune-test", "region-voisine"):
        assert PRIVATE_NAME.encode() not in content(download(client, f"{body}/payments.{format}"))
    rows = json.loads(content(download(client, "region-voisine/payments.json")))["records"]
    assert [row["amount"] for row in rows] == ["99.99"]


def test_xlsx_has_numbers_for_amounts_and_text_for_codes(client, world):
    sheet = load_workbook(io.BytesIO(content(download(client, "commune-test/budget-lines.xlsx")))).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    row = dict(zip(header, rows[0], strict=True))
    assert row["function_code"] == "007" and row["economic_code"] == "02100"
    assert Decimal(str(row["amount"])) == Decimal("1000.10")
    formula = next(cell for cell in sheet["H"] if cell.value == FORMULA_LABEL)
    assert formula.data_type == "s" and formula.quotePrefix


@pytest.mark.parametrize("path", ["nowhere/payments.csv", "commune-test/secrets.csv", "commune-test/payments.pdf"])
def test_unknown_bodies_datasets_and_formats_are_404(client, world, path):
    download(client, path, status=404)


def test_exports_are_rate_limited(client, world):
    with rate_limits(download="1/m"):
        download(client, "commune-test/payments.csv")
        download(client, "commune-test/payments.csv", status=429)


def test_the_fiscal_data_package_describes_the_csv_files_and_validates(client, world, tmp_path):
    descriptor = download(client, "commune-test/datapackage.json").json()
    assert descriptor["profile"] == "fiscal-data-package"
    model = descriptor["model"]
    assert model["measures"]["budget_amount"] == {
        "source": "amount", "resource": "budget-lines", "currency": "DZD", "factor": 1,
    }  # fmt: skip
    functional = model["dimensions"]["budget_lines_functional_classification"]
    assert functional["classificationType"] == "functional"
    assert functional["attributes"]["code"] == {"source": "function_code", "resource": "budget-lines"}
    assert model["dimensions"]["payments_supplier"]["dimensionType"] == "entity"
    # Every attribute names a column of its resource.
    columns = {
        resource["name"]: {f["name"] for f in resource["schema"]["fields"]} for resource in descriptor["resources"]
    }
    for part in [
        *model["measures"].values(),
        *(a for d in model["dimensions"].values() for a in d["attributes"].values()),
    ]:
        assert part["source"] in columns[part["resource"]]

    # The Data Package part, against the very files: frictionless fetches no FDP profile (it is offline here).
    for resource in descriptor["resources"]:
        path = tmp_path / f"{resource['name']}.csv"
        path.write_bytes(content(client.get(resource["path"].removeprefix("http://testserver"))))
        resource["path"] = path.name
    descriptor["profile"] = "tabular-data-package"
    report = Package.from_descriptor(descriptor, basepath=str(tmp_path)).validate()
    assert report.valid, report.flatten(["type", "note"])
