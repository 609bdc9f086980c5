"""A PostgreSQL database of its own for a benchmark, on the server that DATABASE_URL names."""

import os
import sys
from urllib.parse import urlsplit, urlunsplit


def bench_database_urls(name: str, script: str) -> tuple[str, str]:
    """Return the URLs of database `name` and of the server's maintenance database, or exit saying why."""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        sys.exit(
            f"{script} measures PostgreSQL, the production database: set DATABASE_URL to a PostgreSQL "
            f"server, e.g. postgres://postgres@127.0.0.1:5432/baladiya (got {url or 'nothing, i.e. SQLite'})."
        )
    return urlunsplit(parts._replace(path=f"/{name}")), urlunsplit(parts._replace(path="/postgres"))


def recreate_database(name: str, maintenance_url: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(maintenance_url, autocommit=True) as connection:
        identifier = sql.Identifier(name)
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(identifier))


def database_exists(name: str, maintenance_url: str) -> bool:
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
