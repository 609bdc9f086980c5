"""The page cache of anonymous public pages and API answers: what it serves, what retires it, what it never keeps."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client

from opendata.models import Dataset
from portal.caching import GENERATION_KEY, content_generation, unobserved, written_tables
from tests.cms.builders import council, decision, session
from tests.opendata.factories import DatasetFactory, ResourceFactory, add_file

DECISIONS = "/fr/decisions/"
CATALOGUE = "/fr/data/"
REST_DATASETS = "/api/v1/datasets/"


def served(client, path, **kwargs) -> tuple[str, str]:
    """The answer's text and where it came from: "hit", "miss" (stored now) or "" (not stored)."""
    response = client.get(path, **kwargs)
    assert response.status_code == 200, response.status_code
    return response.content.decode(), response.get("X-Cache", "")


@pytest.fixture
def march(commune):
    return session(council(commune), date=datetime.date(2025, 3, 10))


@pytest.fixture
def budget(commune):
    return DatasetFactory(name="budget-2025", body=commune, title_fr="Budget primitif 2025")


class ServingTestCase:
    def test_a_second_visitor_is_served_from_the_cache_with_validators(self, client, march):
        decision(march, title="Éclairage public")
        first = client.get(DECISIONS)
        assert first["X-Cache"] == "miss"
        second = Client().get(DECISIONS)
        assert second["X-Cache"] == "hit"
        assert second.content == first.content
        assert "public" in second["Cache-Control"] and "max-age=60" in second["Cache-Control"]
        assert second["ETag"] == first["ETag"] and second["Last-Modified"] == first["Last-Modified"]
        assert "Cookie" in second["Vary"]
        assert second["Content-Type"].startswith("text/html")

    def test_a_conditional_get_is_answered_304_until_the_content_changes(self, client, march):
        etag = client.get(DECISIONS)["ETag"]
        not_modified = client.get(DECISIONS, headers={"If-None-Match": etag})
        assert not_modified.status_code == 304 and not_modified.content == b""
        last_modified = client.get(DECISIONS)["Last-Modified"]
        assert client.get(DECISIONS, headers={"If-Modified-Since": last_modified}).status_code == 304
        decision(march, title="Nouvelle décision")
        assert client.get(DECISIONS, headers={"If-None-Match": etag}).status_code == 200

    @pytest.mark.parametrize(
        "headers",
        [
            {"If-None-Match": 'W/"'},
            {"If-None-Match": "not a tag, ,,"},
            {"If-None-Match": '"' + "x" * 5000},
            {"If-Modified-Since": "yesterday"},
            {"If-Modified-Since": "Mon, 99 Foo 20251 99:99:99 GMT"},
            {"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"},
        ],
    )
    def test_a_malformed_or_stale_validator_gets_the_whole_answer(self, client, march, headers):
        client.get(DECISIONS)
        response = client.get(DECISIONS, headers=headers)
        assert response.status_code == 200 and b"<html" in response.content

    def test_api_answers_are_cached_and_revalidated_too(self, client, budget):
        first = client.get(REST_DATASETS)
        assert first["X-Cache"] == "miss" and "budget-2025" in first.content.decode()
        assert client.get(REST_DATASETS)["X-Cache"] == "hit"
        assert client.get(REST_DATASETS, headers={"If-None-Match": first["ETag"]}).status_code == 304
        ckan = "/api/3/action/package_show?id=budget-2025"
        assert served(client, ckan)[1] == "miss" and served(client, ckan)[1] == "hit"

    def test_a_signed_in_person_is_never_served_nor_stored(self, client, citizen, march):
        client.force_login(citizen)  # a write (the last login): before the anonymous visit is stored
        Client().get(DECISIONS)
        response = client.get(DECISIONS)
        assert "X-Cache" not in response
        assert "Sign out" in response.content.decode() or "Se déconnecter" in response.content.decode()
        assert "public" not in response.get("Cache-Control", "")
        assert Client().get(DECISIONS)["X-Cache"] == "hit"

    def test_a_visitor_with_a_session_or_a_message_is_not_served_from_the_cache(self, client, march):
        client.get(DECISIONS)
        assert "X-Cache" not in Client(headers={"Cookie": "sessionid=abc"}).get(DECISIONS)
        assert "X-Cache" not in Client(headers={"Cookie": "messages=abc"}).get(DECISIONS)
        assert "X-Cache" not in Client(headers={"Authorization": "Token abc"}).get(REST_DATASETS)

    def test_staff_and_files_are_never_cached(self, client, budget):
        for path in ("/admin/", "/healthz", "/accounts/login/"):
            assert "X-Cache" not in client.get(path)


class KeyTestCase:
    def test_each_language_has_its_own_entry(self, client, march):
        decision(march, title="Éclairage public")
        french, _ = served(client, DECISIONS)
        arabic, origin = served(client, "/ar/decisions/")
        assert origin == "miss" and arabic != french and 'dir="rtl"' in arabic

    def test_an_odd_accept_language_on_an_unprefixed_address_does_not_make_new_entries(self, client, budget):
        assert served(client, REST_DATASETS, headers={"Accept-Language": "fr"})[1] == "miss"
        for odd in ("fr-FR;q=0.9, xx;q=0.1", "fr, xx-yy-zz-1234567", "fr-CA, de;q=0.5"):
            assert served(client, REST_DATASETS, headers={"Accept-Language": odd})[1] == "hit"
        # Nothing the portal speaks: its default language, one more entry and no more.
        assert served(client, REST_DATASETS, headers={"Accept-Language": "*"})[1] == "miss"
        assert served(client, REST_DATASETS, headers={"Accept-Language": "xx, \x7f;q=2"})[1] == "hit"

    @pytest.mark.parametrize("path", [REST_DATASETS, CATALOGUE, DECISIONS, "/api/v1/decisions/"])
    def test_unknown_parameters_are_not_part_of_the_key(self, client, budget, march, path):
        decision(march, title="Éclairage public")
        assert served(client, path)[1] == "miss"
        junk, origin = served(client, path + "?utm_source=x&fbclid=%3Cscript%3E")
        assert origin == "hit" and "fbclid" not in junk and "utm_source" not in junk
        assert served(client, path + "?body=commune-test&utm_source=y")[1] == ""  # computed, not stored
        assert served(client, path + "?body=commune-test")[1] == "miss"
        assert served(client, path + "?utm_source=z&body=commune-test")[1] == "hit"

    def test_a_parameter_echoed_in_a_page_never_reaches_another_visitor(self, client, budget):
        payload = '"><script>alert(1)</script>'
        poisoned, _ = served(client, CATALOGUE, data={"sort": "title", "x": payload})
        clean, _ = served(Client(), CATALOGUE, data={"sort": "title"})
        assert "alert(1)" not in clean

    def test_the_host_is_part_of_the_key_and_a_forwarded_host_is_ignored(self, client, march):
        decision(march, title="Éclairage public")
        here, _ = served(client, DECISIONS, headers={"X-Forwarded-Host": "evil.example"})
        assert "evil.example" not in here
        other, origin = served(client, DECISIONS, HTTP_HOST="localhost")
        assert origin == "miss"
        assert client.get(DECISIONS, HTTP_HOST="evil.example").status_code == 400

    def test_each_visitor_gets_their_own_form_token_from_a_cached_page(self, client, budget):
        page = f"{CATALOGUE}budget-2025/"
        first = Client(enforce_csrf_checks=True)
        assert served(first, page)[1] == "miss"
        second = Client(enforce_csrf_checks=True)
        html, origin = served(second, page)
        assert origin == "hit"
        token = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        assert len(token) == 64
        assert "private" in second.get(page)["Cache-Control"]
        report = second.post(
            f"{page}report/",
            {"csrfmiddlewaretoken": token, "kind": "wrong_data", "message": "Le total ne correspond pas."},
        )
        assert report.status_code == 302


class InvalidationTestCase:
    """A publish, an edit, a withdrawal or a new file version shows at once."""

    def test_a_decision_published_edited_and_withdrawn(self, client, march):
        page = decision(march, title="Éclairage public")
        assert "Éclairage public" in served(client, DECISIONS)[0]
        url = page.get_url()
        assert served(client, url)[1] == "miss" and served(client, url)[1] == "hit"
        page.title = "Éclairage des rues"
        page.save_revision().publish()
        listing, origin = served(client, DECISIONS)
        assert origin == "miss" and "Éclairage des rues" in listing
        assert "Éclairage des rues" in served(client, url)[0]
        page.unpublish()
        assert "Éclairage des rues" not in served(client, DECISIONS)[0]
        assert client.get(url).status_code == 404
        decision(march, reference="2025/002", title="Cantine scolaire")
        assert "Cantine scolaire" in served(client, DECISIONS)[0]

    def test_a_dataset_published_edited_and_withdrawn(self, client, budget):
        draft = DatasetFactory(name="draft", body=budget.body, title_fr="Cimetières", status=Dataset.Status.DRAFT)
        assert "Cimetières" not in served(client, CATALOGUE)[0]
        assert "draft" not in served(client, REST_DATASETS)[0]
        draft.status = Dataset.Status.PUBLISHED
        draft.save()
        assert "Cimetières" in served(client, CATALOGUE)[0]
        assert '"draft"' in served(client, REST_DATASETS)[0]
        budget.title_fr = "Budget supplémentaire 2025"
        budget.save()
        assert "Budget supplémentaire 2025" in served(client, f"{CATALOGUE}budget-2025/")[0]
        budget.status = Dataset.Status.WITHDRAWN
        budget.save()
        assert "Budget supplémentaire 2025" not in served(client, CATALOGUE)[0]

    def test_a_new_file_version(self, client, budget):
        resource = ResourceFactory(dataset=budget)
        first = add_file(resource, b"a\n1\n", filename="budget-v1.csv")
        show = "/api/3/action/package_show?id=budget-2025"
        assert first.sha256 in served(client, show)[0]
        page, _ = served(client, f"{CATALOGUE}budget-2025/")
        second = add_file(resource, b"a\n2\n", filename="budget-v2.csv")
        answer, origin = served(client, show)
        assert origin == "miss" and second.sha256 in answer and first.sha256 not in answer
        assert served(client, f"{CATALOGUE}budget-2025/")[1] == "miss"

    def test_a_bulk_update_retires_pages_too(self, client, budget):
        served(client, CATALOGUE)
        Dataset.objects.filter(pk=budget.pk).update(title_fr="Titre changé en masse")
        assert "Titre changé en masse" in served(client, CATALOGUE)[0]

    def test_a_write_inside_a_common_table_expression_retires_pages(self, client, budget):
        served(client, CATALOGUE)
        table = Dataset._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH chosen AS (SELECT %s AS id) UPDATE {table} SET title_fr = %s "  # noqa: S608
                "WHERE id IN (SELECT id FROM chosen)",
                [budget.pk, "Titre changé par une expression de table"],
            )
        assert "Titre changé par une expression de table" in served(client, CATALOGUE)[0]

    def test_bookkeeping_writes_retire_nothing(self, client, budget):
        served(client, CATALOGUE)
        with unobserved():
            Dataset.objects.filter(pk=budget.pk).update(title_fr="Sans effet sur le cache")
        from django.contrib.sessions.backends.db import SessionStore

        SessionStore().create()
        assert served(client, CATALOGUE)[1] == "hit"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_counts_for_other_processes_when_it_commits(commune, redis_url, settings):
    """Another process must not store the old content under the new generation: the shared generation moves at
    the commit (and not at a rollback)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
    cache.delete(GENERATION_KEY)
    before = content_generation()
    with transaction.atomic():
        DatasetFactory(body=commune)
        assert cache.get(GENERATION_KEY) == before
        assert connection.pagecache_writes > 0  # this connection's own reads see its change already
    after = cache.get(GENERATION_KEY)
    assert after > before
    with transaction.atomic():
        DatasetFactory(body=commune)
        transaction.set_rollback(True)
    assert cache.get(GENERATION_KEY) == after
    DatasetFactory(body=commune)  # autocommit: at once
    assert cache.get(GENERATION_KEY) > after
    cache.clear()


def test_a_connection_opened_again_observes_its_writes_once():
    """Django sends connection_created at each reconnection of the same wrapper (CONN_MAX_AGE=0: every request)."""
    from django.db.backends.signals import connection_created

    from portal.caching import _notice_write

    for _ in range(3):
        connection_created.send(sender=type(connection), connection=connection)
    assert connection.execute_wrappers.count(_notice_write) == 1


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ('INSERT INTO "opendata_dataset" (name) VALUES (%s)', {"opendata_dataset"}),
        ("  update cms_topic set name = %s", {"cms_topic"}),
        ("SELECT * FROM opendata_dataset WHERE name = 'UPDATE x'", set()),
        (
            "WITH r AS (INSERT INTO budgeting_ballot (id) VALUES (%s) RETURNING id) INSERT INTO budgeting_choice "
            "SELECT id FROM r",
            {"budgeting_ballot", "budgeting_choice"},
        ),
        (
            "WITH s AS (SELECT id FROM django_session) DELETE FROM django_session WHERE id IN (SELECT id FROM s)",
            {"django_session"},
        ),
        ("WITH s AS (SELECT id FROM opendata_dataset) SELECT COUNT(*) FROM s", set()),
    ],
)
def test_it_reads_which_tables_a_statement_writes(sql, tables):
    assert written_tables(sql) == tables
