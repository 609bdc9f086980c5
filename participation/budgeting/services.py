"""What happens in a budgeting cycle: phases, projects and their review, ballots online and on paper, receipts,
the works that follow. Results are counted in results.py.

The public pages, the staff screens, the REST API, the commands and the demo all call these functions. Each
checks who may act (the workflows' rules and the checks below), writes the audit trail for staff actions and
refuses with a `BudgetingRefused` whose message can be shown to the person.
"""

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.log_actions import log

from portal.accounts.identity import (
    Eligibility,
    eligibility,
    eligibility_message,
    identity_hash,
    normalise_identity_number,
)
from portal.accounts.models import Membership, Organisation, Verification, is_verified
from portal.bodies.auth import has_any_role
from portal.bodies.models import District, Role, district_containing
from portal.caching import unobserved
from portal.files import FileRefused, reencode_photo
from portal.money import format_money
from portal.workflow import TransitionNotAllowed

from . import ballots, notifications
from .models import (
    PHASE_ORDER,
    PHASE_STARTS,
    Ballot,
    BallotDraft,
    BallotRule,
    Budget,
    Channel,
    Cycle,
    Follow,
    Milestone,
    PaperBallot,
    Phase,
    Project,
    ProjectStatus,
    Stage,
    VoterRecord,
)
from .workflow import CYCLE_WORKFLOW, PROJECT_WORKFLOW, manages


class BudgetingRefused(ValueError):
    """What a person asked cannot be done; the message says why, in their language."""


class NotEligible(BudgetingRefused):
    """This account cannot vote in this cycle (not verified, not a resident, too young)."""


class VotingClosed(BudgetingRefused):
    """The ballot came before voting opened or after it closed."""


class AlreadyVoted(BudgetingRefused):
    """This person has a ballot in this cycle already, online or on paper."""


# Choices as a ballot form or the API sends them: {budget slug: {project id: points}}.
Choices = dict[str, dict[int, int]]


def _text(text: str, label: str, limit: int) -> str:
    text = (text or "").strip()
    if not text:
        raise BudgetingRefused(_("%(field)s is empty.") % {"field": label})
    if len(text) > limit:
        raise BudgetingRefused(
            _("%(field)s is %(length)d characters long; the limit is %(limit)d.")
            % {"field": label, "length": len(text), "limit": limit}
        )
    return text


# Phases --------------------------------------------------------------------------------------------------------


def move_cycle(cycle: Cycle, phase: str, *, by=None, note: str = "") -> Cycle:
    """Move the cycle to `phase` (forward only). Results are published by results.publish_results instead."""
    if phase == Phase.RESULTS:
        raise BudgetingRefused(_("Results are published by counting the ballots."))
    if phase == Phase.VOTING and not cycle.budgets.exists():
        raise BudgetingRefused(_("Voting cannot open before the cycle has a budget."))
    try:
        return CYCLE_WORKFLOW.move(cycle, phase, by=by, note=note)
    except TransitionNotAllowed:
        raise BudgetingRefused(
            _("The cycle cannot go from “%(from)s” to “%(to)s”.")
            % {"from": cycle.get_phase_display(), "to": Phase(phase).label}
        ) from None


def due_phase(cycle: Cycle, now=None) -> str | None:
    """The latest scheduled phase whose start has come and that the cycle has not reached yet."""
    now = now or timezone.now()
    due = None
    for phase, field_name in PHASE_STARTS.items():
        start = getattr(cycle, field_name)
        if start is not None and start <= now and PHASE_ORDER.index(phase) > PHASE_ORDER.index(cycle.phase):
            due = phase
    return due


def advance_phases(now=None) -> int:
    """Move every published cycle whose next phase has come (run each minute by Celery beat). Returns how many."""
    moved = 0
    for cycle in Cycle.objects.exclude(phase__in=[Phase.DRAFT, Phase.RESULTS, Phase.IMPLEMENTATION]):
        phase = due_phase(cycle, now)
        if phase is None:
            continue
        try:
            move_cycle(cycle, phase, note=_("Scheduled"))
        except BudgetingRefused:
            continue  # moved by someone else meanwhile, or voting due in a cycle without a budget
        moved += 1
    return moved


# Projects ------------------------------------------------------------------------------------------------------


@dataclass
class ProjectDraft:
    title: str
    description: str
    language: str
    budget: Budget | None = None
    longitude: float | None = None
    latitude: float | None = None
    estimated_cost: Decimal | None = None
    organisation: Organisation | None = None


def districts_of(cycle: Cycle):
    return District.objects.filter(body__path__startswith=cycle.body.path)


def locate(cycle: Cycle, longitude: float | None, latitude: float | None) -> District | None:
    """The district of the point; refused outside the body's territory (when it has district boundaries)."""
    if longitude is None and latitude is None:
        return None
    if longitude is None or latitude is None or not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
        raise BudgetingRefused(_("The point on the map is not a valid position."))
    districts = list(districts_of(cycle))
    district = district_containing(districts, longitude, latitude)
    if district is None and districts:
        raise BudgetingRefused(
            _("The point on the map is outside the territory of %(body)s.") % {"body": cycle.body.name}
        )
    return district


def budget_for(cycle: Cycle, district: District | None, chosen: Budget | None) -> Budget:
    """The budget a project goes to: the one chosen (city-wide, or its own district's), else its district's."""
    if chosen is not None:
        if chosen.cycle_id != cycle.pk:
            raise BudgetingRefused(_("This budget is not one of this cycle's."))
        if chosen.district_id is not None and district is not None and chosen.district_id != district.pk:
            raise BudgetingRefused(_("The point on the map is not in the district of this budget."))
        return chosen
    budgets = cycle.budgets.all()
    found = budgets.filter(district=district).first() if district else None
    found = found or budgets.filter(district__isnull=True).first()
    if found is None:
        raise BudgetingRefused(_("Choose the budget this project is for."))
    return found


def submit_project(cycle: Cycle, author, draft: ProjectDraft) -> Project:
    """A resident's project, while the cycle takes submissions. Residents only: the verified of the body."""
    if cycle.phase != Phase.SUBMISSION:
        raise BudgetingRefused(_("This cycle does not take projects now."))
    if not is_verified(author):
        raise BudgetingRefused(_("Only verified residents can submit projects. Verify your account first."))
    if eligibility(author, cycle.body)[1] == Eligibility.NOT_RESIDENT:
        raise BudgetingRefused(
            _("Only residents of %(body)s can submit projects to this cycle.") % {"body": cycle.body.name}
        )
    if draft.organisation is not None:
        approved = draft.organisation.is_approved()
        member = Membership.objects.filter(organisation=draft.organisation, user=author).exists()
        if not (approved and member):
            raise PermissionDenied
    district = locate(cycle, draft.longitude, draft.latitude)
    budget = budget_for(cycle, district, draft.budget)
    if draft.estimated_cost is not None and draft.estimated_cost <= 0:
        raise BudgetingRefused(_("The estimated cost must be more than zero."))
    project = Project.objects.create(
        cycle=cycle,
        budget=budget,
        title=_text(draft.title, _("The title"), 200),
        description=_text(draft.description, _("The description"), settings.PROPOSALS_MAX_TEXT_LENGTH),
        language=draft.language,
        district=district or budget.district,
        longitude=draft.longitude,
        latitude=draft.latitude,
        estimated_cost=draft.estimated_cost,
        author=author,
        organisation=draft.organisation,
    )
    Follow.objects.get_or_create(project=project, user=author)
    return project


def add_project(cycle: Cycle, by, draft: ProjectDraft) -> Project:
    """A project staff add themselves (one brought to a meeting, a service's own), before the review is over.

    It is signed by the body and reviewed like any other."""
    if not manages(by, cycle):
        raise PermissionDenied
    if cycle.phase not in (Phase.SUBMISSION, Phase.REVIEW):
        raise BudgetingRefused(_("Staff add projects during the submission of projects and the technical review."))
    district = locate(cycle, draft.longitude, draft.latitude)
    budget = budget_for(cycle, district, draft.budget)
    if draft.estimated_cost is not None and draft.estimated_cost <= 0:
        raise BudgetingRefused(_("The estimated cost must be more than zero."))
    with transaction.atomic():
        project = Project.objects.create(
            cycle=cycle,
            budget=budget,
            title=_text(draft.title, _("The title"), 200),
            description=_text(draft.description, _("The description"), settings.PROPOSALS_MAX_TEXT_LENGTH),
            language=draft.language,
            district=district or budget.district,
            longitude=draft.longitude,
            latitude=draft.latitude,
            estimated_cost=draft.estimated_cost,
        )
        log(instance=project, action="budgeting.add", user=by)
    return project


def withdraw_project(project: Project, by) -> Project:
    try:
        return PROJECT_WORKFLOW.move(project, "withdraw", by=by)
    except TransitionNotAllowed:
        raise BudgetingRefused(_("Only a project awaiting review can be withdrawn.")) from None


def review_project(project: Project, by, *, feasible: bool, cost: Decimal | None, note: str) -> Project:
    """The technical review: on the ballot at a cost, or set aside with the reasons the public reads."""
    if not manages(by, project):
        raise PermissionDenied
    if project.cycle.rules_locked:
        raise BudgetingRefused(_("Projects cannot be reviewed once voting has opened."))
    if feasible:
        if cost is None or cost <= 0:
            raise BudgetingRefused(_("A project on the ballot needs its cost."))
        if cost > project.budget.amount:
            raise BudgetingRefused(
                _("This project costs more than its whole budget (%(amount)s).")
                % {"amount": format_money(project.budget.amount, project.cycle.currency)}
            )
        with transaction.atomic():
            Project.objects.filter(pk=project.pk).update(cost=cost)
            project = PROJECT_WORKFLOW.move(project, "accept", by=by, note=(note or "").strip(), review_note=note or "")
    else:
        reasons = _text(note, _("The reasons"), 5_000)
        project = PROJECT_WORKFLOW.move(project, "set_aside", by=by, note=reasons, review_note=reasons)
    notifications.tell_followers(project)
    return project


def project_from_proposal(proposal, budget: Budget, by, note: str) -> Project:
    """Turn an accepted citizen proposal into a project of a cycle (the proposal records the move)."""
    from participation.proposals.services import convert

    cycle = budget.cycle
    if not manages(by, cycle) or not proposal.space.body.path.startswith(cycle.body.path):
        raise PermissionDenied
    if cycle.rules_locked:
        raise BudgetingRefused(_("Projects cannot be added once voting has opened."))
    with transaction.atomic():
        convert(proposal, by, note)
        project = Project.objects.create(
            cycle=cycle,
            budget=budget,
            title=proposal.title,
            description=proposal.text,
            language=proposal.language,
            district=proposal.district or budget.district,
            longitude=proposal.longitude,
            latitude=proposal.latitude,
            estimated_cost=proposal.estimated_cost,
            author=proposal.author,
            organisation=proposal.organisation,
            proposal=proposal,
        )
        log(instance=project, action="budgeting.from_proposal", user=by, data={"proposal": proposal.pk})
    return project


def follow(project: Project, user) -> None:
    Follow.objects.get_or_create(project=project, user=user)


def unfollow(project: Project, user) -> None:
    Follow.objects.filter(project=project, user=user).delete()


# Voters --------------------------------------------------------------------------------------------------------


def check_voter(cycle: Cycle, user) -> Verification:
    """The voter's verification, or a refusal saying why this account cannot vote in this cycle."""
    if user.is_authenticated:  # read once with its place, which eligibility and the budgets ask for
        verification = Verification.objects.select_related("body", "district").filter(user=user).first()
        if verification is not None:
            user.verification = verification
    eligible, reason = eligibility(user, cycle.body, min_age=cycle.min_age)
    if not eligible:
        raise NotEligible(eligibility_message(reason))
    return user.verification


def budgets_for(cycle: Cycle, district: District | None) -> list[Budget]:
    """The budgets a resident of `district` votes in: their district's and the city-wide ones."""
    budgets = cycle.budgets.filter(Q(district__isnull=True) | Q(district=district) if district else Q(district=None))
    return list(budgets.select_related("district", "group"))


def voter_budgets(cycle: Cycle, user) -> list[Budget]:
    return budgets_for(cycle, check_voter(cycle, user).district)


def has_voted(cycle: Cycle, user) -> bool:
    if not is_verified(user):
        return False
    return VoterRecord.objects.filter(cycle=cycle, identity_hash=user.verification.identity_hash).exists()


# Ballots -------------------------------------------------------------------------------------------------------


def validate_ballot(cycle: Cycle, budget: Budget, choices: dict[int, int], projects=None) -> dict[int, int]:
    """The choices of one budget, checked against the cycle's ballot rule; a refusal says what is wrong.

    `choices` maps a project's id to its points (1 for every rule but cumulative). `projects` (id → Project)
    spares a query when the caller has the budget's projects already.
    """
    if projects is None:
        projects = {project.pk: project for project in budget.projects.filter(status=ProjectStatus.FEASIBLE)}
    cleaned: dict[int, int] = {}
    for key, points in choices.items():
        try:
            project_id, points = int(key), int(points)
        except (TypeError, ValueError):
            raise BudgetingRefused(_("The ballot is not well formed.")) from None
        if project_id not in projects:
            raise BudgetingRefused(
                _("Project %(id)s is not on the ballot of “%(budget)s”.") % {"id": project_id, "budget": budget.name}
            )
        if points < 0:
            raise BudgetingRefused(_("Points cannot be negative."))
        if points:
            cleaned[project_id] = points
    rule = cycle.ballot_rule
    name = budget.name
    if rule != BallotRule.CUMULATIVE and any(points != 1 for points in cleaned.values()):
        raise BudgetingRefused(_("Each project is chosen once on this ballot."))
    if rule == BallotRule.APPROVAL and cycle.max_projects and len(cleaned) > cycle.max_projects:
        raise BudgetingRefused(
            ngettext(
                "Choose at most %(count)d project in “%(budget)s”.",
                "Choose at most %(count)d projects in “%(budget)s”.",
                cycle.max_projects,
            )
            % {"count": cycle.max_projects, "budget": name}
        )
    if rule == BallotRule.CHOOSE_ONE and len(cleaned) > 1:
        raise BudgetingRefused(_("Choose one project in “%(budget)s”.") % {"budget": name})
    if rule == BallotRule.KNAPSACK and cleaned:
        total = sum((projects[pk].cost or Decimal(0) for pk in cleaned), Decimal(0))
        if total > budget.amount:
            raise BudgetingRefused(
                _("The projects chosen in “%(budget)s” cost %(total)s, more than its %(amount)s.")
                % {
                    "budget": name,
                    "total": format_money(total, cycle.currency),
                    "amount": format_money(budget.amount, cycle.currency),
                }
            )
        if cycle.min_spend_share and total < budget.amount * cycle.min_spend_share:
            raise BudgetingRefused(
                _("Choose projects worth at least %(least)s in “%(budget)s” (now %(total)s).")
                % {
                    "least": format_money(budget.amount * cycle.min_spend_share, cycle.currency),
                    "budget": name,
                    "total": format_money(total, cycle.currency),
                }
            )
    if rule == BallotRule.CUMULATIVE:
        if cycle.max_points_per_project and any(p > cycle.max_points_per_project for p in cleaned.values()):
            raise BudgetingRefused(
                _("Give at most %(count)d points to one project.") % {"count": cycle.max_points_per_project}
            )
        if sum(cleaned.values()) > (cycle.points or 0):
            raise BudgetingRefused(
                _("You have %(count)d points to share in “%(budget)s”.") % {"count": cycle.points or 0, "budget": name}
            )
    return cleaned


def validate_choices(
    cycle: Cycle, budgets: list[Budget], choices: Choices, projects: dict[int, Project] | None = None
) -> dict[Budget, dict[int, int]]:
    """A whole ballot: only the voter's budgets, the groups' limits, each budget under the rule; not empty.

    `projects` (id → Project, the budgets' projects on the ballot) spares a query when the caller has them.
    """
    if not isinstance(choices, dict) or any(not isinstance(chosen, dict | None) for chosen in choices.values()):
        raise BudgetingRefused(_("The ballot is not well formed."))
    by_slug = {budget.slug: budget for budget in budgets}
    unknown = set(choices) - set(by_slug)
    if unknown:
        raise BudgetingRefused(
            _("You cannot vote in “%(budget)s”: it is not a budget of your district.") % {"budget": sorted(unknown)[0]}
        )
    if projects is None:
        projects = {
            project.pk: project
            for project in Project.objects.filter(budget__in=budgets, status=ProjectStatus.FEASIBLE).only(
                "pk", "budget_id", "cost"
            )
        }
    ballot: dict[Budget, dict[int, int]] = {}
    for slug, chosen in choices.items():
        budget = by_slug[slug]
        own = {pk: project for pk, project in projects.items() if project.budget_id == budget.pk}
        cleaned = validate_ballot(cycle, budget, chosen or {}, own)
        if cleaned:
            ballot[budget] = cleaned
    if not ballot:
        raise BudgetingRefused(_("The ballot is empty: choose at least one project."))
    groups: dict = {}
    for budget in ballot:
        if budget.group_id:
            groups.setdefault(budget.group, []).append(budget)
    for group, voted in groups.items():
        if len(voted) > group.max_budgets:
            raise BudgetingRefused(
                ngettext(
                    "Vote in at most %(count)d budget of “%(group)s”.",
                    "Vote in at most %(count)d budgets of “%(group)s”.",
                    group.max_budgets,
                )
                % {"count": group.max_budgets, "group": group.name}
            )
    return ballot


RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed from paper


def new_receipt() -> str:
    code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def receipt_digest(code: str) -> str:
    """The SHA-256 of a receipt code as the voter may type it back (any case, dashes and spaces, Arabic digits)."""
    text = unicodedata.normalize("NFKC", code or "")
    text = "".join(str(unicodedata.digit(char)) if char.isdigit() else char for char in text)
    return hashlib.sha256("".join(char for char in text.upper() if char.isalnum()).encode()).hexdigest()


def already_voted() -> AlreadyVoted:
    return AlreadyVoted(_("This person has voted in this cycle already (online or on paper)."))


def save_draft(cycle: Cycle, user, choices: Choices) -> BallotDraft:
    """Keep what the voter has chosen so far (unchecked), so that they can come back and be reminded."""
    draft, _created = BallotDraft.objects.update_or_create(
        cycle=cycle, user=user, defaults={"choices": {slug: dict(chosen) for slug, chosen in choices.items()}}
    )
    return draft


def cast_ballot(cycle: Cycle, user, choices: Choices) -> str:
    """Cast the voter's ballot and return the receipt code (shown once, stored only as its digest).

    The register row and the ballots are written in one transaction: the register's unique constraint makes a
    second ballot of the same person (another request, another account, a paper ballot) fail, whichever comes
    second, so exactly one counts.
    """
    if not cycle.is_voting_open():
        raise VotingClosed(_("Voting is not open in this cycle."))
    # The voter, their budgets and projects read lean (ballots.py): this is the request every voter makes at once.
    verification, budgets, projects = (
        ballots.read_voter_and_budgets(cycle, user, ballots.named_projects(choices))
        if user.is_authenticated
        else (None, [], {})
    )
    eligible, reason = eligibility(user, cycle.body, min_age=cycle.min_age)
    if not eligible:
        raise NotEligible(eligibility_message(reason))
    ballot = validate_choices(cycle, budgets, choices, projects)
    code = new_receipt()
    try:
        # Nothing a public page shows changes (running counts stay hidden): no cached page is retired.
        with unobserved():
            stored = ballots.store_online_ballot(
                cycle, user, verification, ballot, receipt_digest(code), Channel.ONLINE
            )
    except IntegrityError:
        raise already_voted() from None
    if not stored:
        raise VotingClosed(_("Voting is not open in this cycle."))
    return code


def remind_unconfirmed_ballots(now=None) -> int:
    """Tell, once, each voter whose ballot has waited BUDGETING_REMIND_AFTER_HOURS unconfirmed while voting is
    open. Returns how many were told."""
    now = now or timezone.now()
    drafts = BallotDraft.objects.filter(
        reminded_at__isnull=True,
        updated_at__lte=now - timedelta(hours=settings.BUDGETING_REMIND_AFTER_HOURS),
        cycle__phase=Phase.VOTING,
        cycle__voting_closes_at__gt=now,
    ).select_related("cycle", "user")
    told = 0
    for draft in drafts:
        voted = VoterRecord.objects.filter(cycle=draft.cycle, user=draft.user).exists()
        if voted or has_voted(draft.cycle, draft.user):
            BallotDraft.objects.filter(pk=draft.pk).delete()  # voted (on paper, say): no draft beside the vote
            continue
        notifications.remind_to_confirm(draft)
        told += 1
        BallotDraft.objects.filter(pk=draft.pk).update(reminded_at=now)
    return told


def find_ballots(cycle: Cycle, code: str):
    """The ballots a receipt code names (none for a forged or mistyped code)."""
    return (
        Ballot.objects.filter(cycle=cycle, receipt_digest=receipt_digest(code))
        .select_related("budget")
        .prefetch_related("choices__project")
    )


# Paper ballots -------------------------------------------------------------------------------------------------


# The phases in which paper ballots are entered and checked (results are counted once none awaits a check).
PAPER_PHASES = (Phase.VOTING, Phase.BALLOT_REVIEW)


def counts_paper(user, cycle: Cycle) -> bool:
    return has_any_role(user, [Role.POLLING_OFFICER, Role.BUDGET_MANAGER], cycle.body)


def enter_paper_ballot(
    cycle: Cycle, officer, *, identity_number: str, station: str, district: District | None, choices: Choices
) -> tuple[PaperBallot, str]:
    """An officer types in a paper ballot: the voter enters the register now, the ballot counts once a second
    officer checks it (check_paper_ballot). Returns the paper ballot and the receipt code for the voter's slip."""
    if not counts_paper(officer, cycle):
        raise PermissionDenied
    if cycle.phase not in PAPER_PHASES:
        raise BudgetingRefused(_("Paper ballots are entered during voting and the ballot review."))
    if timezone.now() < cycle.voting_opens_at:  # the phase may have been moved early; polling stations open on time
        raise BudgetingRefused(_("Paper ballots are not entered before voting opens."))
    if len(normalise_identity_number(identity_number)) < 4:
        raise BudgetingRefused(_("Enter the number of the identity document."))
    if district is not None and not district.body.path.startswith(cycle.body.path):
        raise BudgetingRefused(_("This district is not in %(body)s.") % {"body": cycle.body.name})
    station = _text(station, _("The polling station"), 100)
    ballot = validate_choices(cycle, budgets_for(cycle, district), choices)
    digest, code = identity_hash(identity_number), new_receipt()
    try:
        with transaction.atomic():
            if not ballots.still_in(cycle, PAPER_PHASES):
                raise BudgetingRefused(_("Paper ballots are entered during voting and the ballot review."))
            VoterRecord.objects.create(cycle=cycle, identity_hash=digest, channel=Channel.PAPER, station=station)
            paper = PaperBallot.objects.create(
                cycle=cycle,
                station=station,
                identity_hash=digest,
                receipt_digest=receipt_digest(code),
                choices={
                    budget.slug: {str(pk): points for pk, points in chosen.items()} for budget, chosen in ballot.items()
                },
                entered_by=officer,
            )
            # What the voter may have begun online stays no longer next to their account.
            BallotDraft.objects.filter(cycle=cycle, user__verification__identity_hash=digest).delete()
    except IntegrityError:
        raise already_voted() from None
    log(instance=paper, action="budgeting.paper.enter", user=officer, data={"station": station})
    return paper, code


def check_paper_ballot(paper: PaperBallot, officer, *, accept: bool, reason: str = "") -> PaperBallot:
    """A second officer's check: counted (the choices become a ballot, and leave the paper record) or rejected
    (the voter leaves the register, so they may vote again)."""
    cycle = paper.cycle
    if not counts_paper(officer, cycle):
        raise PermissionDenied
    if officer.pk == paper.entered_by_id:
        raise BudgetingRefused(_("A second officer must check the ballot, not the one who entered it."))
    if not accept:
        reason = _text(reason, _("The reason"), 2_000)
    with transaction.atomic():
        locked = PaperBallot.objects.select_for_update().get(pk=paper.pk)
        if locked.status != PaperBallot.Status.PENDING:
            raise BudgetingRefused(_("This ballot has been checked already."))
        if not ballots.still_in(cycle, PAPER_PHASES):
            raise BudgetingRefused(_("Paper ballots are checked during voting and the ballot review."))
        if accept:
            budgets = {budget.slug: budget for budget in cycle.budgets.all()}
            ballot = {
                budgets[slug]: {int(pk): n for pk, n in chosen.items()} for slug, chosen in locked.choices.items()
            }
            ballots.store_ballots(cycle, ballot, locked.receipt_digest, Channel.PAPER)
            status = PaperBallot.Status.COUNTED
        else:
            VoterRecord.objects.filter(cycle=cycle, identity_hash=locked.identity_hash, channel=Channel.PAPER).delete()
            status = PaperBallot.Status.REJECTED
        PaperBallot.objects.filter(pk=paper.pk).update(
            status=status,
            checked_by=officer,
            checked_at=timezone.now(),
            rejection_reason="" if accept else reason,
            choices={},
            identity_hash="",
            receipt_digest="",
        )
        paper.refresh_from_db()
        log(instance=paper, action=f"budgeting.paper.{status}", user=officer, data={"station": paper.station})
    return paper


# Works ---------------------------------------------------------------------------------------------------------


@dataclass
class Upload:
    name: str
    data: bytes


@dataclass
class Progress:
    stage: str
    progress: int
    note: str
    language: str
    on: date | None = None
    photo: Upload | None = None
    extra: dict = field(default_factory=dict)


def record_progress(project: Project, by, update: Progress) -> Milestone:
    """A step of a funded project's works: its stage and progress now, what happened, perhaps a photo."""
    if not manages(by, project):
        raise PermissionDenied
    if project.status != ProjectStatus.SELECTED:
        raise BudgetingRefused(_("Only funded projects have works to follow."))
    if update.stage not in Stage.values:
        raise BudgetingRefused(_("Choose the stage of the works."))
    if not 0 <= update.progress <= 100:
        raise BudgetingRefused(_("Progress is a percentage, from 0 to 100."))
    note = _text(update.note, _("What happened"), 5_000)
    milestone = Milestone(
        project=project,
        date=update.on or timezone.localdate(),
        stage=update.stage,
        progress=update.progress,
        note=note,
        language=update.language,
        by=by,
    )
    if update.photo is not None:
        try:
            data, content_type = reencode_photo(
                update.photo.name,
                update.photo.data,
                max_size=settings.PROPOSALS_MAX_PHOTO_SIZE,
                max_pixels=settings.PROPOSALS_MAX_PHOTO_PIXELS,
            )
        except FileRefused as refusal:
            raise BudgetingRefused(str(refusal)) from None
        stem = PurePath(update.photo.name.replace("\\", "/")).stem[:100] or "photo"
        milestone.photo.save(f"{stem}.{'png' if content_type == 'image/png' else 'jpg'}", ContentFile(data), save=False)
    with transaction.atomic():
        milestone.save()
        Project.objects.filter(pk=project.pk).update(stage=update.stage, progress=update.progress)
        project.refresh_from_db()
        log(
            instance=project,
            action="budgeting.progress",
            user=by,
            data={"stage": update.stage, "progress": update.progress},
        )
    notifications.tell_followers(project)
    return milestone


def link_payment(project: Project, payment, by) -> None:
    """Link a payment of the body's spending to the project (the public sees what it cost so far)."""
    if not manages(by, project):
        raise PermissionDenied
    if not payment.body.path.startswith(project.cycle.body.path):
        raise BudgetingRefused(_("This payment is not one of %(body)s.") % {"body": project.cycle.body.name})
    project.payments.add(payment)
    log(instance=project, action="budgeting.link", user=by, data={"payment": str(payment.uuid)})


def link_decision(project: Project, decision, by) -> None:
    """Link a council decision (a live decision page) to the project."""
    if not manages(by, project):
        raise PermissionDenied
    if not decision.live:
        raise BudgetingRefused(_("Only published decisions can be linked."))
    if not decision.body.path.startswith(project.cycle.body.path):
        raise BudgetingRefused(_("This decision is not one of %(body)s.") % {"body": project.cycle.body.name})
    project.decisions.add(decision)
    log(instance=project, action="budgeting.link", user=by, data={"decision": decision.pk})
