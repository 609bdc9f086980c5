"""The hot path of a support by the REST API (`POST …/support/`, services.support): what it reads and writes, in as
few statements as it can.

During a campaign every supporter of a proposal clicks within minutes, so a support's own cost bounds what the
portal takes (bench/proposals.py). As in participation/budgeting/ballots.py, the ORM's compilation of a
`select_related` costs more than the query itself, so the proposal is read by hand into a deferred instance holding
only what the checks read (its status and its space's dates, threshold and answer time), with whether the person is
verified in the same query; and on PostgreSQL a new support, its follow and the count are one statement, run in
autocommit: one statement is one transaction, without BEGIN and COMMIT. Everything else (the checks, the
refusals, the one-support invariant, the threshold) stays in services.py. Its statements compare keys only:
PostgreSQL keeps one plan for each (portal.rows.planned_once).
"""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from portal.accounts.models import Organisation, Verification
from portal.rows import deferred, planned_once

from .models import PUBLIC_STATUSES, Follow, Proposal, Space, Support


def read_proposal(uuid, user) -> Proposal | None:
    """Return the public proposal `uuid` names, holding its status and its space (dates, threshold, answer time),
    or None; `user`'s verification (or its absence) is read in the same query and set on `user`, for is_verified.

    Other fields load when first read, as any deferred field does (reaching the threshold reads a few)."""
    field = Proposal._meta.get_field("uuid")
    try:
        value = field.to_python(uuid)
        key = field.get_db_prep_value(value, connection)
    except ValidationError:
        return None
    statuses = ", ".join(["%s"] * len(PUBLIC_STATUSES))
    with planned_once(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.id, p.status, p.space_id, s.opens_on, s.closes_on, s.support_threshold, s.answer_days,"  # noqa: S608 (placeholders only)
            " (SELECT v.id FROM accounts_verification v WHERE v.user_id = %s)"
            " FROM proposals_proposal p JOIN proposals_space s ON s.id = p.space_id"
            f" WHERE p.uuid = %s AND p.status IN ({statuses})",
            [user.pk, key, *PUBLIC_STATUSES],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    pk, status, space_id, opens_on, closes_on, threshold, answer_days, verification_id = row
    proposal = deferred(Proposal, id=pk, uuid=value, status=status, space_id=space_id)
    proposal.space = deferred(
        Space,
        id=space_id,
        opens_on=opens_on,
        closes_on=closes_on,
        support_threshold=threshold,
        answer_days=answer_days,
    )
    if user.is_authenticated:
        verification = None
        if verification_id is not None:
            verification = deferred(Verification, id=verification_id, user_id=user.pk)
            Verification._meta.get_field("user").set_cached_value(verification, user)
        # Cached, even when None (the reverse one-to-one then raises DoesNotExist as after a query finding none).
        type(user)._meta.get_field("verification").set_cached_value(user, verification)
    return proposal


def add_support(proposal: Proposal, user, organisation: Organisation | None = None) -> int | None:
    """Add the support of `user` (or of `organisation`, for which `user` acts), the person's follow and one to the
    proposal's count, and return the new count; None when the support was there already (its unique constraint
    keeps the row that was, and nothing is written).

    On PostgreSQL one statement: run in autocommit it is its own transaction, and the proposal's row, which every
    support of a campaign updates, stays locked only until it commits (inside a transaction a caller holds, it is
    part of that one). Elsewhere (SQLite: no writes in WITH) three statements in one transaction, no savepoint.
    Statements by hand: the ORM has neither ON CONFLICT … RETURNING nor UPDATE … RETURNING."""
    supports, follows, proposals = (model._meta.db_table for model in (Support, Follow, Proposal))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    organisation_id = organisation.pk if organisation is not None else None
    if connection.vendor == "postgresql":
        with planned_once(), connection.cursor() as cursor:
            # portal.caching reads the tables a WITH statement writes: the count is public, cached pages retire.
            cursor.execute(
                f"WITH new AS ("  # noqa: S608 (table names from the models)
                f" INSERT INTO {supports} (proposal_id, user_id, organisation_id, created_at)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id"
                "), followed AS ("
                f" INSERT INTO {follows} (proposal_id, user_id, created_at) SELECT %s, %s, %s FROM new"
                " ON CONFLICT DO NOTHING"
                f") UPDATE {proposals} SET supports_count = supports_count + 1"
                " WHERE id = %s AND EXISTS (SELECT 1 FROM new) RETURNING supports_count",
                [proposal.pk, user.pk, organisation_id, now, proposal.pk, user.pk, now, proposal.pk],
            )
            row = cursor.fetchone()
        return None if row is None else row[0]
    with transaction.atomic(), connection.cursor() as cursor:
        # A second support of the same person (or association), racing or not, meets a unique constraint: no row.
        cursor.execute(
            f"INSERT INTO {supports} (proposal_id, user_id, organisation_id, created_at) VALUES (%s, %s, %s, %s) "  # noqa: S608
            "ON CONFLICT DO NOTHING RETURNING id",
            [proposal.pk, user.pk, organisation_id, now],
        )
        if cursor.fetchone() is None:
            return None
        cursor.execute(
            f"INSERT INTO {follows} (proposal_id, user_id, created_at) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",  # noqa: S608
            [proposal.pk, user.pk, now],
        )
        # Last: the proposal's row stays locked from here to the commit.
        cursor.execute(
            f"UPDATE {proposals} SET supports_count = supports_count + 1 WHERE id = %s RETURNING supports_count",  # noqa: S608
            [proposal.pk],
        )
        return cursor.fetchone()[0]


def count_of(proposal: Proposal) -> int:
    """The proposal's count of supports now, by a statement of its own: after a repeated support, it sees the
    support that a request of the same person sent at the same instant committed while this one waited for it."""
    with planned_once(), connection.cursor() as cursor:
        cursor.execute(f"SELECT supports_count FROM {Proposal._meta.db_table} WHERE id = %s", [proposal.pk])  # noqa: S608
        return cursor.fetchone()[0]
