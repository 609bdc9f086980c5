"""Tables harvested from an address, an upload or a watched folder, through the decision and spending imports."""

import io
import os
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cms.models import DecisionPage
from harvesters.kinds import KINDS
from harvesters.kinds.base import ObjectFailure, SourceFailure
from harvesters.models import HarvestObject, HarvestSource
from opendata.spending.models import Payment
from tests.cms.builders import council

from .servers import Reply

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "table"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FRENCH_MAPPING = {
    "columns": {"date": "Date", "supplier": "Bénéficiaire", "amount": "Montant", "purpose": "Objet"},
}
KIND = KINDS["table"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def harvest_root(settings, tmp_path):
    """The harvest folder of the body `commune` (each body watches folders below its own)."""
    root = tmp_path / "harvest"
    settings.HARVEST_FOLDERS_ROOT = str(root)
    (root / "commune-test").mkdir(parents=True)
    return root / "commune-test"


def source_of(body, **fields) -> HarvestSource:
    fields.setdefault("slug", "table")
    fields.setdefault("name", "Finance exports")
    return HarvestSource._default_manager.create(kind="table", body=body, **fields)


def harvest(source: HarvestSource) -> list:
    """Gather, fetch and import every object of `source` with the kind's own methods (what the runner does)."""
    results = []
    for item in KIND.gather(source, ""):
        obj, _created = HarvestObject.objects.get_or_create(
            source=source, remote_id=item.remote_id, defaults={"guid": item.guid}
        )
        content = item.content if item.content is not None else KIND.fetch(source, item)
        results.append(KIND.import_object(source, obj, content))
        obj.content_hash = "imported"
        obj.save()
    return results


@pytest.mark.django_db
class TableTestCase:
    def test_it_imports_arabic_payments_at_an_address_and_again_changes_nothing(self, serve, commune):
        server = serve({"/payments.csv": Reply((FIXTURES / "payments-ar.csv").read_bytes(), content_type="text/csv")})
        source = source_of(commune, url=f"{server.url}/payments.csv", target="payments")
        KIND.check(source)
        [first] = harvest(source)
        assert (first.outcome, first.created, first.errors) == ("created", 3, [])
        payment = Payment.objects.get(reference="P-2025-002")
        assert (payment.supplier.name, payment.amount) == ("مؤسسة النور للإنارة", Decimal("48300.00"))
        [again] = harvest(source)
        assert (again.outcome, again.created, again.unchanged) == ("unchanged", 0, 3)

    def test_it_imports_an_xlsx_through_the_mapping_and_an_ods_in_our_columns(self, serve, commune):
        server = serve(
            {
                "/paiements.xlsx": Reply((FIXTURES / "payments-fr.xlsx").read_bytes(), content_type=XLSX),
                "/subsidies.ods": Reply((FIXTURES / "subsidies-ar.ods").read_bytes(), content_type="application/zip"),
            }
        )
        payments = source_of(commune, url=f"{server.url}/paiements.xlsx", target="payments", mapping=FRENCH_MAPPING)
        KIND.check(payments)
        assert harvest(payments)[0].created == 2
        assert Payment.objects.get(supplier__name="SARL Bâtir").amount == Decimal("320000.50")
        subsidies = source_of(commune, slug="subsidies", url=f"{server.url}/subsidies.ods", target="subsidies")
        assert harvest(subsidies)[0].created == 2
        assert Payment.objects.get(supplier__name="نادي الشباب").amount == Decimal("35000.25")

    def test_a_windows_1256_file_and_a_workbook_of_decisions_land_in_the_bodys_council(self, harvest_root, commune):
        council(commune, slug="apc")
        folder = harvest_root / "apc" / "decisions"
        folder.mkdir(parents=True)
        shutil.copy(FIXTURES / "decisions-1256.csv", folder)
        shutil.copy(FIXTURES / "decisions.xlsx", folder / "juin.xlsx")
        (folder / "README.md").write_text("not a table")
        source = source_of(commune, folder="apc/decisions", target="decisions")
        KIND.check(source)
        gathered = list(KIND.gather(source, ""))
        assert [item.remote_id for item in gathered] == ["decisions-1256.csv", "juin.xlsx"]
        assert gathered[0].guid == "folder:commune-test/apc/decisions/decisions-1256.csv"
        results = harvest(source)
        assert [(result.created, result.errors) for result in results] == [(2, []), (1, [])]
        assert DecisionPage.objects.get(reference="2025/031").title == "المصادقة على ميزانية التسيير"
        assert DecisionPage.objects.get(reference="2025/051").live

    def test_a_bad_row_is_reported_with_its_line_and_the_others_are_imported(self, commune):
        text = (FIXTURES / "payments-ar.csv").read_text(encoding="utf-8").replace("15000", "-15000")
        upload = SimpleUploadedFile("paiements.csv", text.encode())
        [result] = harvest(source_of(commune, upload=upload, target="payments"))
        assert result.created == 2
        [error] = result.errors
        assert (error.row, error.reference) == (4, "P-2025-003") and "negative" in error.message

    def test_an_uploaded_file_is_harvested_as_one_object(self, commune):
        upload = SimpleUploadedFile("paiements.csv", (FIXTURES / "payments-ar.csv").read_bytes())
        source = source_of(commune, upload=upload, target="payments")
        [item] = KIND.gather(source, "")
        assert item.remote_id.startswith("paiements") and item.guid.startswith("upload:commune-test/")
        assert harvest(source)[0].created == 3

    def test_a_mapping_naming_a_missing_column_fails_the_file_and_writes_nothing(self, serve, commune):
        server = serve({"/paiements.xlsx": Reply((FIXTURES / "payments-fr.xlsx").read_bytes(), content_type=XLSX)})
        mapping = {"columns": {**FRENCH_MAPPING["columns"], "supplier": "Fournisseur"}}
        source = source_of(commune, url=f"{server.url}/paiements.xlsx", target="payments", mapping=mapping)
        KIND.check(source)  # well-formed: whether the file has the column is known once it is read
        with pytest.raises(ObjectFailure, match="'Fournisseur'"):
            harvest(source)
        assert not Payment.objects.exists()

    def test_a_malformed_csv_is_a_clear_error_and_keeps_what_was_published(self, harvest_root, commune):
        council(commune, slug="apc")
        (harvest_root / "apc").mkdir()
        shutil.copy(FIXTURES / "decisions-1256.csv", harvest_root / "apc" / "a.csv")
        source = source_of(commune, folder="apc", target="decisions")
        harvest(source)
        shutil.copy(FIXTURES / "malformed.csv", harvest_root / "apc" / "a.csv")
        with pytest.raises(ObjectFailure, match="a.csv: .*not valid CSV|a.csv: Line 3"):
            harvest(source)
        assert DecisionPage.objects.live().count() == 2

    def test_it_checks_the_place_the_mapping_and_drafts(self, harvest_root, commune):
        with pytest.raises(ValidationError, match="one of an address"):
            KIND.check(source_of(commune, target="payments"))
        for folder in ("/etc", "../outside", "a/../../b"):
            with pytest.raises(ValidationError) as error:
                KIND.check(source_of(commune, slug=f"f{len(folder)}", folder=folder, target="payments"))
            assert "folder" in error.value.message_dict
        bad_mapping = source_of(commune, slug="m", url="https://example.org/a.csv", target="payments")
        bad_mapping.mapping = {"columns": {"montant": "Montant"}}
        with pytest.raises(ValidationError, match="Unknown fields in the mapping: montant"):
            KIND.check(bad_mapping)
        drafts = source_of(commune, slug="d", url="https://example.org/a.csv", target="subsidies", publish=False)
        with pytest.raises(ValidationError) as error:
            KIND.check(drafts)
        assert "publish" in error.value.message_dict
        no_council = source_of(commune, slug="c", url="https://example.org/a.csv", target="decisions")
        with pytest.raises(ValidationError, match="no council page"):
            KIND.check(no_council)

    def test_links_leaving_the_harvest_folder_are_refused(self, harvest_root, tmp_path, commune):
        outside = tmp_path / "secret"
        outside.mkdir()
        (outside / "passwords.csv").write_text("date,supplier,amount\n2025-01-01,x,1\n")
        (harvest_root / "apc").mkdir()
        os.symlink(outside, harvest_root / "escape")
        os.symlink(outside / "passwords.csv", harvest_root / "apc" / "linked.csv")
        with pytest.raises(ValidationError):
            KIND.check(source_of(commune, folder="escape", target="payments"))
        source = source_of(commune, slug="apc", folder="apc", target="payments")
        [item] = KIND.gather(source, "")
        with pytest.raises(ObjectFailure, match="outside the portal's harvest folder"):
            KIND.fetch(source, item)
        missing = source_of(commune, slug="missing", folder="nowhere", target="payments")
        with pytest.raises(SourceFailure, match="does not exist"):
            list(KIND.gather(missing, ""))

    def test_a_vanished_file_withdraws_nothing(self, harvest_root, commune):
        (harvest_root / "apc").mkdir()
        shutil.copy(FIXTURES / "payments-ar.csv", harvest_root / "apc")
        source = source_of(commune, folder="apc", target="payments")
        harvest(source)
        KIND.withdraw(source, HarvestObject.objects.get(source=source))
        assert Payment.objects.count() == 3


@pytest.mark.django_db
class TableHarvestTestCase:
    def test_a_watched_folder_is_harvested_then_an_unchanged_file_is_not_even_read(self, harvest_root, commune):
        from harvesters.models import HarvestJob
        from harvesters.runner import run_harvest

        (harvest_root / "finance").mkdir()
        shutil.copy(FIXTURES / "payments-ar.csv", harvest_root / "finance" / "janvier.csv")
        (harvest_root / "finance" / "fevrier.csv").write_text("date,supplier\n2025-02-01,x\n", encoding="utf-8")
        source = source_of(commune, folder="finance", target="payments")
        job = run_harvest(source)
        assert (job.status, job.created, job.failed) == (HarvestJob.Status.FINISHED, 1, 1)
        [error] = job.errors.all()
        assert (error.remote_id, error.stage) == ("fevrier.csv", "import")
        assert "no amount column" in error.message
        assert Payment.objects.count() == 3
        second = run_harvest(source)
        assert (second.created, second.updated, second.unchanged, second.fetched) == (0, 0, 1, 1)
        assert Payment.objects.count() == 3


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_bomb(name: str, size: int = 64 * 1024**2, **others: bytes) -> bytes:
    """A real zip whose one member unpacks to `size` bytes of zeros, a thousand times its compressed size (the
    ratio gives a bomb away before its size does)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for other, content in others.items():
            archive.writestr(other, content)
        with archive.open(name, "w") as member:
            chunk = bytes(1024**2)
            for _ in range(size // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


@pytest.mark.django_db
class ArchiveTestCase:
    def test_a_zip_of_tables_is_imported_table_by_table(self, serve, commune):
        payments = (FIXTURES / "payments-ar.csv").read_bytes()
        more = payments.decode().replace("P-2025-00", "Q-2025-00").encode()
        archive = zip_of({"2025/janvier.csv": payments, "2025/fevrier.csv": more, "LISEZMOI.txt": b"exports"})
        server = serve({"/paiements.zip": Reply(archive, content_type="application/zip")})
        source = source_of(commune, url=f"{server.url}/paiements.zip", target="payments")
        [result] = harvest(source)
        assert (result.outcome, result.created, result.errors) == ("created", 6, [])
        assert Payment.objects.filter(body=commune).count() == 6

    def test_a_zip_bomb_fails_its_object_and_writes_nothing(self, serve, commune):
        server = serve({"/paiements.zip": Reply(zip_bomb("paiements.csv"), content_type="application/zip")})
        source = source_of(commune, url=f"{server.url}/paiements.zip", target="payments")
        with pytest.raises(ObjectFailure, match="paiements.zip|archive"):
            harvest(source)
        assert not Payment.objects.exists()

    def test_a_workbook_that_is_a_zip_bomb_is_refused_by_the_spreadsheet_reader(self, serve, commune):
        bomb = zip_bomb("xl/worksheets/sheet1.xml", **{"[Content_Types].xml": b"<Types/>"})
        server = serve({"/paiements.xlsx": Reply(bomb, content_type=XLSX)})
        source = source_of(commune, url=f"{server.url}/paiements.xlsx", target="payments")
        with pytest.raises(ObjectFailure, match="MB|compressed"):
            harvest(source)
        assert not Payment.objects.exists()
