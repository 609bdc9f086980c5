"""`manage.py import_spending`: prints the report and exits non-zero when nothing could be imported."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from opendata.spending.models import Payment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def run(*args, **options) -> tuple[str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import_spending", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_it_prints_the_report_with_rejected_rows(tmp_path, commune):
    path = tmp_path / "payments.csv"
    path.write_text("date;supplier;amount\n31/12/2024;Alpha;10,00\n31/12/2024;Beta;dix\n", "cp1252")
    out, err = run(str(path), body=commune.slug, kind="payments", currency="eur")
    assert "rows read: 2" in out and "1 created, 0 updated, 0 unchanged, 1 failed" in out
    assert "rejected: row 3 (Beta): “dix” is not an amount" in err
    assert Payment.objects.get().currency == "EUR"


def test_it_exits_non_zero_when_nothing_could_be_imported(tmp_path, commune):
    path = tmp_path / "payments.csv"
    path.write_text("date;supplier;amount\n31/12/2024;Beta;dix\n", "utf-8")
    with pytest.raises(CommandError, match="No row could be imported"):
        run(str(path), body=commune.slug, kind="payments")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"columns": {"amount": "Somme"}}), "utf-8")
    with pytest.raises(CommandError, match="'Somme'.*Nothing was imported"):
        run(str(path), body=commune.slug, kind="payments", mapping=str(mapping))
    with pytest.raises(CommandError, match="No public body"):
        run(str(path), body="nowhere", kind="payments")
    assert not Payment.objects.exists()
