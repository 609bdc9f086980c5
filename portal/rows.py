"""Rows read by hand into model instances, for the requests everyone makes at once (a ballot, a support).

There the ORM's compilation of a `select_related` costs more than the query itself (about 0.5 ms of Python against
0.05 ms for the same row read by hand): participation/budgeting/ballots.py and participation/proposals/supports.py
read plain rows and make instances holding only what their checks read.
"""


def deferred(model, **values):
    """An instance of `model` as loaded from the database with only `values` (the other fields deferred: they load
    when first read, as any deferred field does)."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(None, names, [values[name] for name in names])
