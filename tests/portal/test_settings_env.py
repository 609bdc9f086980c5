"""Configuration from the environment: bad values name their variable; production refuses unsafe defaults."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from portal.rows import planned_once
from portal.settings.env import env_bool, env_database, env_int, env_url

PRODUCTION_OK = {
    "SECRET_KEY": "k3y-0f-f1fty-ch4r4ct3rs-" + "abcdefghijklmnopqrstuvwxyz0123",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/baladiya",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1",
    "EMAIL_HOST": "smtp.example.org",
    "PUBLIC_URL": "https://portal.example.org",
    "IDENTITY_HASH_KEY": "1d3nt1ty-h4sh-k3y-0f-th1rty-tw0-ch4rs",
}
UNSET = ("SECRET_KEY", "DEBUG", *PRODUCTION_OK)


SHOW_SAFEGUARDS = "settings.DEBUG, settings.ADMIN_REQUIRE_2FA"


def import_production(show: str = SHOW_SAFEGUARDS, **overrides) -> subprocess.CompletedProcess:
    """Import the production settings in a fresh interpreter with `overrides`; print `show` (settings.*)."""
    env = {key: value for key, value in os.environ.items() if key not in UNSET}
    env.update(PRODUCTION_OK)
    env.update(overrides)
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings.production"
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; print({show})",
        ],
        env={key: value for key, value in env.items() if value is not None},
        capture_output=True,
        text=True,
        check=False,
    )


class EnvReadersTestCase:
    def test_it_reads_booleans(self, monkeypatch):
        monkeypatch.setenv("FLAG", "yes")
        assert env_bool("FLAG") is True
        monkeypatch.setenv("FLAG", "off")
        assert env_bool("FLAG", True) is False

    def test_it_names_the_variable_of_a_bad_boolean(self, monkeypatch):
        monkeypatch.setenv("DEBUG", "maybe")
        with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe'"):
            env_bool("DEBUG")

    def test_it_names_the_variable_of_a_bad_number(self, monkeypatch):
        monkeypatch.setenv("EMAIL_PORT", "five")
        with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT"):
            env_int("EMAIL_PORT", 587)

    def test_it_names_the_variable_of_a_bad_database_url(self, monkeypatch):
        monkeypatch.setenv("DATABASE_URL", "mongo://db/portal")
        with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
            env_database("DATABASE_URL", "sqlite:///x.sqlite3")

    def test_it_parses_postgresql_urls(self, monkeypatch):
        monkeypatch.setenv("DATABASE_URL", "postgres://portal:secret@db:5432/baladiya")
        config = env_database("DATABASE_URL", "sqlite:///x.sqlite3")
        assert config["ENGINE"] == "django.db.backends.postgresql"
        assert (config["NAME"], config["HOST"], config["PORT"]) == ("baladiya", "db", 5432)

    def test_postgresql_binds_parameters_on_the_server_unless_told_not_to(self, monkeypatch):
        monkeypatch.setenv("DATABASE_URL", "postgres://portal:secret@db:5432/baladiya")
        options = env_database("DATABASE_URL", "sqlite:///x.sqlite3")["OPTIONS"]
        assert (options["server_side_binding"], options["prepare_threshold"]) == (True, None)
        # PgBouncer before 1.21 in transaction mode cannot keep a connection's prepared statements.
        monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "false")
        options = env_database("DATABASE_URL", "sqlite:///x.sqlite3").get("OPTIONS", {})
        assert "server_side_binding" not in options and "prepare_threshold" not in options

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
    @pytest.mark.django_db
    def test_a_statement_is_planned_for_its_values_unless_planned_once(self):
        """Only the statements run in planned_once are prepared, and from their sixth run keep one plan."""
        everywhere = "SELECT count(*) FROM django_content_type WHERE app_label = %s"
        by_key = "SELECT count(*) FROM django_content_type WHERE id = %s"
        labels = ["portal", "cms", "opendata", "search", "auth", "portal", "cms"]
        with connection.cursor() as cursor:
            for label in labels:
                cursor.execute(everywhere, [label])
            with planned_once():
                for number in range(len(labels)):
                    cursor.execute(by_key, [number])
            for label in labels:  # after it, as before
                cursor.execute(everywhere, [label])
            cursor.execute("SELECT statement, generic_plans FROM pg_prepared_statements")
            prepared = dict(cursor.fetchall())
        assert [plans for statement, plans in prepared.items() if "app_label" in statement] == []
        [generic] = [plans for statement, plans in prepared.items() if "WHERE id = $1" in statement]
        assert generic >= 1
        assert connection.connection.prepare_threshold is None

    def test_it_refuses_a_url_of_the_wrong_kind(self, monkeypatch):
        monkeypatch.setenv("CELERY_BROKER_URL", "127.0.0.1:6379")
        with pytest.raises(ImproperlyConfigured, match="CELERY_BROKER_URL"):
            env_url("CELERY_BROKER_URL", "", ("redis", "amqp"))


class ProductionSettingsTestCase:
    def test_it_starts_with_a_real_secret_key(self):
        result = import_production()
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "False True"

    def test_it_refuses_the_development_secret_key(self):
        result = import_production(SECRET_KEY=None)
        assert result.returncode != 0
        assert "SECRET_KEY" in result.stderr

    def test_it_refuses_debug(self):
        result = import_production(DEBUG="true")
        assert result.returncode != 0
        assert "DEBUG must be off" in result.stderr

    @pytest.mark.parametrize(
        ("variable", "value"),
        [
            ("REDIS_URL", None),
            ("CELERY_BROKER_URL", None),
            ("EMAIL_HOST", None),
            ("PUBLIC_URL", None),
            ("IDENTITY_HASH_KEY", None),
            ("IDENTITY_HASH_KEY", "short"),
            ("DATABASE_URL", None),
            ("DATABASE_URL", "sqlite:///portal.sqlite3"),
        ],
    )
    def test_it_refuses_a_missing_production_service(self, variable, value):
        result = import_production(**{variable: value})
        assert result.returncode != 0
        assert f"Environment variable {variable} must" in result.stderr

    @pytest.mark.parametrize("key", ["x" * 49, "ab" * 30])
    def test_it_refuses_a_short_or_repetitive_secret_key(self, key):
        result = import_production(SECRET_KEY=key)
        assert result.returncode != 0
        assert "SECRET_KEY must be set to a random value of at least 50 characters" in result.stderr

    @pytest.mark.parametrize("hosts", ["*", "portal.example.org,*", "*.example.org"])
    def test_it_refuses_any_host(self, hosts):
        result = import_production(ALLOWED_HOSTS=hosts)
        assert result.returncode != 0
        assert "ALLOWED_HOSTS must list the portal's host names" in result.stderr

    def test_it_refuses_staff_without_a_second_factor(self):
        result = import_production(ADMIN_REQUIRE_2FA="false")
        assert result.returncode != 0
        assert "ADMIN_REQUIRE_2FA must stay on" in result.stderr

    def test_it_sends_hsts_for_subdomains_too(self):
        result = import_production(show="settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS")
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "31536000 True"

    def test_it_keeps_safeguards_on_when_a_variable_is_empty(self):
        result = import_production(ADMIN_REQUIRE_2FA="")
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "False True"

    def test_it_names_a_malformed_variable(self):
        result = import_production(ALLOWED_HOSTS="portal.example", EMAIL_HOST="smtp.example", EMAIL_PORT="abc")
        assert result.returncode != 0
        assert "EMAIL_PORT='abc'" in result.stderr

    @pytest.mark.parametrize(
        ("variable", "other", "backend"),
        [
            ("ELASTICSEARCH_URL", "OPENSEARCH_URL", "elasticsearch8"),
            ("OPENSEARCH_URL", "ELASTICSEARCH_URL", "opensearch3"),
        ],
    )
    def test_it_searches_on_the_server_named(self, variable, other, backend):
        show = "settings.WAGTAILSEARCH_BACKENDS['default'][key] for key in ('BACKEND', 'URLS')"
        result = import_production(f"*({show})", **{variable: "http://search:9200", other: None})
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"wagtail.search.backends.{backend} ['http://search:9200']"

    def test_it_refuses_two_search_servers(self):
        result = import_production(ELASTICSEARCH_URL="http://es:9200", OPENSEARCH_URL="http://os:9200")
        assert result.returncode != 0
        assert "Set ELASTICSEARCH_URL or OPENSEARCH_URL, not both" in result.stderr


def test_a_purge_address_or_a_cloudflare_zone_turns_front_end_cache_invalidation_on():
    show = "sorted(settings.WAGTAILFRONTENDCACHE), 'wagtail.contrib.frontend_cache' in settings.INSTALLED_APPS"
    assert import_production(show).stdout.strip() == "[] False"
    both = import_production(
        show, FRONTEND_CACHE_PURGE_URL="http://127.0.0.1:6081/", CLOUDFLARE_ZONE_ID="zone", CLOUDFLARE_API_TOKEN="t"
    )
    assert both.stdout.strip() == "['cloudflare', 'proxy'] True", both.stderr
    assert "FRONTEND_CACHE_PURGE_URL" in import_production(show, FRONTEND_CACHE_PURGE_URL="ftp://x").stderr
