"""Typed readers for configuration from the environment.

Each reader names the variable in its error, so a bad deployment says what to fix
instead of failing somewhere deep inside Django.
"""

import os
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def env_str(name: str, default: str = "") -> str:
    """Return the variable, or `default` when it is unset or empty."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        # An empty value keeps the default: `ADMIN_REQUIRE_2FA=` must not turn a safeguard off.
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"Environment variable {name}={raw!r} is not a boolean: use one of {sorted(TRUE_WORDS | FALSE_WORDS)}."
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"Environment variable {name}={raw!r} is not a whole number.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_database(name: str, default: str) -> dj_database_url.DBConfig:
    """Return a Django DATABASES entry parsed from the URL in `name`."""
    raw = os.environ.get(name) or default
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"Environment variable {name} is not a database URL: {exc}") from None
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(f"Environment variable {name}={raw!r} names no known database engine.")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # A connection pool means nothing to SQLite and the health check costs a query.
        config["CONN_MAX_AGE"] = 0
        config["CONN_HEALTH_CHECKS"] = False
    elif config["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_PREPARED_STATEMENTS", True):
        # Parameters sent apart from the query: no value is quoted into a query's text in Python. Statements are not
        # prepared (prepare_threshold None), so PostgreSQL plans each for its values: a plan made for any value, its
        # choice from a prepared statement's sixth run, reads every page for Wagtail's `path LIKE $1` (the feed went
        # from 16 to 1,259 ms). The few whose plan is the same for any value are prepared (portal.rows.planned_once).
        options = config.setdefault("OPTIONS", {})
        options.update(server_side_binding=True, prepare_threshold=None)
    return config


def env_url(name: str, default: str, schemes: tuple[str, ...]) -> str:
    raw = os.environ.get(name) or default
    if raw and raw.split("://", 1)[0] not in schemes:
        raise ImproperlyConfigured(
            f"Environment variable {name}={raw!r} must start with one of {', '.join(s + '://' for s in schemes)}."
        )
    return raw


def tiles_source(url: str) -> str:
    """Return the Content-Security-Policy source of a Leaflet tile URL template.

    Leaflet's `{s}` placeholder stands for its subdomains (a, b, c): `https://{s}.tile.example.org/{z}/{x}/{y}.png`
    gives `https://*.tile.example.org`; a path on the portal's own host (`/tiles/{z}/{x}/{y}.png`) gives `'self'`.
    """
    parts = urlsplit(url.replace("{s}", "*"))
    if url.startswith("/") and not parts.netloc:
        return "'self'"  # tiles served by the portal's own host
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ImproperlyConfigured(f"Environment variable MAP_TILES_URL={url!r} must be an http(s):// address.")
    return f"{parts.scheme}://{parts.netloc}"
