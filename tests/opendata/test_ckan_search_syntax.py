"""package_search's q with fields and OR, and fq with Solr's date math, as CKAN clients send them."""

from datetime import UTC, datetime

import pytest
import time_machine

from opendata.models import Dataset
from search.indexing import refresh_entries
from tests.opendata.factories import DatasetFactory

pytestmark = pytest.mark.django_db

API = "/api/3/action/package_search"


def names(client, **params):
    response = client.get(API, params)
    assert response.status_code == 200, response.content
    return sorted(package["name"] for package in response.json()["result"]["results"])


@pytest.fixture
def catalogue(commune, other_region):
    DatasetFactory(name="budget-2024", body=commune, title_fr="Budget communal", notes_fr="Les dépenses", tags=["eau"])
    DatasetFactory(name="water", body=other_region, title_fr="Qualité de l'eau", notes_fr="Analyses", tags=["sante"])
    DatasetFactory(name="roads", body=commune, title_fr="Routes", notes_fr="Entretien du budget", tags=["voirie"])


class QueryFieldsTestCase:
    def test_it_searches_one_field(self, client, catalogue):
        assert names(client, q="title:budget") == ["budget-2024"]
        assert names(client, q="notes:budget") == ["roads"]
        assert names(client, q="tags:eau") == ["budget-2024"]
        assert names(client, q="organization:commune-test") == ["budget-2024", "roads"]

    def test_or_joins_words_and_fields(self, client, catalogue):
        refresh_entries()  # the search index (written after commits, which tests roll back)
        assert names(client, q="routes OR analyses") == ["roads", "water"]
        assert names(client, q="title:routes OR tags:sante") == ["roads", "water"]
        assert names(client, q="budget") == ["budget-2024", "roads"]
        assert names(client, q="budget communal") == ["budget-2024"]

    def test_fields_and_words_combine(self, client, catalogue):
        assert names(client, q="organization:commune-test entretien") == ["roads"]
        assert names(client, q="budget -tags:voirie") == ["budget-2024"]

    def test_what_only_looks_like_syntax_is_searched_as_words(self, client, catalogue):
        assert names(client, q="titel:budget") == []
        assert names(client, q='"unclosed') == []


class DateMathTestCase:
    @pytest.fixture
    def dated(self, commune):
        with time_machine.travel(datetime(2026, 3, 1, 12, tzinfo=UTC), tick=False):
            DatasetFactory(name="old", body=commune)
        with time_machine.travel(datetime(2026, 3, 9, 8, tzinfo=UTC), tick=False):
            DatasetFactory(name="yesterday", body=commune)
        with time_machine.travel(datetime(2026, 3, 10, 9, tzinfo=UTC), tick=False):
            DatasetFactory(name="today", body=commune)
        assert Dataset.objects.count() == 3

    @time_machine.travel(datetime(2026, 3, 10, 10, tzinfo=UTC), tick=False)
    def test_now_minus_one_day(self, client, dated):
        assert names(client, fq="metadata_modified:[NOW-1DAY TO *]") == ["today"]

    @time_machine.travel(datetime(2026, 3, 10, 10, tzinfo=UTC), tick=False)
    def test_rounding_to_the_day(self, client, dated):
        assert names(client, fq="metadata_modified:[NOW/DAY-1DAY TO NOW/DAY]") == ["yesterday"]
        assert names(client, fq="metadata_modified:[NOW/DAY TO *]") == ["today"]

    @time_machine.travel(datetime(2026, 3, 10, 10, tzinfo=UTC), tick=False)
    def test_days_in_the_plural_and_after_a_date(self, client, dated):
        assert names(client, fq="metadata_modified:[NOW-7DAYS TO *]") == ["today", "yesterday"]
        assert names(client, fq="metadata_modified:[* TO 2026-03-01T00:00:00Z+1DAY]") == ["old"]
        assert names(client, fq="metadata_created:{NOW-1MONTH TO NOW-2DAYS}") == ["old"]

    @pytest.mark.parametrize("bad", ["NOW-1FORTNIGHT", "NOW-", "NOW/", "NOW+1", "NOW-999999YEARS", "NOWISH"])
    def test_it_refuses_what_is_not_date_math(self, client, bad):
        response = client.get(API, {"fq": f"metadata_modified:[{bad} TO *]"})
        assert response.status_code == 409
        assert response.json()["error"]["__type"] == "Search Error"
