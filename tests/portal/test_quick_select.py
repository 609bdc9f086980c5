"""QuickSelect writes the same select as Django's, without a template per option."""

import pytest
from django import forms
from django.test.html import parse_html

from portal.forms import QuickSelect

CHOICES = [("", "Tous"), ("a", "Voirie"), ("b", "<script>alert(1)</script> & co"), (3, "Trois"), ("a", "Doublon")]


class QuickSelectTestCase:
    @pytest.mark.parametrize("value", [None, "", "a", "b", 3, "3", "absent"])
    @pytest.mark.parametrize("attrs", [None, {"id": "id_space", "required": True, "aria-invalid": "true"}])
    def test_it_writes_what_djangos_select_writes(self, value, attrs):
        ours = QuickSelect(choices=CHOICES).render("space", value, attrs)
        django = forms.Select(choices=CHOICES).render("space", value, attrs)
        assert parse_html(ours) == parse_html(django)
        assert "<script>" not in ours

    def test_it_marks_only_the_first_matching_option(self):
        html = QuickSelect(choices=CHOICES).render("space", "a", None)
        assert html.count(" selected") == 1 and '<option value="a" selected>Voirie</option>' in html

    def test_grouped_choices_are_left_to_django(self):
        grouped = [("Nord", [("n1", "Nord 1"), ("n2", "Nord 2")]), ("s", "Sud")]
        ours = QuickSelect(choices=grouped).render("district", "n2", None)
        assert parse_html(ours) == parse_html(forms.Select(choices=grouped).render("district", "n2", None))
        assert "<optgroup" in ours
