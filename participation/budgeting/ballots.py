"""The hot path of an online ballot (services.cast_ballot): what it reads and writes, in as few statements as it can.

During a vote every eligible resident may confirm within minutes, so a ballot's own cost bounds the turnout the
portal takes (bench/budgeting_ballots.py). The ORM's compilation of a `select_related` costs more here than the
query itself (about 0.5 ms of Python for each of the voter, the budgets and the projects, against 0.05 ms for the
same rows read by hand), so these read plain rows into deferred instances holding only what the ballot's checks
read (the voter and their budgets in one query); and on PostgreSQL the check that the cycle still votes, the
register row, the ballots, their choices and the removal of the draft are one statement, its own transaction.
These statements compare keys only: PostgreSQL keeps one plan for each (portal.rows.planned_once).
Everything else (the checks, the refusals, the one-ballot invariant) stays in services.py.
"""

import functools
from contextlib import nullcontext

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from portal.accounts.models import Verification
from portal.bodies.models import PublicBody
from portal.rows import deferred, loaded, planned_once

from .models import (
    Ballot,
    BallotChoice,
    BallotDraft,
    Budget,
    BudgetGroup,
    Cycle,
    Phase,
    Project,
    ProjectStatus,
    VoterRecord,
)

# More project ids than this on one ballot are read as "every project" (a ballot that long is refused anyway,
# and an IN list stays far below PostgreSQL's 65,535 parameters).
MOST_PROJECTS_NAMED = 500


@functools.cache
def _cycle_columns() -> tuple[list[str], str]:
    """The cycle's field names and its columns for read_cycle's SELECT, once per process.

    The columns named, not `c.*`: a prepared statement's columns cannot change under it when a migration adds one."""
    fields = Cycle._meta.concrete_fields
    return [field.attname for field in fields], ", ".join(f"c.{connection.ops.quote_name(f.column)}" for f in fields)


def read_cycle(uuid) -> Cycle | None:
    """Return the published cycle `uuid` names (every field, and `body.path` for eligibility), or None."""
    field = Cycle._meta.get_field("uuid")
    try:
        key = field.get_db_prep_value(field.to_python(uuid), connection)
    except ValidationError:
        return None
    names, columns = _cycle_columns()
    with planned_once(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, b.path FROM budgeting_cycle c JOIN bodies_publicbody b ON b.id = c.body_id "  # noqa: S608 (column names)
            "WHERE c.uuid = %s AND c.phase <> %s",
            [key, Phase.DRAFT.value],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    cycle = loaded(Cycle, **dict(zip(names, row[:-1], strict=True)))
    cycle.body = deferred(PublicBody, id=cycle.body_id, path=row[-1])
    return cycle


def named_projects(choices) -> list[int] | None:
    """The project ids a ballot's choices name (budget slug → {project id: points}) as the checks read them, or
    None (read every project) when they name more than a ballot could hold."""
    named: set[int] = set()
    for chosen in choices.values() if isinstance(choices, dict) else ():
        for key in chosen if isinstance(chosen, dict) else ():
            try:
                number = int(key)
            except (TypeError, ValueError):
                continue  # refused as not well formed by the checks
            if 0 < number < 2**63:  # a bigint: any other is on no ballot
                named.add(number)
    return sorted(named) if len(named) <= MOST_PROJECTS_NAMED else None


def read_voter_and_budgets(
    cycle, user, chosen: list[int] | None
) -> tuple[Verification | None, list[Budget], dict[int, Project]]:
    """Return, in one query, `user`'s verification (holding its identity hash, district, date of birth and place,
    `body.path`; set on `user` as `user.verification`; None when the account is not verified), the budgets they
    vote in (their district's and the city-wide ones, with their groups) and those of the `chosen` project ids that
    are on their ballot, or all of them when `chosen` is None (id → Project holding its budget and cost): the checks
    read no other project."""
    # An IN list rather than PostgreSQL's `= ANY(array)`: the same query runs on SQLite.
    wanted = "" if chosen is None else f"AND p.id IN ({', '.join(['%s'] * len(chosen)) or 'NULL'}) "
    with planned_once(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT v.id, v.identity_hash, v.district_id, v.born_on, v.body_id, place.path, "  # noqa: S608 (`wanted`: placeholders)
            "bu.id, bu.slug, bu.name_ar, bu.name_fr, bu.name_en, bu.amount, bu.district_id, bu.group_id, "
            "g.name_ar, g.name_fr, g.name_en, g.max_budgets, p.id, p.cost "
            "FROM accounts_user u "
            "LEFT JOIN accounts_verification v ON v.user_id = u.id "
            "LEFT JOIN bodies_publicbody place ON place.id = v.body_id "
            "LEFT JOIN budgeting_budget bu ON bu.cycle_id = %s "
            " AND (bu.district_id IS NULL OR bu.district_id = v.district_id) "
            "LEFT JOIN budgeting_budgetgroup g ON g.id = bu.group_id "
            f"LEFT JOIN budgeting_project p ON p.budget_id = bu.id AND p.status = %s {wanted}"
            "WHERE u.id = %s",
            [cycle.pk, ProjectStatus.FEASIBLE.value, *(chosen or ()), user.pk],
        )
        rows = cursor.fetchall()
    verification = None
    if rows and rows[0][0] is not None:
        pk, digest, district_id, born_on, body_id, path = rows[0][:6]
        verification = deferred(
            Verification,
            id=pk,
            user_id=user.pk,
            identity_hash=digest,
            district_id=district_id,
            born_on=born_on,
            body_id=body_id,
        )
        verification.body = deferred(PublicBody, id=body_id, path=path)
        user.verification = verification
    budgets: dict[int, Budget] = {}
    groups: dict[int, BudgetGroup] = {}
    projects: dict[int, Project] = {}
    for pk, slug, name_ar, name_fr, name_en, amount, district, group_id, *group, project_id, cost in (
        row[6:] for row in rows
    ):
        if pk is None:  # a cycle without budgets for this voter
            continue
        if pk not in budgets:
            # The ORM's converters (portal.rows.loaded): SQLite hands back the amount as a number.
            budget = loaded(
                Budget,
                id=pk,
                cycle_id=cycle.pk,
                slug=slug,
                name_ar=name_ar,
                name_fr=name_fr,
                name_en=name_en,
                amount=amount,
                district_id=district,
                group_id=group_id,
            )
            budget.cycle = cycle
            if group_id is not None:
                if group_id not in groups:
                    group_ar, group_fr, group_en, most = group
                    groups[group_id] = deferred(
                        BudgetGroup,
                        id=group_id,
                        cycle_id=cycle.pk,
                        name_ar=group_ar,
                        name_fr=group_fr,
                        name_en=group_en,
                        max_budgets=most,
                    )
                budget.group = groups[group_id]
            budgets[pk] = budget
        if project_id is not None:
            projects[project_id] = loaded(Project, id=project_id, budget_id=pk, cost=cost)
    return verification, list(budgets.values()), projects


def still_in(cycle: Cycle, phases) -> bool:
    """Whether the cycle is in one of `phases` now, as stored; inside a transaction, its row then stays shared
    until the end of it.

    A request may have loaded the cycle before voting closed or the results were counted. Phase moves lock the
    cycle's row (portal.workflow: FOR UPDATE); the shared lock (FOR KEY SHARE: ballots do not wait for each other)
    makes a move wait for the ballots being written, or a ballot see the move that came first, so that no ballot
    lands after the close or outside the published count. (SQLite serialises writers anyway.)
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT phase FROM budgeting_cycle WHERE id = %s FOR KEY SHARE", [cycle.pk])
            row = cursor.fetchone()
        phase = row[0] if row else None
    else:
        phase = Cycle.objects.filter(pk=cycle.pk).values_list("phase", flat=True).first()
    return phase in phases


def store_ballots(cycle, ballot: dict[Budget, dict[int, int]], digest: str, channel: str) -> None:
    """Write the ballots of one person (budget → {project id: points}) and their choices, no register row."""
    rows = [Ballot(cycle=cycle, budget=budget, receipt_digest=digest, channel=channel) for budget in ballot]
    Ballot.objects.bulk_create(rows)
    BallotChoice.objects.bulk_create(
        BallotChoice(ballot=row, project_id=project_id, points=points)
        for row, chosen in zip(rows, ballot.values(), strict=True)
        for project_id, points in chosen.items()
    )


def store_online_ballot(cycle, user, verification: Verification, ballot: dict, digest: str, channel: str) -> bool:
    """Write the register row, the ballots and their choices, and remove the voter's draft, if the cycle is still
    voting as stored (`still_in`'s lock, held to the end); return False, writing nothing, if it is not.

    All or nothing: a second ballot of the same person fails on the register's unique constraints (IntegrityError)
    and writes nothing. On PostgreSQL it is one statement, the phase's check included, so a transaction of its own
    when none is open: no BEGIN nor COMMIT to wait for (the statement commits as it ends, its deferred foreign keys
    checked then). Inside a caller's transaction a savepoint keeps a refused ballot from aborting it.
    """
    if connection.vendor != "postgresql":
        with transaction.atomic():
            if not still_in(cycle, [Phase.VOTING]):
                return False
            digest_of_person = verification.identity_hash
            VoterRecord.objects.create(cycle=cycle, identity_hash=digest_of_person, user=user, channel=channel)
            store_ballots(cycle, ballot, digest, channel)
            BallotDraft.objects.filter(cycle=cycle, user=user).delete()
        return True
    ballot_ids = [Ballot._meta.pk.get_default() for _ in ballot]
    choices = [
        (BallotChoice._meta.pk.get_default(), ballot_id, project_id, points)
        for ballot_id, chosen in zip(ballot_ids, ballot.values(), strict=True)
        for project_id, points in chosen.items()
    ]
    # The foreign keys are DEFERRABLE INITIALLY DEFERRED (Django's): choices may name ballots of the same statement.
    # `voting` is read once (a CTE named twice is evaluated once); each write takes its rows from it, so a cycle
    # no longer voting gets none.
    with (
        transaction.atomic() if connection.in_atomic_block else nullcontext(),
        planned_once(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "WITH voting AS ("
            " SELECT id FROM budgeting_cycle WHERE id = %s AND phase = %s FOR KEY SHARE"
            "), voter AS ("
            " INSERT INTO budgeting_voterrecord (cycle_id, identity_hash, user_id, channel, station, voted_at)"
            " SELECT id, %s, %s, %s, '', now() FROM voting"
            "), ballots AS ("
            " INSERT INTO budgeting_ballot (id, cycle_id, budget_id, receipt_digest, channel)"
            " SELECT b.id, voting.id, b.budget, %s, %s"
            " FROM voting, unnest(%s::uuid[], %s::bigint[]) AS b (id, budget)"
            "), choices AS ("
            " INSERT INTO budgeting_ballotchoice (id, ballot_id, project_id, points)"
            " SELECT c.* FROM voting, unnest(%s::uuid[], %s::uuid[], %s::bigint[], %s::smallint[]) AS c"
            "), draft AS ("
            " DELETE FROM budgeting_ballotdraft WHERE cycle_id = (SELECT id FROM voting) AND user_id = %s"
            ") SELECT count(*) FROM voting",
            [
                cycle.pk, Phase.VOTING.value,
                verification.identity_hash, user.pk, channel,
                digest, channel, ballot_ids, [budget.pk for budget in ballot],
                [row[0] for row in choices], [row[1] for row in choices], [row[2] for row in choices],
                [row[3] for row in choices],
                user.pk,
            ],
        )  # fmt: skip
        return cursor.fetchone()[0] == 1
