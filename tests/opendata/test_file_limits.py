"""Files that would exhaust the server once read are refused before the work, and never become the download."""

import io
import re
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook

from opendata.models import ResourceVersion
from tests.opendata.factories import ResourceFactory
from tests.opendata.test_ingest_bad_files import upload, workbook_bytes

Status = ResourceVersion.Status
GOOD_CSV = b"commune;montant\nBlida;1200\nBoufarik;800\n"


def xlsx_bomb(megabytes: int = 20) -> bytes:
    """A workbook whose sheet inflates from a few kilobytes to `megabytes` (a ZIP bomb's shape)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", " " * (megabytes * 2**20))
    return buffer.getvalue()


def declaring(content: bytes, dimension: str) -> bytes:
    """Return the workbook `content` with its first sheet declaring `dimension` (e.g. A1:XFD400)."""
    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>'.encode(), data)
            archive.writestr(member, data)
    return target.getvalue()


@pytest.fixture(autouse=True)
def in_french():
    """The refusals are in the language active where the file is read: French here."""
    with translation.override("fr"):
        yield


@pytest.mark.django_db
class FileLimitsTestCase:
    def test_it_refuses_a_zip_bomb_before_inflating_it(self, django_capture_on_commit_callbacks):
        resource = ResourceFactory()
        version = upload(resource, xlsx_bomb(), "budget.xlsx", django_capture_on_commit_callbacks)
        assert version.status == Status.INVALID
        assert version.error.startswith("Le fichier est compressé ")
        assert version.error.endswith(" fois, plus qu’un vrai document ne l’est : il est refusé.")
        assert resource.current_version is None

    def test_it_reads_the_cells_a_workbook_holds_not_the_dimension_it_declares(
        self, django_capture_on_commit_callbacks
    ):
        workbook = Workbook()
        workbook.active.append(["commune", "montant"])
        workbook.active.append(["Blida", 1200])
        content = declaring(workbook_bytes(workbook), "A1:XFD400")
        resource = ResourceFactory()
        version = upload(resource, content, "budget.xlsx", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        assert version.rows_loaded == 1
        assert [field["name"] for field in version.table_schema["fields"]] == ["commune", "montant"]

    def test_it_refuses_a_workbook_with_too_many_columns(self, django_capture_on_commit_callbacks, settings):
        settings.FILES_MAX_COLUMNS = 50
        workbook = Workbook()
        workbook.active.append([f"c{number}" for number in range(60)])
        workbook.active.append(list(range(60)))
        version = upload(ResourceFactory(), workbook_bytes(workbook), "wide.xlsx", django_capture_on_commit_callbacks)
        assert version.status == Status.INVALID
        assert version.error == "Le tableau a 60 colonnes ; 50 au plus sont lues."

    def test_it_refuses_a_workbook_with_too_many_cells(self, django_capture_on_commit_callbacks, settings):
        settings.FILES_MAX_CELLS = 100
        workbook = Workbook()
        for row in range(30):
            workbook.active.append([row, row, row, row])
        version = upload(ResourceFactory(), workbook_bytes(workbook), "long.xlsx", django_capture_on_commit_callbacks)
        assert version.status == Status.INVALID
        assert version.error == (
            "Le tableau a plus de 100 cellules (lignes × colonnes) ; découpez-le en fichiers plus petits."
        )

    def test_it_refuses_a_csv_with_a_hundred_thousand_columns(self, django_capture_on_commit_callbacks):
        header = ",".join(f"c{number}" for number in range(100_000))
        content = f"{header}\n{','.join('1' * 100_000)}\n".encode()
        version = upload(ResourceFactory(), content, "wide.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.INVALID
        assert version.error == "Le tableau a 100000 colonnes ; 1000 au plus sont lues."

    def test_it_keeps_the_last_good_file_as_the_download(self, client, django_capture_on_commit_callbacks):
        resource = ResourceFactory()
        good = upload(resource, GOOD_CSV, "budget.csv", django_capture_on_commit_callbacks)
        assert good.status == Status.LOADED
        assert resource.current_version == good

        refused = upload(resource, xlsx_bomb(), "budget.xlsx", django_capture_on_commit_callbacks)
        assert refused.status == Status.INVALID
        resource.refresh_from_db()
        assert resource.current_version == good
        response = client.get(f"/download/{resource.uuid}/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == GOOD_CSV
