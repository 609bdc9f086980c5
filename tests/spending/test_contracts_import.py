"""Importing OCDS files: every shape publishers write, reported faults, refusals that change nothing."""

import codecs
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from wagtail.models import ModelLogEntry

from opendata.spending.models import ContractingProcess, Supplier
from opendata.spending.ocds import OcdsFileError, import_contracts

from .ocds_samples import OCID, award_release, release_package, tender_release


@pytest.fixture(autouse=True)
def in_english():
    """Messages are in the active language (the portal's, Arabic, by default): these tests read English."""
    with translation.override("en"):
        yield


def record_with(key: str, state: dict) -> dict:
    return {"uri": "https://example.org/r.json", "version": "1.1", "publishedDate": "2026-08-01T00:00:00Z",
            "publisher": {"name": "Commune"}, "records": [{"ocid": OCID, key: state}]}  # fmt: skip


def versioned(value, date="2026-04-10T10:00:00Z", release_id="r2") -> list:
    return [{"releaseDate": "2026-01-01T00:00:00Z", "releaseID": "r1", "value": "outdated"},
            {"releaseDate": date, "releaseID": release_id, "value": value}]  # fmt: skip


def compiled_state() -> dict:
    compiled = {**tender_release(), **award_release(), "tag": ["compiled"], "id": f"{OCID}-compiled"}
    compiled["tender"] = {**tender_release()["tender"], "status": "complete"}
    return compiled


def versioned_state() -> dict:
    compiled = compiled_state()
    award = compiled["awards"][0]
    return {
        "ocid": OCID,
        "initiationType": versioned("tender"),
        "parties": [
            {
                "id": party["id"],
                "name": versioned(party["name"]),
                "identifier": {"id": versioned(party["identifier"]["id"])},
            }
            for party in compiled["parties"]
        ],  # fmt: skip
        "tender": {
            "title": versioned(compiled["tender"]["title"]),
            "status": versioned("complete"),
            "procurementMethod": versioned("open"),
            "value": {"amount": versioned(12500000.50), "currency": versioned("DZD")},
            "tenderPeriod": {"startDate": versioned("2026-02-01T09:00:00Z")},
        },
        "awards": [
            {
                "id": "A-1",
                "status": versioned("active"),
                "suppliers": versioned(award["suppliers"]),
                "value": {"amount": versioned(11980000.25), "currency": versioned("DZD")},
            }
        ],  # fmt: skip
        "contracts": [
            {
                "id": "C-1",
                "awardID": versioned("A-1"),
                "value": {"amount": versioned(11980000.25), "currency": versioned("DZD")},
            }
        ],  # fmt: skip
    }


def json_lines(*documents) -> bytes:
    return "\n".join(json.dumps(document, ensure_ascii=False) for document in documents).encode()


FILES = {
    "release package": lambda: json.dumps(release_package(tender_release(), award_release())).encode(),
    "record package, compiled release": lambda: json.dumps(record_with("compiledRelease", compiled_state())).encode(),
    "record package, versioned release": lambda: json.dumps(
        record_with("versionedRelease", versioned_state())
    ).encode(),
    "bare releases in an array": lambda: json.dumps([award_release(), tender_release()]).encode(),
    "JSON Lines": lambda: json_lines(tender_release(), release_package(award_release())),
    "UTF-16 with BOM": lambda: (
        codecs.BOM_UTF16_LE
        + json.dumps(release_package(tender_release(), award_release()), ensure_ascii=False).encode("utf-16-le")
    ),  # fmt: skip
    "Windows-1252": lambda: (
        json.dumps(release_package(tender_release(), award_release()), ensure_ascii=False)
        .replace("بلدية الاختبار", "Commune")
        .encode("cp1252")
    ),
}


@pytest.mark.django_db
class ImportContractsTestCase:
    @pytest.mark.parametrize("shape", FILES)
    def test_it_reads_every_shape_into_one_process_per_ocid(self, shape, commune):
        report = import_contracts(FILES[shape](), body=commune)
        again = import_contracts(FILES[shape](), body=commune)

        assert (report.created, report.errors) == (1, []), report.summary()
        assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
        process = ContractingProcess.objects.get(ocid=OCID)
        assert (process.body, process.title) == (commune, "Réfection de la voirie du quartier El Nour")
        assert (process.status, process.method, process.fiscal_year) == ("complete", "open", 2026)
        assert (process.value, process.currency) == (Decimal("12500000.50"), "DZD")
        award = process.awards.get()
        assert (award.award_id, award.value, award.supplier.name) == (
            "A-1",
            Decimal("11980000.25"),
            "Sarl Travaux Publics Amal",
        )
        assert award.supplier.key == Supplier.key_for("", "000123456789012")
        assert award.supplier.kind == Supplier.Kind.COMPANY
        assert process.contracts.get().award_id == "A-1"
        assert process.releases and all(isinstance(release["tag"], list) for release in process.releases)

    def test_it_merges_releases_in_date_order_and_keeps_each_once(self, commune):
        later = award_release(tender={"id": "T-1", "status": "complete", "title": "Voirie El Nour, lot unique"})
        first = import_contracts(json.dumps(release_package(later, tender_release())).encode(), body=commune)
        again = import_contracts(json.dumps([tender_release(), later]).encode(), body=commune)

        process = ContractingProcess.objects.get()
        # The later release's title wins, whatever the order in the file; the earlier one's value stays.
        assert (process.title, process.value) == ("Voirie El Nour, lot unique", Decimal("12500000.50"))
        assert [release["id"] for release in process.releases] == [f"{OCID}-tender", f"{OCID}-award"]
        assert (first.created, again.unchanged) == (1, 1)

    def test_it_changes_nothing_when_the_same_file_comes_again(self, commune):
        data = json.dumps(release_package(tender_release(), award_release())).encode()
        import_contracts(data, body=commune)
        before = ContractingProcess.objects.get().updated_at
        logged = ModelLogEntry.objects.count()

        report = import_contracts(data, body=commune)

        assert (report.created, report.updated, report.unchanged, report.errors) == (0, 0, 1, [])
        assert ContractingProcess.objects.get().updated_at == before
        assert ModelLogEntry.objects.count() == logged
        assert Supplier.objects.count() == 1

    def test_it_reads_a_lone_tag_and_amounts_written_as_text_exactly(self, commune):
        text = json.dumps(tender_release(tag="tender")).replace("12500000.5", '"1234567890123.45"')

        import_contracts(f"[{text}]".encode(), body=commune)

        process = ContractingProcess.objects.get()
        assert process.value == Decimal("1234567890123.45")
        assert process.releases[0]["tag"] == ["tender"]
        assert process.releases[0]["tender"]["value"]["amount"] == Decimal("1234567890123.45")

    def test_it_reports_empty_currencies_and_dates_and_imports_the_rest(self, commune):
        tender = tender_release()
        tender["tender"]["value"]["currency"] = ""
        tender["tender"]["tenderPeriod"]["endDate"] = ""
        tender["tender"]["status"] = "ouvert"
        awarded = award_release()
        awarded["awards"][0]["value"]["currency"] = "Dinars"
        undated = award_release(ocid="ocds-b5fd17-2026-002", date="")

        report = import_contracts(json.dumps([tender, awarded, undated]).encode(), body=commune)

        process = ContractingProcess.objects.get()
        assert (process.value, process.currency, process.tender_end) == (None, "", None)
        assert process.awards.get().value is None
        warnings = " ".join(str(warning) for warning in report.warnings)
        assert "tender.value: an amount without currency" in warnings
        assert "tender.tenderPeriod.endDate: an empty date" in warnings
        assert "awards[0].value.currency: “DINARS” is not an ISO 4217 currency" in warnings
        assert f"release {OCID}-tender does not follow OCDS 1.1: tender/status: 'ouvert' is not one of" in warnings
        assert [(error.row, error.reference) for error in report.errors] == [(3, "ocds-b5fd17-2026-002")]
        assert "no date" in report.errors[0].message

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (json.dumps(release_package(tender_release(), version="9.9")), "OCDS version 9.9"),
            ('{"uri": "x", "releases": [{"ocid": "a",}]}', "not valid JSON"),
            (json.dumps(tender_release()) + "\n{broken", "line 2"),
            ('{"name": "not OCDS"}', "not an OCDS release"),
        ],
    )
    def test_it_refuses_a_file_it_cannot_read_and_changes_nothing(self, data, message, commune):
        import_contracts(json.dumps([tender_release(title="kept")]).encode(), body=commune)
        before = ContractingProcess.objects.get().releases

        with pytest.raises(OcdsFileError, match=message):
            import_contracts(data.encode(), body=commune)

        assert ContractingProcess.objects.get().releases == before

    def test_it_never_moves_a_process_of_another_body(self, commune, other_region):
        import_contracts(json.dumps([tender_release()]).encode(), body=other_region)

        report = import_contracts(json.dumps([award_release()]).encode(), body=commune)

        assert report.errors[0].message == "this ocid belongs to another body: left out"
        assert ContractingProcess.objects.get().awards.count() == 0


@pytest.mark.django_db
class ImportContractsCommandTestCase:
    def test_it_prints_the_report_and_fails_when_nothing_was_imported(self, commune, tmp_path, capsys):
        good, bad = tmp_path / "good.json", tmp_path / "bad.json"
        good.write_text(json.dumps(release_package(tender_release(), award_release())), encoding="utf-8")
        bad.write_text(json.dumps([award_release(id="")]), encoding="utf-8")

        with translation.override("en"):
            call_command("import_contracts", str(good), "--body", commune.slug)
        assert "1 created, 0 updated, 0 unchanged, 0 failed" in capsys.readouterr().out
        with pytest.raises(CommandError, match="Nothing was imported"):
            call_command("import_contracts", str(bad), "--body", commune.slug)
        with pytest.raises(CommandError, match="version"):
            good.write_text(json.dumps(release_package(tender_release(), version="2.0")), encoding="utf-8")
            call_command("import_contracts", str(good), "--body", commune.slug)
