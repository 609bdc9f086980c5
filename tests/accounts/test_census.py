"""The residents' census: a file (CSV in any encoding and delimiter, XLSX) replaces a body's census; bad rows are
reported by line and skipped; a wrong file is refused whole; identity numbers are never stored nor written."""

import io
import json
from datetime import date, datetime

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict
from django.utils import translation
from openpyxl import Workbook
from wagtail.models import ModelLogEntry

from portal.accounts.census import census_mapping, import_census
from portal.accounts.identity import identity_hash
from portal.accounts.models import CensusEntry, CensusImport
from tests.factories import DistrictFactory, PublicBodyFactory, UserFactory

HEADER = "identity_number;district;born_on\n"


@pytest.fixture(autouse=True)
def english():
    """The reports are read in English here (the catalogues translate them; the tests match their words)."""
    with translation.override("en"):
        yield


@pytest.fixture
def body(db):
    return PublicBodyFactory(slug="blida", name_fr="Commune de Blida")


@pytest.fixture
def centre(body):
    return DistrictFactory(body=body, slug="centre", name_ar="وسط المدينة", name_fr="Centre-ville")


@pytest.fixture
def ouled(body):
    return DistrictFactory(body=body, slug="ouled-yaich", name_ar="أولاد يعيش", name_fr="Ouled Yaïch")


@pytest.fixture
def lenient(settings):
    """Small files in these tests: a few bad rows are a large share of them."""
    settings.CENSUS_MAX_BAD_ROWS_PERCENT = 80


def upload(text: str, encoding: str = "utf-8", name: str = "census.csv") -> io.BytesIO:
    data = io.BytesIO(text.encode(encoding))
    data.name = name
    return data


def entries(body) -> dict[str, tuple]:
    return {
        entry.identity_hash: (entry.district.slug if entry.district else None, entry.born_on)
        for entry in CensusEntry.objects.filter(body=body).select_related("district")
    }


def test_a_windows_1256_file_with_semicolons_and_arabic_districts_is_read(body, centre, ouled, lenient):
    text = (
        HEADER
        + "109876543210;وسط المدينة;30/04/2001\n"
        + "209876543210; أولاد  يعيش ;1990-01-15\n"
        + "309876543210;CENTRE;\n"
        + "409876543210;;15/06/1985\n"
    )
    report = import_census(upload(text, "cp1256"), body, by=UserFactory())

    assert not report.refused and report.errors == []
    assert report.encoding == "windows-1256"
    assert (report.created, report.updated, report.removed) == (4, 0, 0)
    assert entries(body) == {
        identity_hash("109876543210"): ("centre", date(2001, 4, 30)),
        identity_hash("209876543210"): ("ouled-yaich", date(1990, 1, 15)),
        identity_hash("309876543210"): ("centre", None),
        identity_hash("409876543210"): (None, date(1985, 6, 15)),
    }
    record = CensusImport.objects.get()
    assert record.applied and (record.rows, record.added) == (4, 4)


def test_bad_rows_are_reported_by_line_and_the_good_ones_imported(body, centre, lenient):
    text = (
        HEADER
        + "109876543210;centre;30/04/2001\n"  # line 2
        + ";centre;30/04/2001\n"  # 3: no number
        + "209876543210;Atlantis;30/04/2001\n"  # 4: unknown district
        + "309876543210;centre;31/02/2001\n"  # 5: no such date
        + "409876543210;centre;demain\n"  # 6: not a date
        + "1098 7654 3210;;\n"  # 7: the number of line 2, written otherwise
        + "509876543210;centre;\n"  # 8
    )
    report = import_census(upload(text), body)

    assert [error.row for error in report.errors] == [3, 4, 5, 6, 7]
    messages = {error.row: error.message for error in report.errors}
    assert "Atlantis" in messages[4] and "line 2" in messages[7]
    assert set(entries(body)) == {identity_hash("109876543210"), identity_hash("509876543210")}
    assert CensusImport.objects.get().errors[0] == {"line": 3, "message": messages[3]}


def test_an_xlsx_workbook_with_numbers_and_dates_is_read(body, centre):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["NIN", "Quartier", "Naissance"])
    sheet.append([109876543210, "Centre-ville", datetime(2001, 4, 30)])  # noqa: DTZ001 (a spreadsheet has no zone)
    sheet.append(["209876543210", "centre", "15/01/1990"])
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    data.name = "recensement.xlsx"
    mapping = census_mapping({"columns": {"identity_number": "nin", "district": "Quartier", "born_on": "Naissance"}})

    report = import_census(data, body, mapping=mapping)

    assert not report.refused and report.created == 2
    assert entries(body)[identity_hash("109876543210")] == ("centre", date(2001, 4, 30))


def test_a_utf8_file_with_a_bom_and_commas_is_read(body, centre):
    text = "\ufeffidentity_number,district,born_on\n109876543210,centre,2001-04-30\n١٠٩٨٧٦٥٤٣٢١١,,١٥/٠٦/١٩٨٥\n"
    report = import_census(upload(text), body)
    assert not report.refused and report.created == 2
    assert entries(body)[identity_hash("109876543211")] == (None, date(1985, 6, 15)), "Arabic-Indic digits"


def test_a_mapping_translates_the_files_values(body, centre):
    text = "CIN;Secteur\n109876543210;S1\n"
    mapping = census_mapping(
        {"columns": {"identity_number": "CIN", "district": "Secteur"}, "values": {"district": {"S1": "centre"}}}
    )
    report = import_census(upload(text), body, mapping=mapping)
    assert not report.errors and entries(body)[identity_hash("109876543210")] == ("centre", None)


def test_a_new_census_replaces_the_bodys_census(body, centre, ouled):
    other_body = PublicBodyFactory(slug="tipaza")
    import_census(upload(HEADER + "999999999999;;\n"), other_body)
    import_census(upload(HEADER + "111111111111;centre;\n222222222222;centre;\n333333333333;centre;\n"), body)

    report = import_census(upload(HEADER + "111111111111;centre;\n222222222222;ouled-yaich;\n444444444444;;\n"), body)

    assert (report.created, report.updated, report.unchanged, report.removed) == (1, 1, 1, 1)
    assert set(entries(body)) == {identity_hash(n) for n in ("111111111111", "222222222222", "444444444444")}
    assert set(entries(other_body)) == {identity_hash("999999999999")}, "another body's census is left alone"
    latest = CensusImport.objects.filter(body=body).first()
    assert (latest.added, latest.updated, latest.unchanged, latest.removed) == (1, 1, 1, 1)
    assert set(CensusEntry.objects.filter(body=body).values_list("census_import", flat=True)) == {latest.pk}


def test_a_file_with_too_many_bad_rows_is_refused_and_changes_nothing(body, centre, settings):
    settings.CENSUS_MAX_BAD_ROWS_PERCENT = 5
    import_census(upload(HEADER + "111111111111;centre;\n"), body)
    good = "".join(f"{n:012d};centre;\n" for n in range(500000000000, 500000000019))

    report = import_census(upload(HEADER + good + "600000000000;Atlantis;\n600000000001;Atlantis;\n"), body)

    assert report.refused and "2 of its 21 rows" in report.refused
    assert set(entries(body)) == {identity_hash("111111111111")}
    refused = CensusImport.objects.filter(body=body).first()
    assert not refused.applied and refused.refusal == report.refused and len(refused.errors) == 2
    # One bad row in 21 (under 5 %) goes through.
    report = import_census(upload(HEADER + good + "600000000000;Atlantis;\n600000000001;centre;\n"), body)
    assert not report.refused and report.created == 20 and len(report.errors) == 1


def test_a_file_without_an_identity_column_is_refused(body):
    import_census(upload(HEADER + "111111111111;;\n"), body)
    report = import_census(upload("name;district\nAmina;centre\n"), body)
    assert "no identity number column" in report.refused
    assert set(entries(body)) == {identity_hash("111111111111")}


def test_a_file_that_is_no_table_is_refused(body):
    data = io.BytesIO(b"%PDF-1.4 not a census")
    data.name = "census.pdf"
    report = import_census(data, body)
    assert report.refused and not CensusEntry.objects.exists()


def test_no_identity_number_is_stored_or_written_anywhere(body, centre, lenient):
    numbers = ["109876543210", "209876543210", "309876543210"]
    text = HEADER + f"{numbers[0]};centre;30/04/2001\n{numbers[1]};Atlantis;\n{numbers[2]};;\n{numbers[0]};;\n"
    report = import_census(upload(text), body, by=UserFactory())

    assert len(report.errors) == 2
    stored = json.dumps(
        [model_to_dict(row) for model in (CensusEntry, CensusImport) for row in model.objects.all()]
        + [[entry.data, entry.label] for entry in ModelLogEntry.objects.all()]
        + [report.summary(), [str(error) for error in report.errors]],
        default=str,
        ensure_ascii=False,
    )
    for number in numbers:
        assert number not in stored and number[-6:] not in stored


def test_the_upload_is_logged(body):
    user = UserFactory()
    import_census(upload(HEADER + "111111111111;;\n"), body, by=user)
    entry = ModelLogEntry.objects.get(action="accounts.census.import")
    assert entry.user == user and entry.data["body"] == "blida" and entry.data["applied"] is True


def test_the_command_imports_and_fails_on_a_refused_file(body, centre, tmp_path):
    good = tmp_path / "census.csv"
    good.write_text(HEADER + "111111111111;centre;\n", encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"columns": {"identity_number": "identity_number"}}), encoding="utf-8")
    out = io.StringIO()
    call_command("import_census", str(good), "--body", "blida", "--mapping", str(mapping), stdout=out)
    assert "1 added" in out.getvalue() and "111111111111" not in out.getvalue()

    bad = tmp_path / "bad.csv"
    bad.write_text("name\nAmina\n", encoding="utf-8")
    with pytest.raises(CommandError, match="not changed"):
        call_command("import_census", str(bad), "--body", "blida", stdout=io.StringIO(), stderr=io.StringIO())
    assert CensusEntry.objects.filter(body=body).count() == 1
