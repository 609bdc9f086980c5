"""Rows read and written by hand, for the requests everyone makes at once (a ballot, a support).

There the ORM's compilation of a `select_related` costs more than the query itself (about 0.5 ms of Python against
0.05 ms for the same row read by hand): participation/budgeting/ballots.py and participation/proposals/supports.py
read plain rows and make instances holding only what their checks read, and have their statements planned once.
"""

from contextlib import contextmanager
from typing import Any

from django.db import connection


def deferred(model, **values):
    """An instance of `model` as loaded from the database with only `values` (the other fields deferred: they load
    when first read, as any deferred field does)."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(None, names, [values[name] for name in names])


def loaded(model, **values) -> Any:
    """As `deferred`, from `values` as the database handed them: each field's converters applied as the ORM applies
    them (SQLite hands back naive datetimes, and decimals as numbers)."""
    for name, value in values.items():
        field = model._meta.get_field(name)
        column = field.get_col(model._meta.db_table)
        for converter in connection.ops.get_db_converters(column) + field.get_db_converters(connection):
            value = converter(value, column, connection)
        values[name] = value
    return deferred(model, **values)


@contextmanager
def planned_once():
    """On PostgreSQL, prepare the statements run inside at their first run on a connection, so that from their sixth
    PostgreSQL may keep one plan for any value instead of planning each run again.

    Only for statements whose best plan is the same for any value: equality on keys, as a ballot's and a support's
    are (in one process a ballot took 6.63 ms with its statements planned at each run, 6.14 planned once). Every
    other statement is planned for its values (portal/settings/env.py): a plan made for any value reads every page
    for Wagtail's `path LIKE $1`. Nothing changes when the parameters are bound in Python
    (DATABASE_PREPARED_STATEMENTS=false) or on SQLite.
    """
    if connection.vendor != "postgresql" or not connection.settings_dict["OPTIONS"].get("server_side_binding"):
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    before, raw.prepare_threshold = raw.prepare_threshold, 0
    try:
        yield
    finally:
        raw.prepare_threshold = before
