"""portal.importing: a record is written only when a value differs, so that an import run twice changes nothing."""

import pytest

from portal.bodies.models import PublicBody
from portal.importing import ImportReport, RowError, assign_changed, update_if_changed

pytestmark = pytest.mark.django_db


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
