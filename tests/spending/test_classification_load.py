"""Loading a classification: codes keep their leading zeros, levels follow parents, a second load changes nothing."""

import pytest
from django.core.management import call_command
from django.utils import translation

from opendata.spending.classification import load_classification
from opendata.spending.models import ClassificationCode

pytestmark = pytest.mark.django_db

CODES = (
    "code;parent;label_ar;label_fr\n"
    "01;;الخدمات العامة;Services généraux\n"
    "011;01;الإدارة العامة;Administration générale\n"
    "0111;011;المجلس;Assemblée\n"
    "02100;09;مجهول;Parent inconnu\n"
)


def test_it_loads_a_bodys_codes_with_their_levels_and_leading_zeros(tmp_path, commune):
    path = tmp_path / "functions.csv"
    path.write_bytes(CODES.encode("utf-8"))
    with translation.override("en"):
        report = load_classification(path, scheme="functional", body=commune)
    assert (report.created, [(error.row, error.reference) for error in report.errors]) == (3, [(5, "02100")])
    assert "the parent code “09” is neither in the file nor stored" in report.errors[0].message
    codes = ClassificationCode.objects.filter(body=commune).order_by("code")
    assert [(code.code, code.parent_code, code.level) for code in codes] == [
        ("01", "", 1), ("011", "01", 2), ("0111", "011", 3),
    ]  # fmt: skip
    assert codes[1].label_fr == "Administration générale" and codes[1].label_ar == "الإدارة العامة"
    again = load_classification(path, scheme="functional", body=commune)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_the_command_loads_the_shared_list(tmp_path, db):
    path = tmp_path / "economic.csv"
    path.write_text("code,label_fr\n6061,Eau\n6062,Gaz\n", "utf-8")
    call_command("load_classification", str(path), scheme="economic", stdout=__import__("io").StringIO())
    assert set(ClassificationCode.objects.filter(body=None).values_list("scheme", "code")) == {
        ("economic", "6061"), ("economic", "6062"),
    }  # fmt: skip
