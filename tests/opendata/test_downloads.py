"""Downloads of files (every version) and of DataStore rows as CSV, JSON and XLSX: streamed, rate-limited, counted."""

import csv
import io
import json
import threading
from urllib.parse import quote

import pytest
from django.db import connection, connections
from django.http import FileResponse, StreamingHttpResponse
from django.test import Client
from openpyxl import load_workbook

from opendata import downloads
from opendata.models import Dataset, Resource
from tests.opendata.factories import ResourceFactory, add_file, loaded_resource
from tests.ratelimits import rate_limits

SCHEMA = [
    {"name": "البلدية", "type": "string"},
    {"name": "chapitre", "type": "string"},
    {"name": "montant", "type": "number"},
    {"name": "année", "type": "integer"},
    {"name": "date", "type": "date"},
]
ROWS = [
    {
        "البلدية": "البليدة",
        "chapitre": "Fonctionnement",
        "montant": "1250000.50",
        "année": "2025",
        "date": "2025-01-15",
    },
    {"البلدية": "أولاد يعيش", "chapitre": "Équipement", "montant": "-12.5", "année": "2025", "date": "2025-03-01"},
    {
        "البلدية": '=HYPERLINK("http://evil.example")',
        "chapitre": "@SUM(A1)",
        "montant": "0.10",
        "année": "2026",
        "date": "2026-02-28",
    },
    {"البلدية": "-12.5", "chapitre": "+213 25 00 00 00", "montant": "99999999999999.99", "année": "2026", "date": None},
]


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(response).decode("utf-8"))))


@pytest.fixture
def budget(db):
    resource = loaded_resource(ROWS, SCHEMA, name_ar="الميزانية", name_fr="Budget")
    version = resource.current_version
    version.original_name = "ميزانية 2025.csv"
    version.save(update_fields=["original_name"])
    return resource


def rows_url(resource, format="csv", query=""):
    return f"/download/{resource.uuid}/rows.{format}{query}"


def download_count(resource) -> int:
    return Resource.objects.get(pk=resource.pk).download_count


@pytest.mark.django_db
class FileDownloadTestCase:
    def test_it_serves_the_current_file_as_an_attachment_named_as_uploaded(self, client):
        resource = ResourceFactory(dataset__name="budget-2025")
        version = add_file(resource, "البلدية,المبلغ\nالبليدة,12.50\n".encode(), filename="ميزانية 2025.csv")
        response = client.get(f"/download/{resource.uuid}/")
        assert response.status_code == 200
        assert isinstance(response, FileResponse)
        assert body(response) == "البلدية,المبلغ\nالبليدة,12.50\n".encode()
        assert response["Content-Disposition"] == (
            f"attachment; filename=\"budget-2025.csv\"; filename*=UTF-8''{quote('ميزانية 2025.csv', safe='')}"
        )
        assert response["Content-Type"] == "text/csv"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Length"] == str(version.size)
        assert response["ETag"] == f'"{version.sha256}"'
        assert response["Last-Modified"]
        assert download_count(resource) == 1

    def test_it_keeps_an_ascii_name_and_drops_accents_for_old_clients(self, client):
        resource = ResourceFactory()
        add_file(resource, b"a,b\n1,2\n", filename="budget_2025.csv")
        response = client.get(f"/download/{resource.uuid}/")
        assert response["Content-Disposition"] == 'attachment; filename="budget_2025.csv"'
        french = ResourceFactory()
        add_file(french, b"a\n1\n", filename="Équipements publics.csv")
        assert client.get(f"/download/{french.uuid}/")["Content-Disposition"] == (
            "attachment; filename=\"Equipements_publics.csv\"; filename*=UTF-8''%C3%89quipements%20publics.csv"
        )

    def test_it_takes_the_media_type_from_its_own_table(self, client):
        page = ResourceFactory(format="HTML")
        add_file(page, b"<script>alert(1)</script>", filename="page.html", mimetype="text/html")
        response = client.get(f"/download/{page.uuid}/")
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"].startswith("attachment;")

        arabic = ResourceFactory()
        add_file(arabic, "البليدة".encode("cp1256"), filename="naissances.csv", dialect={"encoding": "cp1256"})
        assert client.get(f"/download/{arabic.uuid}/")["Content-Type"] == "text/csv; charset=windows-1256"

        workbook = ResourceFactory(format="XLSX")
        add_file(workbook, b"PK\x03\x04", filename="equipements.xlsx", mimetype="text/plain")
        assert client.get(f"/download/{workbook.uuid}/")["Content-Type"] == downloads.XLSX_MEDIA_TYPE

    def test_it_keeps_earlier_versions_reachable(self, client):
        resource = ResourceFactory()
        add_file(resource, b"year\n2025\n", filename="budget.csv")
        add_file(resource, b"year\n2026\n", filename="budget.csv")
        assert body(client.get(f"/download/{resource.uuid}/")) == b"year\n2026\n"
        assert body(client.get(f"/download/{resource.uuid}/v1/")) == b"year\n2025\n"
        assert body(client.get(f"/download/{resource.uuid}/v2/")) == b"year\n2026\n"
        assert client.get(f"/download/{resource.uuid}/v3/").status_code == 404
        assert download_count(resource) == 3

    def test_it_redirects_to_a_linked_resource(self, client):
        resource = ResourceFactory(url="https://data.example.org/budget.csv")
        response = client.get(f"/download/{resource.uuid}/")
        assert response.status_code == 302
        assert response["Location"] == "https://data.example.org/budget.csv"
        assert download_count(resource) == 1

    def test_it_answers_404_without_a_file(self, client):
        resource = ResourceFactory()
        assert client.get(f"/download/{resource.uuid}/").status_code == 404
        assert client.get(f"/download/{resource.uuid}/v1/").status_code == 404
        assert client.get("/download/00000000-0000-0000-0000-000000000000/").status_code == 404

    def test_it_answers_404_when_the_stored_file_is_gone(self, client):
        resource = ResourceFactory()
        version = add_file(resource, b"a\n1\n")
        version.file.storage.delete(version.file.name)
        assert client.get(f"/download/{resource.uuid}/").status_code == 404

    @pytest.mark.parametrize("status", [Dataset.Status.DRAFT, Dataset.Status.WITHDRAWN])
    def test_it_hides_datasets_that_are_not_published(self, client, status):
        resource = loaded_resource(ROWS, SCHEMA, dataset__status=status)
        for url in (f"/download/{resource.uuid}/", f"/download/{resource.uuid}/v1/", rows_url(resource)):
            assert client.get(url).status_code == 404, url
        linked = ResourceFactory(url="https://data.example.org/x.csv", dataset__status=status)
        assert client.get(f"/download/{linked.uuid}/").status_code == 404
        assert download_count(resource) == 0

    def test_it_answers_not_modified_without_counting(self, client):
        resource = ResourceFactory()
        version = add_file(resource, b"a\n1\n")
        response = client.get(f"/download/{resource.uuid}/", headers={"If-None-Match": f'"{version.sha256}"'})
        assert response.status_code == 304
        assert download_count(resource) == 0

    def test_it_refuses_to_change_anything(self, client):
        resource = ResourceFactory()
        add_file(resource, b"a\n1\n")
        assert client.post(f"/download/{resource.uuid}/").status_code == 405
        assert client.head(f"/download/{resource.uuid}/").status_code == 200
        assert download_count(resource) == 0

    def test_it_streams_a_big_file_block_by_block(self, client):
        resource = ResourceFactory()
        content = b"id,value\n" + b"".join(b"%d,%d.25\n" % (n, n) for n in range(400_000))
        version = add_file(resource, content, filename="big.csv")
        response = client.get(f"/download/{resource.uuid}/")
        assert isinstance(response, FileResponse)
        assert response.streaming
        assert response["Content-Length"] == str(len(content))
        chunks = list(response.streaming_content)
        assert len(chunks) > 100
        assert max(len(chunk) for chunk in chunks) <= response.block_size
        assert b"".join(chunks) == content
        response.close()
        version.file.delete(save=False)


@pytest.mark.django_db
class RowsDownloadTestCase:
    def test_it_streams_the_rows_as_utf8_csv(self, client, budget):
        response = client.get(rows_url(budget))
        assert response.status_code == 200
        assert isinstance(response, StreamingHttpResponse)
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == (
            f"attachment; filename=\"{budget.dataset.name}.csv\"; filename*=UTF-8''{quote('ميزانية 2025.csv')}"
        )
        rows = csv_rows(response)
        assert rows[0] == ["البلدية", "chapitre", "montant", "année", "date"]
        assert rows[1] == ["البليدة", "Fonctionnement", "1250000.50", "2025", "2025-01-15"]
        assert rows[4][2] == "99999999999999.99"
        assert len(rows) == 5
        assert download_count(budget) == 1

    def test_it_adds_a_byte_order_mark_for_excel_on_request(self, client, budget):
        assert not body(client.get(rows_url(budget))).startswith(b"\xef\xbb\xbf")
        content = body(client.get(rows_url(budget, query="?bom=1")))
        assert content.startswith("\ufeffالبلدية,".encode())

    def test_it_neutralises_formulas_in_text_but_not_numbers(self, client, budget):
        rows = csv_rows(client.get(rows_url(budget)))
        assert rows[3][:3] == ['\'=HYPERLINK("http://evil.example")', "'@SUM(A1)", "0.10"]
        assert rows[4][:2] == ["-12.5", "'+213 25 00 00 00"]
        assert rows[2][2] == "-12.5"

    def test_it_filters_and_sorts_like_the_preview(self, client, budget):
        by_year = csv_rows(client.get(rows_url(budget, query="?filter_année=2026&sort=montant desc")))
        assert [row[2] for row in by_year[1:]] == ["99999999999999.99", "0.10"]
        preview = csv_rows(client.get(rows_url(budget, query="?filter.année=2026&sort=montant desc")))
        assert preview == by_year
        as_json = csv_rows(client.get(rows_url(budget, query="?" + "filters=" + quote('{"chapitre": "Équipement"}'))))
        assert [row[0] for row in as_json[1:]] == ["أولاد يعيش"]
        several = csv_rows(client.get(rows_url(budget, query="?filter_année=2025&filter_année=2026&sort=montant")))
        assert [row[2] for row in several[1:]] == ["-12.5", "0.10", "1250000.50", "99999999999999.99"]
        searched = csv_rows(client.get(rows_url(budget, query="?q=" + quote("يعيش"))))
        assert [row[0] for row in searched[1:]] == ["أولاد يعيش"]
        some_fields = csv_rows(client.get(rows_url(budget, query="?fields=montant,chapitre&filter_année=2025")))
        assert some_fields == [["montant", "chapitre"], ["1250000.50", "Fonctionnement"], ["-12.5", "Équipement"]]

    @pytest.mark.parametrize(
        "query, message",
        [
            ("?filter_nope=1", 'filter field "nope" not in'),
            ("?filter_montant=beaucoup", '"beaucoup" is not a valid number for field "montant"'),
            ("?filters=" + quote("{not json"), "filters must be a JSON object"),
            ("?filters=" + quote('["a"]'), "filters must be a JSON object"),
            ("?filters=" + quote('{"montant": {"gt": 1}}'), 'filter "montant" must be a value'),
            ("?sort=nope desc", 'sort field "nope" not in'),
            ("?fields=nope", 'field "nope" not in'),
        ],
    )
    def test_it_refuses_a_bad_query_with_a_clear_message(self, client, budget, query, message):
        for format in downloads.ROW_FORMATS:
            response = client.get(rows_url(budget, format, query))
            assert response.status_code == 400
            assert response["Content-Type"] == "text/plain; charset=utf-8"
            assert message in response.content.decode()
        assert download_count(budget) == 0

    def test_it_writes_one_json_document_with_exact_decimals(self, client, budget):
        response = client.get(rows_url(budget, "json", "?sort=montant"))
        assert response.status_code == 200
        assert response.streaming
        assert response["Content-Type"] == "application/json"
        document = json.loads(body(response))
        assert document["fields"] == [
            {"id": "البلدية", "type": "text"},
            {"id": "chapitre", "type": "text"},
            {"id": "montant", "type": "numeric"},
            {"id": "année", "type": "int8"},
            {"id": "date", "type": "date"},
        ]
        assert document["records"][0] == {
            "البلدية": "أولاد يعيش",
            "chapitre": "Équipement",
            "montant": "-12.5",
            "année": 2025,
            "date": "2025-03-01",
        }
        assert [record["montant"] for record in document["records"]] == [
            "-12.5",
            "0.10",
            "1250000.50",
            "99999999999999.99",
        ]
        assert document["records"][1]["البلدية"] == '=HYPERLINK("http://evil.example")'  # JSON is data, not a sheet
        assert document["records"][3]["date"] is None

    def test_it_writes_an_empty_json_document_when_nothing_matches(self, client, budget):
        document = json.loads(body(client.get(rows_url(budget, "json", "?q=introuvable"))))
        assert document["records"] == []

    def test_it_writes_a_typed_xlsx_workbook(self, client, budget):
        response = client.get(rows_url(budget, "xlsx"))
        assert response.status_code == 200
        assert isinstance(response, FileResponse)
        assert response["Content-Type"] == downloads.XLSX_MEDIA_TYPE
        assert response["Content-Disposition"].endswith(quote("ميزانية 2025.xlsx"))
        content = body(response)
        assert response["Content-Length"] == str(len(content))
        sheet = load_workbook(io.BytesIO(content)).active
        assert sheet.title == "الميزانية"
        values = [[cell.value for cell in row] for row in sheet.iter_rows()]
        assert values[0] == ["البلدية", "chapitre", "montant", "année", "date"]
        assert values[1][:4] == ["البليدة", "Fonctionnement", 1250000.5, 2025]
        assert values[1][4].date().isoformat() == "2025-01-15"
        assert values[2][2] == -12.5
        # Text that a spreadsheet would run is a text cell carrying Excel's quote prefix, its value intact.
        formula = sheet["A4"]
        assert (formula.value, formula.data_type, formula.quotePrefix) == (
            '=HYPERLINK("http://evil.example")',
            "s",
            True,
        )
        assert sheet["B4"].quotePrefix
        assert (sheet["A5"].value, sheet["A5"].quotePrefix) == ("-12.5", False)
        assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
        assert download_count(budget) == 1

    def test_it_refuses_more_rows_than_excel_holds_and_points_to_csv(self, client, budget, monkeypatch):
        monkeypatch.setattr(downloads, "XLSX_MAX_ROWS", 3)
        response = client.get(rows_url(budget, "xlsx"))
        assert response.status_code == 422
        assert "CSV" in response.content.decode()
        assert client.get(rows_url(budget, "xlsx", "?filter_année=2025")).status_code == 200

    def test_it_answers_404_for_an_unknown_format_or_a_resource_without_rows(self, client, budget):
        assert client.get(rows_url(budget, "xml")).status_code == 404
        assert client.get(rows_url(budget, "CSV")).status_code == 404
        unloaded = ResourceFactory()
        add_file(unloaded, b"a\n1\n")
        assert client.get(rows_url(unloaded)).status_code == 404

    def test_it_streams_many_rows_in_many_chunks(self, client):
        rows = [{"n": str(n), "label": f"ligne {n}", "amount": f"{n}.05"} for n in range(12_000)]
        schema = [
            {"name": "n", "type": "integer"},
            {"name": "label", "type": "string"},
            {"name": "amount", "type": "number"},
        ]
        resource = loaded_resource(rows, schema)
        response = client.get(rows_url(resource))
        assert isinstance(response, StreamingHttpResponse)
        chunks = list(response.streaming_content)
        assert len(chunks) >= 12  # a chunk per thousand rows: the export is never held whole
        lines = b"".join(chunks).decode().splitlines()
        assert len(lines) == 12_001
        assert lines[-1] == "11999,ligne 11999,11999.05"


@pytest.mark.django_db
class DownloadRateLimitTestCase:
    @rate_limits(download="3/h")  # an hour's window: a minute's could end between two requests
    def test_it_answers_429_with_retry_after_past_the_rate(self, client, budget):
        assert client.get(f"/download/{budget.uuid}/").status_code == 200
        assert client.get(rows_url(budget)).status_code == 200
        assert client.get(f"/download/{budget.uuid}/v1/").status_code == 200
        for url in (rows_url(budget, "json"), f"/download/{budget.uuid}/"):
            response = client.get(url)
            assert response.status_code == 429
            assert int(response["Retry-After"]) > 0
        assert download_count(budget) == 3
        # Another address has its own allowance.
        assert client.get(rows_url(budget), REMOTE_ADDR="192.0.2.7").status_code == 200


@pytest.mark.django_db
class DownloadCountTestCase:
    def test_it_counts_in_the_database_not_from_a_stale_copy(self, budget):
        first, second = Resource.objects.get(pk=budget.pk), Resource.objects.get(pk=budget.pk)
        downloads.count_download(first)
        downloads.count_download(second)
        downloads.count_download(first)
        assert download_count(budget) == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class ConcurrentDownloadCountTestCase:
    @rate_limits(download="1000/m")
    def test_it_counts_every_one_of_concurrent_downloads(self):
        if connection.vendor != "postgresql":
            pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
        resource = ResourceFactory()
        add_file(resource, b"a\n1\n")
        statuses = []

        def download():
            try:
                client = Client()
                for _ in range(5):
                    response = client.get(f"/download/{resource.uuid}/")
                    b"".join(response.streaming_content)
                    statuses.append(response.status_code)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=download) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert statuses == [200] * 40
        assert download_count(resource) == 40
