"""Who works on which budgeting cycles in the admin: budget managers run the cycles of their bodies (and of the
bodies below them), polling officers enter and check their paper ballots; administrators hold both roles and
superusers every body. The admin screens ask here, never inline."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.models import ModelLogEntry

from portal.bodies.auth import get_bodies_with_any_role, get_bodies_with_role
from portal.bodies.models import PublicBody, Role

from .models import Cycle, PaperBallot, Phase, Project
from .services import counts_paper
from .workflow import manages

# The phases in which paper ballots are entered and checked (services.enter_paper_ballot).
PAPER_PHASES = (Phase.VOTING, Phase.BALLOT_REVIEW)
PAPER_ROLES = (Role.POLLING_OFFICER, Role.BUDGET_MANAGER)


def manager_bodies(user) -> QuerySet[PublicBody]:
    return get_bodies_with_role(user, Role.BUDGET_MANAGER)


def paper_bodies(user) -> QuerySet[PublicBody]:
    return get_bodies_with_any_role(user, PAPER_ROLES)


def is_budget_manager(user) -> bool:
    return manager_bodies(user).exists()


def counts_paper_somewhere(user) -> bool:
    return paper_bodies(user).exists()


def managed_cycles(user) -> QuerySet[Cycle]:
    return Cycle.objects.filter(body__in=manager_bodies(user))


def paper_cycles(user) -> QuerySet[Cycle]:
    """The cycles whose paper ballots `user` may enter and check now."""
    return Cycle.objects.filter(body__in=paper_bodies(user), phase__in=PAPER_PHASES)


def may_manage(user, cycle: Cycle) -> bool:
    return manages(user, cycle)


def may_count_paper(user, cycle: Cycle) -> bool:
    return counts_paper(user, cycle)


def pending_paper(cycle: Cycle) -> QuerySet[PaperBallot]:
    return cycle.paper_ballots.filter(status=PaperBallot.Status.PENDING)


def publish_refusal(cycle: Cycle) -> str:
    """Why the results of `cycle` cannot be counted now ("" when they can): in the ballot review, every paper
    ballot checked."""
    if cycle.phase != Phase.BALLOT_REVIEW:
        return _("Results are counted during the ballot review, once voting has closed.")
    pending = pending_paper(cycle).count()
    if pending:
        return ngettext(
            "%(count)d paper ballot still awaits a second officer's check.",
            "%(count)d paper ballots still await a second officer's check.",
            pending,
        ) % {"count": pending}
    return ""


def station_counts(cycle: Cycle) -> list[dict]:
    """Per polling station: the paper ballots entered, awaiting a check, counted and rejected."""
    status = PaperBallot.Status
    return list(
        cycle.paper_ballots.values("station")
        .annotate(
            entered=Count("pk"),
            pending=Count("pk", filter=Q(status=status.PENDING)),
            counted=Count("pk", filter=Q(status=status.COUNTED)),
            rejected=Count("pk", filter=Q(status=status.REJECTED)),
        )
        .order_by("station")
    )


def cycle_log_entries(cycle: Cycle) -> QuerySet[ModelLogEntry]:
    """The audit trail of everything in `cycle`: the cycle itself, its projects and its paper ballots, latest
    first."""

    def keys(records: QuerySet):
        return records.annotate(key=Cast("pk", CharField())).values("key")

    kinds = ContentType.objects.get_for_models(Cycle, Project, PaperBallot)
    return (
        ModelLogEntry.objects.filter(
            Q(content_type=kinds[Cycle], object_id=str(cycle.pk))
            | Q(content_type=kinds[Project], object_id__in=keys(cycle.projects.all()))
            | Q(content_type=kinds[PaperBallot], object_id__in=keys(cycle.paper_ballots.all()))
        )
        .select_related("user", "content_type")
        .order_by("-timestamp", "-pk")
    )
