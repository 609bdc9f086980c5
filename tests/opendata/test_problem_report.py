"""Reporting a problem with a dataset: saved for staff, email private, CSRF, rate limited per IP, drafts 404."""

import pytest
from django.test import Client

from opendata.models import Dataset, ProblemReport
from tests.opendata.factories import DatasetFactory

REPORT = "/fr/data/budget-2025/report/"
GOOD = {"kind": "wrong_data", "message": "Le total du chapitre 3 ne correspond pas.", "email": "amina@example.org"}


@pytest.fixture
def budget(commune):
    return DatasetFactory(name="budget-2025", body=commune, title_fr="Budget communal 2025")


class ProblemReportTestCase:
    def test_it_saves_the_report_and_thanks_the_visitor(self, client, budget):
        response = client.post(REPORT, GOOD, follow=True)
        assert response.redirect_chain == [("/fr/data/budget-2025/", 302)]
        report = ProblemReport.objects.get()
        assert report.dataset == budget
        assert (report.kind, report.message, report.email) == (GOOD["kind"], GOOD["message"], GOOD["email"])
        html = response.content.decode()
        assert 'class="message message--success"' in html
        # The address stays private: neither the thanks nor the dataset page shows it.
        assert "amina@example.org" not in html
        assert "amina@example.org" not in client.get("/fr/data/budget-2025/").content.decode()

    def test_the_email_is_optional(self, client, budget):
        assert client.post(REPORT, {**GOOD, "email": ""}).status_code == 302
        assert ProblemReport.objects.get().email == ""

    def test_it_refuses_an_incomplete_or_too_long_report_and_says_why(self, client, budget):
        response = client.post(REPORT, {"kind": "nonsense", "message": "x" * 2001, "email": "pas-une-adresse"})
        assert response.status_code == 400
        form = response.context["report_form"]
        assert set(form.errors) == {"kind", "message", "email"}
        assert not ProblemReport.objects.exists()
        html = response.content.decode()
        assert 'class="errorlist' in html
        assert 'aria-invalid="true"' in html

    def test_it_stores_a_script_as_text_and_never_runs_it(self, client, budget):
        payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
        response = client.post(REPORT, {**GOOD, "message": payload, "email": "x@example.org<script>"})
        assert response.status_code == 400  # the email is not an address
        html = response.content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
        client.post(REPORT, {**GOOD, "message": payload})
        assert ProblemReport.objects.get().message == payload

    def test_it_requires_the_csrf_token(self, budget):
        checked = Client(enforce_csrf_checks=True)
        assert checked.post(REPORT, GOOD).status_code == 403
        assert not ProblemReport.objects.exists()
        page = checked.get("/fr/data/budget-2025/")
        token = page.context["csrf_token"]
        assert checked.post(REPORT, {**GOOD, "csrfmiddlewaretoken": str(token)}).status_code == 302
        assert ProblemReport.objects.count() == 1

    def test_it_limits_the_reports_per_address_and_says_when_to_come_back(self, client, budget):
        for _number in range(5):
            assert client.post(REPORT, GOOD).status_code == 302
        response = client.post(REPORT, GOOD)
        assert response.status_code == 429
        assert 0 < int(response["Retry-After"]) <= 3600
        assert 'href="/fr/data/budget-2025/"' in response.content.decode()
        assert ProblemReport.objects.count() == 5
        # Another address may still report.
        assert client.post(REPORT, GOOD, REMOTE_ADDR="192.0.2.7").status_code == 302

    def test_a_get_goes_back_to_the_form(self, client, budget):
        response = client.get(REPORT)
        assert response.status_code == 302
        assert response["Location"] == "/fr/data/budget-2025/#report"

    @pytest.mark.parametrize("status", [Dataset.Status.DRAFT, Dataset.Status.WITHDRAWN])
    def test_datasets_the_public_cannot_see_take_no_report(self, client, commune, status):
        DatasetFactory(name="cache", body=commune, status=status)
        assert client.post("/fr/data/cache/report/", GOOD).status_code == 404
        assert client.post("/fr/data/inconnu/report/", GOOD).status_code == 404
        assert not ProblemReport.objects.exists()
