"""The DataStore answers CKAN-style queries on a resource's rows, on PostgreSQL and SQLite alike."""

import pandas as pd
import psycopg
import pytest
from django.db import DataError as DjangoDataError
from django.db import connection

from opendata import datastore
from opendata.models import ResourceVersion
from tests.opendata.factories import ResourceFactory, add_file, loaded_resource

SCHEMA = [
    {"name": "البلدية", "type": "string"},
    {"name": "المبلغ", "type": "number"},
    {"name": "السنة", "type": "integer"},
    {"name": "التاريخ", "type": "date"},
    {"name": "مدفوع", "type": "boolean"},
]
ROWS = [
    {"البلدية": "البليدة", "المبلغ": "1234.56", "السنة": "2024", "التاريخ": "2024-01-15", "مدفوع": "true"},
    {"البلدية": "بوفاريك", "المبلغ": "987.5", "السنة": "2023", "التاريخ": "2023-06-01", "مدفوع": "false"},
    {"البلدية": "البليدة", "المبلغ": "0.10", "السنة": "2023", "التاريخ": "2023-02-01", "مدفوع": "true"},
    {"البلدية": "Ouled Yaïch 100%_sûr", "المبلغ": None, "السنة": "2022", "التاريخ": None, "مدفوع": None},
]


@pytest.fixture
def resource(db):
    return loaded_resource(ROWS, SCHEMA)


@pytest.mark.django_db
class SearchTestCase:
    def test_it_returns_typed_fields_exact_amounts_and_the_total(self, resource):
        result = datastore.search(resource)
        assert [(field["id"], field["type"]) for field in result["fields"]] == [
            ("_id", "int"),
            ("البلدية", "text"),
            ("المبلغ", "numeric"),
            ("السنة", "int8"),
            ("التاريخ", "date"),
            ("مدفوع", "bool"),
        ]
        assert result["total"] == 4
        assert result["records"][0] == {
            "_id": 1,
            "البلدية": "البليدة",
            "المبلغ": "1234.56",
            "السنة": 2024,
            "التاريخ": "2024-01-15",
            "مدفوع": True,
        }
        assert result["records"][3]["المبلغ"] is None

    def test_it_filters_by_value_and_list_of_values(self, resource):
        assert datastore.search(resource, filters={"البلدية": "البليدة"})["total"] == 2
        assert datastore.search(resource, filters={"السنة": ["2022", "2024"]})["total"] == 2
        assert datastore.search(resource, filters={"المبلغ": "0.1"})["records"][0]["_id"] == 3
        assert datastore.search(resource, filters={"مدفوع": "false"})["records"][0]["_id"] == 2
        assert datastore.search(resource, filters={"التاريخ": "2023-06-01"})["total"] == 1

    def test_it_sorts_numbers_as_numbers_with_empty_values_last(self, resource):
        ids = [record["_id"] for record in datastore.search(resource, sort="المبلغ desc")["records"]]
        assert ids == [1, 2, 3, 4]
        ids = [record["_id"] for record in datastore.search(resource, sort="المبلغ asc")["records"]]
        assert ids == [3, 2, 1, 4]
        ids = [record["_id"] for record in datastore.search(resource, sort='"السنة" asc, _id desc')["records"]]
        assert ids == [4, 3, 2, 1]

    def test_it_searches_words_in_every_field_or_in_one(self, resource):
        assert datastore.search(resource, q="بوفاريك")["total"] == 1
        assert datastore.search(resource, q="1234")["total"] == 1
        assert datastore.search(resource, q={"البلدية": "البليدة"})["total"] == 2
        # LIKE's wildcards are searched as text.
        assert datastore.search(resource, q="100%_")["total"] == 1
        assert datastore.search(resource, q="%")["total"] == 1

    def test_it_returns_the_fields_asked_for(self, resource):
        result = datastore.search(resource, fields=["المبلغ"], limit=1)
        assert result["records"] == [{"_id": 1, "المبلغ": "1234.56"}]

    def test_it_pages_with_limit_and_offset(self, resource):
        result = datastore.search(resource, limit=2, offset=1)
        assert [record["_id"] for record in result["records"]] == [2, 3]
        assert result["total"] == 4
        assert datastore.search(resource, limit=10**9)["limit"] == datastore.MAX_LIMIT
        assert datastore.search(resource, limit=-5, offset=-3)["records"] == []

    @pytest.mark.parametrize(
        "query",
        [
            {"fields": ["nope"]},
            {"filters": {"nope": "1"}},
            {"sort": "nope desc"},
            {"q": {"nope": "x"}},
            {"fields": ["c0; DROP TABLE opendata_resource; --"]},
            {"sort": "c0"},
            {"sort": "البلدية; DROP TABLE opendata_resource"},
            {"filters": {"1=1) OR (1": "x"}},
        ],
    )
    def test_it_refuses_unknown_field_names_even_column_names(self, resource, query):
        with pytest.raises(datastore.DatastoreError):
            datastore.search(resource, **query)

    @pytest.mark.parametrize(
        ("field", "value"),
        [("السنة", "2024 OR 1=1"), ("المبلغ", "1; DROP TABLE x"), ("التاريخ", "yesterday"), ("مدفوع", "maybe")],
    )
    def test_it_refuses_a_filter_value_of_the_wrong_type(self, resource, field, value):
        with pytest.raises(datastore.DatastoreError):
            datastore.search(resource, filters={field: value})

    def test_injection_looking_values_are_only_compared(self, resource):
        assert datastore.search(resource, filters={"البلدية": "x' OR '1'='1"})["total"] == 0
        assert datastore.search(resource, q="'); DROP TABLE opendata_resource; --")["total"] == 0
        assert datastore.search(resource)["total"] == 4

    def test_a_resource_without_rows_is_an_error(self, db):
        with pytest.raises(datastore.DatastoreError):
            datastore.search(ResourceFactory())


@pytest.mark.django_db
class ReadingTestCase:
    def test_iter_rows_reads_every_row_in_batches(self, db):
        resource = loaded_resource([{"n": str(n)} for n in range(25)], [{"name": "n", "type": "integer"}])
        assert [row[0] for row in datastore.iter_rows(resource, batch_size=7)] == list(range(25))

    def test_iter_rows_follows_a_query(self, resource):
        query = datastore.build_query(resource, filters={"البلدية": "البليدة"}, fields=["المبلغ"], sort="المبلغ asc")
        assert list(datastore.iter_rows(resource, query=query, batch_size=1)) == [("0.10",), ("1234.56",)]

    def test_aggregate_sums_a_number_per_value(self, resource):
        assert datastore.aggregate(resource, "البلدية", "المبلغ")[0][0] == "البليدة"
        counts = dict(datastore.aggregate(resource, "السنة"))
        assert counts == {2023: 2, 2024: 1, 2022: 1}

    def test_aggregate_refuses_unknown_or_text_fields(self, resource):
        with pytest.raises(datastore.DatastoreError):
            datastore.aggregate(resource, "nope")
        with pytest.raises(datastore.DatastoreError):
            datastore.aggregate(resource, "السنة", "البلدية")

    def test_write_csv_rows_quotes_what_needs_it(self):
        text = "".join(datastore.write_csv_rows([("a,b", 'say "hi"'), ("=1+1", None)], ["x", "y"]))
        assert text == 'x,y\r\na,b","say ""hi"""\r\n=1+1,\r\n'.replace('a,b"', '"a,b"')


@pytest.mark.django_db
class LoadTestCase:
    def test_a_failed_load_keeps_the_previous_rows(self, resource):
        fields = datastore.fields_of(resource)
        version = add_file(resource, b"x", status=ResourceVersion.Status.LOADING)

        def chunks():
            yield pd.DataFrame([["a", "1", "2024", "2024-01-01", "true"]], dtype=object)
            raise RuntimeError("the file broke half-way")

        with pytest.raises(RuntimeError):
            datastore.load(resource, version, fields, chunks())
        resource.refresh_from_db()
        assert datastore.search(resource)["total"] == 4

    def test_a_value_the_column_refuses_keeps_the_previous_rows(self, resource):
        if connection.vendor != "postgresql":
            pytest.skip("SQLite columns take any text: ingestion checks every cell before it loads")
        fields = datastore.fields_of(resource)
        version = add_file(resource, b"x", status=ResourceVersion.Status.LOADING)
        frame = pd.DataFrame([["a", "1", "not a year", "2024-01-01", "true"]], dtype=object)
        with pytest.raises((DjangoDataError, psycopg.DataError)):
            datastore.load(resource, version, fields, [frame])
        resource.refresh_from_db()
        assert datastore.search(resource)["total"] == 4

    def test_an_older_version_does_not_replace_a_newer_ones_rows(self, resource):
        fields = datastore.fields_of(resource)
        older = resource.datastore_version
        newer = add_file(resource, b"x")
        frame = pd.DataFrame([["b", "2", "2025", "2025-01-01", "false"]], dtype=object)
        datastore.load(resource, newer, fields, [frame])
        with pytest.raises(datastore.DatastoreError):
            datastore.load(resource, older, fields, [frame, frame])
        resource.refresh_from_db()
        assert resource.datastore_version == newer
        assert datastore.search(resource)["total"] == 1

    def test_drop_empties_the_datastore(self, resource):
        datastore.drop(resource)
        resource.refresh_from_db()
        assert not resource.datastore_active


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-inf", "1e999999", "12\x005"])
def test_a_number_filter_that_is_no_amount_is_refused(db, value):
    resource = loaded_resource([{"montant": "12.50"}], [{"name": "montant", "type": "number"}])
    with pytest.raises(datastore.DatastoreError):
        datastore.search(resource, filters={"montant": value})


def test_search_words_with_a_nul_character_are_refused(db):
    resource = loaded_resource([{"commune": "البليدة"}])
    with pytest.raises(datastore.DatastoreError):
        datastore.search(resource, q="بليدة\x00")
