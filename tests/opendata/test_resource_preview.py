"""A resource's page: the DataStore preview (pages, sort, filters), its chart, its downloads; files without rows."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from opendata.models import ResourceVersion
from tests.opendata.factories import DatasetFactory, ResourceFactory, add_file, loaded_resource

SCHEMA = [
    {"name": "البلدية", "type": "string"},
    {"name": "service", "type": "string"},
    {"name": "montant", "type": "number"},
    {"name": "année", "type": "integer"},
    {"name": "date", "type": "date"},
]
COMMUNES = ["البليدة", "بوفاريك", "العفرون"]
SERVICES = ["Voirie", "Écoles", "Eau"]


def rows(count: int = 120) -> list[dict]:
    return [
        {
            "البلدية": COMMUNES[number % 3],
            "service": SERVICES[number % 3] if number % 7 else "Voirie",
            "montant": f"{1000 + number}.50",
            "année": str(2000 + number),
            "date": f"2025-03-{1 + number % 28:02d}",
        }
        for number in range(count)
    ]


@pytest.fixture
def dataset(commune):
    return DatasetFactory(name="depenses", body=commune, title_fr="Dépenses")


@pytest.fixture
def table(dataset):
    return loaded_resource(rows(), SCHEMA, dataset=dataset, name_fr="Dépenses par service")


def url(resource, query: str = "", language: str = "fr") -> str:
    return f"/{language}/data/depenses/resources/{resource.uuid}/" + (f"?{query}" if query else "")


def first_cells(response) -> list[str]:
    return [row[0][0] for row in response.context["rows"]]


def column(response, position: int) -> list[str]:
    return [row[position][0] for row in response.context["rows"]]


class ResourcePreviewTestCase:
    def test_it_shows_the_first_fifty_rows_and_the_column_types(self, client, table):
        response = client.get(url(table))
        assert response.status_code == 200
        assert len(response.context["rows"]) == 50
        assert response.context["total"] == 120
        html = response.content.decode()
        assert "Lignes 1 à 50 sur 120" in html
        types = [(c["field"].id, str(c["type_label"])) for c in response.context["columns"]]
        assert [name for name, _label in types] == ["البلدية", "service", "montant", "année", "date"]
        assert "<td><bdi>montant</bdi></td><td>nombre</td>" in html

    def test_it_formats_numbers_and_dates_for_the_visitors_language(self, client, table):
        response = client.get(url(table))
        assert response.context["rows"][0][2] == ("1\xa0000,50", True)
        assert response.context["rows"][0][3] == ("2\xa0000", True)
        assert response.context["rows"][0][4] == ("1 mars 2025", False)
        arabic = client.get(url(table, language="ar"))
        assert arabic.context["rows"][0][2][0] == "1.000,50"  # grouped by three, as in Algeria and Morocco
        assert arabic.context["rows"][0][4][0] == "1 مارس، 2025"

    def test_it_pages_through_the_rows(self, client, table):
        second = client.get(url(table, "page=2"))
        assert column(second, 3)[0] == "2\xa0050"
        assert len(second.context["rows"]) == 50
        assert len(client.get(url(table, "page=3")).context["rows"]) == 20
        assert column(client.get(url(table, "page=abc")), 3)[0] == "2\xa0000"
        assert client.get(url(table, "page=4")).status_code == 404

    def test_it_sorts_by_a_column_from_its_header(self, client, table):
        response = client.get(url(table))
        html = response.content.decode()
        assert 'href="?sort=montant+asc#rows"' in html
        response = client.get(url(table, "sort=montant+desc"))
        assert column(response, 2)[:2] == ["1\xa0119,50", "1\xa0118,50"]
        html = response.content.decode()
        assert re.search(r'<th scope="col" aria-sort="descending" class="numeric">', html)
        # The header of the sorted column now sorts the other way.
        assert 'href="?sort=montant+asc#rows"' in html
        ascending = client.get(url(table, "sort=montant+asc"))
        assert column(ascending, 2)[0] == "1\xa0000,50"
        assert 'href="?sort=montant+desc#rows"' in ascending.content.decode()

    def test_it_filters_by_words_and_by_the_value_of_a_column(self, client, table):
        response = client.get(url(table, "q=بوفاريك"))
        assert response.context["total"] == 40
        assert set(column(response, 0)) == {"بوفاريك"}
        response = client.get(url(table, "filter.service=Eau&filter.البلدية=العفرون"))
        assert set(column(response, 1)) == {"Eau"}
        assert set(column(response, 0)) == {"العفرون"}
        assert response.context["total"] == len(
            [r for r in rows() if r["service"] == "Eau" and r["البلدية"] == "العفرون"]
        )
        response = client.get(url(table, "filter.année=2005"))
        assert response.context["total"] == 1

    def test_a_column_filter_matches_whatever_the_case_and_accents(self, client, table):
        expected = len([r for r in rows() if r["service"] == "Écoles"])
        for typed in ("ecoles", "ÉCOLES", "Écoles"):
            response = client.get(url(table, f"filter.service={typed}"))
            assert response.context["total"] == expected, typed
            assert set(column(response, 1)) == {"Écoles"}
        # The download of the filtered rows is the same rows.
        download = client.get(f"/download/{table.uuid}/rows.csv?filter.service=ecoles")
        assert b"".join(download.streaming_content).decode().count("Écoles") == expected

    def test_a_column_with_few_values_is_filtered_from_a_list(self, client, table):
        html = client.get(url(table)).content.decode()
        select = re.search(r'<select name="filter.service".*?</select>', html, re.S).group(0)
        options = re.findall(r'<option value="([^"]*)"', select)
        assert options[0] == "" and sorted(options[1:]) == ["Eau", "Voirie", "Écoles"]  # the order is the database's
        assert '<input type="text" name="filter.montant"' in html  # numbers keep a box

    def test_it_keeps_the_filters_when_sorting_and_paging(self, client, table):
        html = client.get(url(table, "q=Voirie&x=service")).content.decode()
        assert 'href="?q=Voirie&amp;sort=service+asc&amp;x=service#rows"' in html

    def test_it_says_what_is_wrong_with_a_bad_column_filter_or_sort(self, client, table):
        response = client.get(url(table, "filter.inconnue=1&filter.année=deux+mille&sort=<script>+desc"))
        assert response.status_code == 200
        problems = [str(problem) for problem in response.context["problems"]]
        assert len(problems) == 3
        assert "inconnue" in problems[0]
        assert "deux mille" in problems[1]
        assert "<script>" in problems[2]
        assert "<script>" not in response.content.decode()
        assert response.context["total"] == 120  # the bad filters are left out

    def test_it_escapes_the_cells_and_the_column_names(self, client, dataset):
        resource = loaded_resource([{"<b>col</b>": "<script>alert(1)</script>"}], dataset=dataset, name_fr="Piège")
        html = client.get(url(resource)).content.decode()
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<b>col</b>" not in html

    def test_it_draws_a_bar_chart_of_a_column_against_another(self, client, table):
        response = client.get(url(table, "x=service&y=montant"))
        chart = response.context["chart"]
        totals = {}
        for row in rows():
            totals[row["service"]] = totals.get(row["service"], 0) + float(row["montant"])
        assert [bar.label for bar in chart.bars] == sorted(totals, key=totals.get, reverse=True)
        html = response.content.decode()
        assert html.count('class="bar-chart__bar"') == 3
        assert '<svg viewBox="0 0 640 90"' in html
        # The text alternative: a table of the same figures.
        assert re.search(r'<th scope="row"><bdi>Voirie</bdi></th><td class="numeric">[\d\s\xa0]+,?\d*</td>', html)
        widths = [bar.bar_width for bar in chart.bars]
        assert widths[0] == max(widths) and widths[0] > 0

    def test_its_chart_counts_only_the_rows_that_match_the_filters(self, client, table):
        response = client.get(url(table, "x=البلدية&filter.service=Eau"))
        expected = {}
        for row in rows():
            if row["service"] == "Eau":
                expected[row["البلدية"]] = expected.get(row["البلدية"], 0) + 1
        assert {bar.label: bar.value for bar in response.context["chart"].bars} == {
            commune: str(number) for commune, number in expected.items()
        }
        assert "rows that match the filters" in response.content.decode() or "filtres" in response.content.decode()

    def test_it_counts_rows_when_no_number_is_chosen(self, client, table):
        response = client.get(url(table, "x=البلدية&y="))
        bars = response.context["chart"].bars
        assert sorted((bar.label, bar.value) for bar in bars) == [(commune, "40") for commune in sorted(COMMUNES)]
        assert (
            "Nombre de lignes par البلدية" in response.content.decode()
            or "Number of rows by" in response.content.decode()
        )

    def test_it_mirrors_the_chart_in_arabic(self, client, table):
        ltr = client.get(url(table, "x=service")).context["chart"].bars[0]
        rtl = client.get(url(table, "x=service", language="ar")).context["chart"].bars[0]
        assert ltr.bar_x == 200 and ltr.label_anchor == "end"
        # In Arabic, bars start at the labels on the right and grow to the left.
        assert rtl.label_anchor == "start" and rtl.label_x > rtl.bar_x
        assert rtl.bar_x + rtl.bar_width == 640 - 200
        assert rtl.bar_width == ltr.bar_width

    def test_it_refuses_a_chart_of_unknown_or_text_columns_with_a_message(self, client, table):
        for query in ("x=inconnue", "x=service&y=service", "x=service&y=<script>"):
            response = client.get(url(table, query))
            assert response.status_code == 200
            assert response.context["chart"] is None
            assert response.context["problems"]

    def test_it_offers_the_downloads_with_the_current_filters(self, client, table):
        response = client.get(url(table, "q=Eau&filter.année=2005&sort=montant+desc"))
        downloads = response.context["row_downloads"]
        csv = urlsplit(downloads["csv"])
        assert csv.path == f"/download/{table.uuid}/rows.csv"
        assert parse_qs(csv.query) == {"q": ["Eau"], "sort": ["montant desc"], "filters": ['{"année": "2005"}']}
        assert parse_qs(urlsplit(downloads["csv_bom"]).query)["bom"] == ["1"]
        assert urlsplit(downloads["json"]).path.endswith("/rows.json")
        assert urlsplit(downloads["xlsx"]).path.endswith("/rows.xlsx")
        html = response.content.decode()
        assert f'href="/download/{table.uuid}/"' in html  # the original file
        plain = client.get(url(table)).context["row_downloads"]
        assert plain["csv"] == f"/download/{table.uuid}/rows.csv"
        assert plain["csv_bom"] == f"/download/{table.uuid}/rows.csv?bom=1"

    def test_a_file_without_rows_shows_its_details_and_download_only(self, client, dataset):
        resource = ResourceFactory(dataset=dataset, name_fr="Rapport", format="PDF")
        add_file(resource, b"%PDF-1.7 " + b"x" * 3000, filename="rapport.pdf", status=ResourceVersion.Status.STORED)
        response = client.get(url(resource))
        assert response.status_code == 200
        html = response.content.decode()
        assert "rapport.pdf" in html
        assert f'href="/download/{resource.uuid}/"' in html
        assert "rows.csv" not in html
        assert '<table class="preview-table">' not in html
        assert "2,9\xa0Kio" in html  # 3 009 bytes

    def test_a_file_still_loading_says_so(self, client, dataset):
        resource = ResourceFactory(dataset=dataset, name_fr="Gros fichier", format="CSV")
        add_file(resource, b"a,b\n1,2\n", status=ResourceVersion.Status.LOADING)
        response = client.get(url(resource))
        assert response.context["loading"]
        assert response.context["progress"] == {"rows": 0, "percent": 0}
        assert 'class="notice" role="status"' in response.content.decode()
        assert '<progress max="100" value="0"' in response.content.decode()

    def test_it_answers_404_for_a_resource_of_another_dataset(self, client, table, commune):
        DatasetFactory(name="autre", body=commune)
        assert client.get(f"/fr/data/autre/resources/{table.uuid}/").status_code == 404

    def test_it_survives_numbers_too_large_for_the_database(self, client, table):
        response = client.get(url(table, "filter.année=99999999999999999999999"))
        assert response.status_code == 200
        assert len(response.context["problems"]) == 1
        assert client.get(url(table, "page=" + "9" * 30)).status_code == 404


@pytest.mark.django_db
class PreviewRateLimitTestCase:
    def test_it_answers_429_with_retry_after_past_the_rate(self, client, table, settings):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": "2/m"}
        assert client.get(url(table)).status_code == 200
        assert client.get(url(table, "q=Blida")).status_code == 200
        response = client.get(url(table))
        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0
        # Another address has its own allowance.
        assert client.get(url(table), REMOTE_ADDR="192.0.2.7").status_code == 200


class ColumnTitlesTestCase:
    SCHEMA = [
        {"name": "libelle_ar", "type": "string", "title": {"ar": "البيان", "fr": "Libellé"}},
        {"name": "chapitre", "type": "integer", "title": "Chapitre"},
        {"name": "montant_dzd", "type": "number", "title": {"ar": "المبلغ (دج)", "fr": "Montant (DA)"}},
        {"name": "agents", "type": "integer"},
    ]
    ROWS = [
        {"libelle_ar": "إنارة", "chapitre": "911", "montant_dzd": "1200.50", "agents": "3"},
        {"libelle_ar": "طرقات", "chapitre": "912", "montant_dzd": "800", "agents": "5"},
    ]

    @pytest.fixture
    def budget(self, dataset):
        return loaded_resource(self.ROWS, self.SCHEMA, dataset=dataset)

    def test_columns_show_the_schemas_titles_in_the_pages_language(self, client, budget):
        french = client.get(url(budget)).context["columns"]
        assert [column["label"] for column in french] == ["Libellé", "Chapitre", "Montant (DA)", "agents"]
        arabic = client.get(url(budget, language="ar")).context["columns"]
        assert [column["label"] for column in arabic] == ["البيان", "Chapitre", "المبلغ (دج)", "agents"]

    def test_the_chart_adds_up_measures_only_and_names_them_by_their_titles(self, client, budget):
        response = client.get(url(budget, "x=libelle_ar&y=montant_dzd"))
        form = response.context["chart_form"]
        assert [value for value, _label in form.fields["y"].choices] == ["", "montant_dzd", "agents"]
        assert dict(form.fields["x"].choices)["montant_dzd"] == "Montant (DA)"
        assert response.context["chart_title"] == "Total de Montant (DA) par Libellé"
