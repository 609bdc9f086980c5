"""Reminders to the publishers who answer for the council: once a day, the proposals whose official answer is
overdue (past `answer_due`, still awaiting an answer or under study), one message per body listing them.

A body's publishers are reminded at most once a day even when two workers run the task (a claim in the shared
cache); the message goes through portal.accounts.notifications (on the site and by email, in each one's language).
"""

import datetime
from itertools import groupby

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.accounts.notifications import notify
from portal.bodies.auth import roles_covering
from portal.bodies.models import PublicBody, Role, RoleGrant

from .models import Proposal

# Long enough to outlive the day the claim is for, whatever the time zone.
CLAIM_SECONDS = 2 * 24 * 60 * 60


def publishers(body: PublicBody):
    """The active publishers (and administrators) of `body` or of a body above it."""
    grants = RoleGrant.objects.covering(body).filter(role__in=roles_covering([Role.PUBLISHER]))
    return get_user_model().objects.filter(pk__in=grants.values("user"), is_active=True)


def remind_overdue_answers(today: datetime.date | None = None) -> int:
    """Tell the publishers of each body which of its proposals await an official answer past their due date;
    return how many proposals they were told of."""
    today = today or timezone.localdate()
    overdue = Proposal.objects.overdue(today).select_related("space__body").order_by("space__body", "answer_due", "pk")
    told = 0
    for body, proposals in groupby(overdue, key=lambda proposal: proposal.space.body):
        late = list(proposals)
        # Claim the body for today first: a second worker finds it claimed and sends nothing.
        if not cache.add(f"proposals:overdue-reminder:{body.pk}:{today.isoformat()}", True, CLAIM_SECONDS):
            continue
        notify(publishers(body), _composer(late, today), reverse("proposals_admin:index"))
        told += len(late)
    return told


def _composer(late: list[Proposal], today: datetime.date):
    def compose():
        subject = ngettext(
            "%(count)d proposal awaits the council's answer past its due date",
            "%(count)d proposals await the council's answer past their due date",
            len(late),
        ) % {"count": len(late)}
        lines = [
            _("%(reference)s “%(title)s”: due %(due)s (%(days)d days late), %(supports)d supports")
            % {
                "reference": proposal.reference,
                "title": proposal.title,
                "due": proposal.answer_due.isoformat(),
                "days": (today - proposal.answer_due).days,
                "supports": proposal.supports_count,
            }
            for proposal in late
        ]
        return subject, "\n".join(lines)

    return compose
