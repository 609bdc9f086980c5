"""The whole catalogue's metadata in one file: /catalog/datasets.csv and /catalog/datasets.jsonl, streamed."""

import csv
import datetime
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opendata import exports
from opendata.models import Dataset
from tests.opendata.factories import DatasetFactory, ResourceFactory
from tests.ratelimits import rate_limits

SITE = "http://testserver"


def content(response) -> str:
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content(response).removeprefix("\ufeff"))))


def jsonl_records(response) -> list[dict]:
    return [json.loads(line) for line in content(response).splitlines()]


@pytest.fixture
def catalogue(commune):
    budget = DatasetFactory(
        name="budget",
        body=commune,
        title_ar="الميزانية",
        title_fr="Budget",
        title_en="Budget",
        themes=["economy"],
        tags=["finances", "ميزانية"],
        temporal_start=datetime.date(2024, 1, 1),
        temporal_end=datetime.date(2024, 12, 31),
    )
    ResourceFactory(dataset=budget, format="csv")
    ResourceFactory(dataset=budget, format="xlsx")
    ResourceFactory(dataset=budget, format="CSV")
    DatasetFactory(name="draft", body=commune, status=Dataset.Status.DRAFT)
    DatasetFactory(name="withdrawn", body=commune, status=Dataset.Status.WITHDRAWN)
    return {"budget": budget}


@pytest.mark.django_db
class CatalogueExportTestCase:
    def test_it_streams_one_csv_line_per_published_dataset(self, client, catalogue):
        response = client.get("/catalog/datasets.csv")
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="datasets.csv"'
        rows = csv_rows(response)
        assert [row["name"] for row in rows] == ["budget"]
        row = rows[0]
        assert row["title_ar"] == "الميزانية"
        assert row["title_fr"] == "Budget"
        assert row["body"] == "commune-test"
        assert row["body_name"] == "بلدية الاختبار"
        assert row["licence"] == "cc-by-4.0"
        assert row["themes"] == "ECON"
        assert row["tags"] == "finances; ميزانية"
        assert row["frequency"] == "ANNUAL"
        assert (row["temporal_start"], row["temporal_end"]) == ("2024-01-01", "2024-12-31")
        assert row["resources"] == "3"
        assert row["formats"] == "CSV; XLSX"
        assert row["landing_page"] == f"{SITE}/ar/data/budget/"
        assert datetime.datetime.fromisoformat(row["modified"]).tzinfo is not None

    def test_the_csv_has_its_header_when_the_catalogue_is_empty(self, client, db):
        text = content(client.get("/catalog/datasets.csv"))
        assert text.splitlines() == [",".join(exports.COLUMNS)]

    def test_the_csv_starts_with_a_bom_when_asked(self, client, catalogue):
        assert not content(client.get("/catalog/datasets.csv")).startswith("\ufeff")
        response = client.get("/catalog/datasets.csv", {"bom": "1"})
        text = content(response)
        assert text.startswith("\ufeffid,name,")
        assert text.count("\ufeff") == 1

    def test_it_streams_json_lines(self, client, catalogue):
        response = client.get("/catalog/datasets.jsonl")
        assert response["Content-Type"].startswith("application/jsonl")
        assert response["Content-Disposition"] == 'attachment; filename="datasets.jsonl"'
        records = jsonl_records(response)
        assert len(records) == 1
        record = records[0]
        assert record["id"] == str(catalogue["budget"].uuid)
        assert record["themes"] == ["ECON"]
        assert record["tags"] == ["finances", "ميزانية"]
        assert record["formats"] == ["CSV", "XLSX"]
        assert record["resources"] == 3
        assert record["licence_open"] is True
        assert list(record) == exports.COLUMNS

    def test_it_reads_the_datasets_in_batches(self, client, commune, monkeypatch):
        monkeypatch.setattr(exports, "BATCH_SIZE", 2)
        names = sorted(DatasetFactory(body=commune).name for _index in range(5))
        response = client.get("/catalog/datasets.jsonl")
        with CaptureQueriesContext(connection) as context:
            chunks = list(response.streaming_content)
        assert len(chunks) >= 3
        # Three batches (2 + 2 + 1), each its query of datasets.
        assert sum('FROM "opendata_dataset"' in query["sql"] for query in context.captured_queries) == 3
        assert sorted(json.loads(line)["name"] for line in b"".join(chunks).decode().splitlines()) == names

    def test_its_queries_grow_with_batches_not_datasets(self, client, commune):
        def queries(format: str) -> int:
            with CaptureQueriesContext(connection) as context:
                content(client.get(f"/catalog/datasets.{format}"))
            return len(context)

        DatasetFactory(body=commune, themes=["economy"], tags=["x"])
        few = {format: queries(format) for format in ("csv", "jsonl")}
        for _index in range(8):
            ResourceFactory(dataset=DatasetFactory(body=commune, themes=["economy"], tags=["x", "y"]))
        assert {format: queries(format) for format in ("csv", "jsonl")} == few

    def test_formula_like_titles_cannot_run_in_a_spreadsheet(self, client, commune):
        DatasetFactory(name="formula", body=commune, title_fr='=HYPERLINK("http://evil.example","x")')
        assert csv_rows(client.get("/catalog/datasets.csv"))[0]["title_fr"] == '\'=HYPERLINK("http://evil.example","x")'
        # JSON is not a spreadsheet: the value stays as it is.
        assert jsonl_records(client.get("/catalog/datasets.jsonl"))[0]["title_fr"].startswith("=HYPERLINK")

    def test_odd_characters_stay_one_value(self, client, commune):
        title = 'Ligne 1\nLigne 2, "guillemets"; <script>alert(1)</script>'
        DatasetFactory(name="odd", body=commune, title_fr=title)
        assert csv_rows(client.get("/catalog/datasets.csv"))[0]["title_fr"] == title
        assert jsonl_records(client.get("/catalog/datasets.jsonl"))[0]["title_fr"] == title

    def test_it_answers_404_for_another_format(self, client, db):
        assert client.get("/catalog/datasets.xml").status_code == 404

    @rate_limits(api="1/h")
    def test_it_is_rate_limited(self, client, catalogue):
        content(client.get("/catalog/datasets.csv"))
        response = client.get("/catalog/datasets.jsonl")
        assert response.status_code == 429
        assert response["Retry-After"]
