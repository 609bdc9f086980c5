"""portal.importing: a record is written only when a value differs, so that an import run twice changes nothing."""

import pytest
from django.utils import translation

from portal.bodies.models import PublicBody
from portal.importing import ColumnMapping, ImportReport, MappingError, RowError, assign_changed, update_if_changed

pytestmark = pytest.mark.django_db
FIELDS = ("reference", "title", "amount", "status")


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def test_it_saves_only_what_differs(commune):
    stamp = PublicBody.objects.get(pk=commune.pk).updated_at
    assert update_if_changed(commune, {"email": commune.email, "name_ar": commune.name_ar}) is False
    assert PublicBody.objects.get(pk=commune.pk).updated_at == stamp
    assert update_if_changed(commune, {"email": "apc@example.org", "name_ar": commune.name_ar}) is True
    assert PublicBody.objects.get(pk=commune.pk).email == "apc@example.org"


def test_a_value_not_given_leaves_the_field_alone(commune):
    commune.phone = "+213 25 00 00 00"
    assert assign_changed(commune, {"phone": None, "email": "x@example.org"}) == ["email"]
    assert commune.phone == "+213 25 00 00 00"


def test_a_report_counts_rows_and_says_where_each_error_is():
    report = ImportReport(created=2, unchanged=1, errors=[RowError(4, "2025/003", "the date is missing")])
    assert report.rows == 4
    assert str(report.errors[0]) == "row 4 (2025/003): the date is missing"
    assert report.as_dict()["errors"] == [{"row": 4, "reference": "2025/003", "message": "the date is missing"}]
    assert report.summary() == "2 created, 0 updated, 1 unchanged, 1 failed"


def test_a_mapping_reads_a_record_under_our_names_and_leaves_the_other_columns_out():
    mapping = ColumnMapping.from_data(
        {"columns": {"reference": "N° ", "title": "Objet"}, "values": {"status": {"Payé": "paid"}}}, FIELDS
    )
    record = {"n°": "12", " OBJET ": "Voirie", "Status": "PAYÉ", "amount": "3", "Observations": "x"}
    assert mapping.apply(record) == {"reference": "12", "title": "Voirie", "amount": "3", "status": "paid"}
    assert mapping.missing_columns(["N°", "Montant"]) == ["Objet"]


def test_a_mapping_translates_only_the_values_it_knows():
    mapping = ColumnMapping.from_data({"values": {"status": {"Payé": "paid"}}}, FIELDS)
    assert mapping.apply({"status": "En cours"}) == {"status": "En cours"}
    assert mapping.apply({"status": " Payé "}) == {"status": "paid"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"columns": {"titre": "Objet"}}', "Unknown fields in the mapping: titre."),
        ('{"columns": ', "The mapping is not valid JSON: Expecting value (line 1, column 13)."),
        ('{"values": {"status": ["paid"]}}', "“values” maps each field to a table of the file's values and ours."),
    ],
)
def test_a_wrong_mapping_says_what_is_wrong(text, message):
    with pytest.raises(MappingError) as refusal:
        ColumnMapping.from_json(text, FIELDS)
    assert str(refusal.value).startswith(message)


def test_a_mapping_keeps_its_shape_when_saved():
    data = {"columns": {"title": "Objet"}, "values": {"status": {"Payé": "paid"}}}
    assert ColumnMapping.from_data(data, FIELDS).as_data() == data


def test_repeated_rows_are_skipped_and_counted_once():
    report = ImportReport()
    rows = [(2, {"a": "1"}), (3, {"a": "1"}), (4, {"a": "2"}), (5, {"a": "1"})]
    assert [number for number, _values in report.skip_repeats(rows)] == [2, 4]
    assert report.repeated == [3, 5]
    assert report.rows == 2


def test_a_wide_mapping_reads_one_amount_per_year():
    mapping = ColumnMapping.from_data(
        {"columns": {"title": "Libellé"}, "years": {"2013": "CA 2013", " 2014": "CA 2014 "}}, FIELDS, wide=True
    )
    row = {"Libellé": "Voirie", " ca 2013": "1 200,00", "CA 2014": "-"}
    assert mapping.apply(row) == {"title": "Voirie"}
    assert mapping.per_year(row) == [(2013, "1 200,00"), (2014, "-")]
    assert mapping.missing_columns(["Libellé", "CA 2013"]) == ["CA 2014"]
    assert ColumnMapping.from_data(mapping.as_data(), FIELDS, wide=True) == mapping


@pytest.mark.parametrize(
    "years, message",
    [({"13": "CA 2013"}, "four digits"), ({"2013": ""}, "four digits"), (["2013"], "four digits")],
)
def test_a_wrong_years_table_says_what_is_wrong(years, message):
    with pytest.raises(MappingError, match=message):
        ColumnMapping.from_data({"years": years}, FIELDS, wide=True)


def test_an_import_without_years_refuses_them():
    with pytest.raises(MappingError, match="“columns” and “values”, and nothing else"):
        ColumnMapping.from_data({"years": {"2013": "CA 2013"}}, FIELDS)
