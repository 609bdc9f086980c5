"""Other councils' exports read through a column mapping; long legal titles, unknown votes, repeated rows and
files without a header, as real exports have them."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from cms.importing import ImportFileError, decision_mapping, import_decisions
from cms.models import DecisionPage

# A French commune's export: its own column names and words, columns we do not take, Windows-1252, ";".
FRENCH_EXPORT = (
    "N° délibération;Objet;Date séance;Rapporteur;Résumé;Décision;Pour;Contre;Abstentions;Observations\n"
    "2024-031;Budget primitif 2024;12/03/2024;M. Martin;Le conseil adopte le budget primitif.;Adoptée;21;4;2;\n"
    "2024-032;Tarifs de la cantine;12/03/2024;Mme Durand;Les tarifs augmentent de 2 %.;REJETÉE;10;15;2;voir PV\n"
    "2024-033;Convention avec l'association;12/03/2024;M. Martin;Convention d'objectifs.;Ajournée;;;;\n"
)
FRENCH_MAPPING = {
    "columns": {
        "reference": "N° délibération",
        "title": "Objet",
        "decision_date": "Date séance",
        "session_date": "date séance",
        "summary": "Résumé",
        "outcome": "Décision",
        "votes_for": "Pour",
        "votes_against": "Contre",
        "votes_abstain": "Abstentions",
    },
    "values": {"outcome": {"Adoptée": "adopted", "Rejetée": "rejected", "Ajournée": "postponed"}},
}


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "deliberations.csv"
    path.write_bytes(FRENCH_EXPORT.encode("cp1252"))
    return path


@pytest.mark.django_db
class ColumnMappingTestCase:
    def test_a_council_export_is_read_through_its_mapping(self, council_page, export):
        report = import_decisions(export, council=council_page, mapping=decision_mapping(FRENCH_MAPPING))
        assert report.errors == []
        assert (report.created, report.encoding) == (3, "windows-1252")
        decisions = {page.reference: page for page in DecisionPage.objects.all()}
        assert decisions["2024-031"].title == "Budget primitif 2024"
        assert decisions["2024-031"].decision_date.isoformat() == "2024-03-12"
        # Values match whatever their case: "REJETÉE" is "Rejetée".
        outcomes = {reference: page.outcome for reference, page in decisions.items()}
        assert outcomes == {"2024-031": "adopted", "2024-032": "rejected", "2024-033": "postponed"}

    def test_importing_the_same_export_again_changes_nothing(self, council_page, export):
        mapping = decision_mapping(FRENCH_MAPPING)
        import_decisions(export, council=council_page, mapping=mapping)
        again = import_decisions(export, council=council_page, mapping=mapping)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 3)

    def test_a_mapping_naming_a_column_the_file_lacks_changes_nothing(self, council_page, export):
        mapping = decision_mapping({"columns": {**FRENCH_MAPPING["columns"], "summary": "Synthèse"}})
        with pytest.raises(ImportFileError, match="the mapping names columns the file does not have: 'Synthèse'"):
            import_decisions(export, council=council_page, mapping=mapping)
        assert not DecisionPage.objects.exists()

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"columns": {"titre": "Objet"}}, "Unknown fields in the mapping: titre."),
            ({"columns": {"title": 3}}, "“columns” maps each field to the name of a column of the file."),
            ({"columns": {}, "years": {}}, "A mapping is an object with “columns” and “values”, and nothing else."),
            (["reference"], "A mapping is an object with “columns” and “values”, and nothing else."),
        ],
    )
    def test_a_wrong_mapping_is_refused_with_its_reason(self, data, message):
        with pytest.raises(ImportFileError, match=message.replace("(", r"\(")):
            decision_mapping(data)

    def test_the_command_takes_the_mapping_as_a_file(self, council_page, export, tmp_path):
        mapping = tmp_path / "mapping.json"
        mapping.write_text(json.dumps(FRENCH_MAPPING), encoding="utf-8")
        out = StringIO()
        call_command("import_decisions", str(export), council=str(council_page.pk), mapping=mapping, stdout=out)
        assert "3 created, 0 updated, 0 unchanged, 0 failed" in out.getvalue()

    def test_the_command_names_a_broken_mapping_file(self, council_page, export, tmp_path):
        mapping = tmp_path / "mapping.json"
        mapping.write_text('{"columns": {', encoding="utf-8")
        with pytest.raises(CommandError, match="not a readable JSON mapping"):
            call_command("import_decisions", str(export), council=str(council_page.pk), mapping=mapping)
        assert not DecisionPage.objects.exists()


@pytest.mark.django_db
class RealExportTraitsTestCase:
    def test_votes_left_empty_are_unknown_not_zero(self, client, council_page, export):
        import_decisions(export, council=council_page, mapping=decision_mapping(FRENCH_MAPPING))
        postponed = DecisionPage.objects.get(reference="2024-033")
        assert (postponed.votes_for, postponed.votes_against, postponed.votes_abstain) == (None, None, None)
        assert postponed.votes_cast is None
        page = client.get(postponed.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "لم يُنشر عدد الأصوات." in page  # the council is Arabic: so is its page
        assert 'class="tally"' not in page
        api = client.get(f"/api/v1/decisions/{postponed.uuid}/").json()
        assert api["votes"] == {"for": None, "against": None, "abstain": None, "cast": None}

    def test_a_title_past_255_characters_is_kept_whole(self, client, council_page, tmp_path):
        title = "المصادقة على اتفاقية الشراكة " + " ".join(f"البند {n} المتعلق بتهيئة الطرق البلدية" for n in range(12))
        assert len(title) > 255
        path = tmp_path / "long.csv"
        path.write_text(
            "reference,title,decision_date,session_date,summary,outcome\n"
            f"2024/9,{title},2024-05-02,2024-05-02,ملخص.,adopted\n",
            encoding="utf-8",
        )
        report = import_decisions(path, council=council_page)
        assert report.errors == []
        decision = DecisionPage.objects.get()
        assert len(decision.title) <= 255 and decision.title.endswith("…")
        assert title.startswith(decision.title[:-1])
        assert decision.full_title == title
        assert title in client.get(decision.url).content.decode()
        assert client.get(f"/api/v1/decisions/{decision.uuid}/").json()["title"] == title

    def test_rows_repeating_an_earlier_row_are_skipped_and_reported_once(self, council_page, export):
        lines = FRENCH_EXPORT.splitlines(keepends=True)
        export.write_bytes((lines[0] + lines[1] * 4 + lines[2] + lines[2]).encode("cp1252"))
        report = import_decisions(export, council=council_page, mapping=decision_mapping(FRENCH_MAPPING))
        assert (report.created, report.errors, report.repeated) == (2, [], [3, 4, 5, 7])
        assert "; 4 rows repeat an earlier row exactly and were skipped (rows 3, 4, 5, 7)" in report.summary()

    def test_a_file_without_a_header_gets_a_clear_word(self, council_page, export):
        export.write_bytes("".join(FRENCH_EXPORT.splitlines(keepends=True)[1:]).encode("cp1252"))
        with pytest.raises(ImportFileError, match="The first line holds data, not the names of the columns"):
            import_decisions(export, council=council_page, mapping=decision_mapping(FRENCH_MAPPING))

    def test_the_report_speaks_the_language_it_is_read_in(self, council_page, export):
        with translation.override("fr"):
            report = import_decisions(export, council=council_page, mapping=decision_mapping(FRENCH_MAPPING))
            assert report.summary().startswith("3 créées, 0 mises à jour, 0 inchangées, 0 en échec")
