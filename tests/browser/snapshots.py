"""The test database as the demo left it, kept once and put back before each browser test.

`load_demo` takes 20 to 40 s; putting its result back takes well under one. PostgreSQL keeps the copy as a
database made from the test database (`CREATE DATABASE … TEMPLATE`), SQLite as an in-memory copy made with its
backup API. Both copy everything: tables outside Django's models (the datastore's, the search index's), sequences,
what the migrations wrote. The files the demo wrote stay where it wrote them (the pass's own MEDIA_ROOT).
"""

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from django.db.backends.base.base import BaseDatabaseWrapper


@dataclass
class Snapshot:
    restore: Callable[[], None]
    discard: Callable[[], None]


def take_snapshot(connection: BaseDatabaseWrapper) -> Snapshot | None:
    """None for a database that no copy here covers (another engine): each test then loads the demo itself."""
    if connection.vendor == "postgresql":
        return _postgresql_snapshot(connection)
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        return _sqlite_snapshot(connection)
    return None


def _postgresql_snapshot(connection) -> Snapshot:
    name = connection.settings_dict["NAME"]
    database, copy = connection.ops.quote_name(name), connection.ops.quote_name(f"{name}_snapshot")

    def run(*statements: str, closing_sessions: bool = False) -> None:
        # From the maintenance database: a database cannot be copied or dropped while anyone is connected to it.
        connection.close()
        with connection._nodb_cursor() as cursor:
            if closing_sessions:  # of the template: the live server's request threads may still hold one
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    [name],
                )
            for statement in statements:
                cursor.execute(statement)

    run(f"DROP DATABASE IF EXISTS {copy}", f"CREATE DATABASE {copy} TEMPLATE {database}", closing_sessions=True)
    return Snapshot(
        restore=lambda: run(f"DROP DATABASE {database} WITH (FORCE)", f"CREATE DATABASE {database} TEMPLATE {copy}"),
        discard=lambda: run(f"DROP DATABASE IF EXISTS {copy}"),
    )


def _sqlite_snapshot(connection) -> Snapshot:
    # The live server shares this connection (the database lives in memory): nothing else holds a lock on it.
    connection.ensure_connection()
    copy = sqlite3.connect(":memory:", check_same_thread=False)
    connection.connection.backup(copy)

    def restore() -> None:
        connection.ensure_connection()
        copy.backup(connection.connection)

    return Snapshot(restore=restore, discard=copy.close)
