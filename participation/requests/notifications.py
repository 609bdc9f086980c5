"""The emails of a case: the requester hears of every step, the body's officers of every new case and reply.

Sent once the transaction that made the step has committed (a step rolled back tells nobody), in the language the
requester wrote in, or the officer's own.
"""

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from portal.accounts.notifications import absolute, is_silenced
from portal.bodies.auth import roles_covering
from portal.bodies.models import Role, RoleGrant

from .models import Case


def _send(case: Case, recipients: list[str], language: str, template: str, context: dict) -> None:
    if not recipients:
        return
    with translation.override(language):
        subject = _("%(reference)s: %(subject)s") % {"reference": case.reference, "subject": case.subject}
        body = render_to_string(template, {"case": case, **context})
    send_mail(" ".join(subject.split())[:200], body, None, recipients)


def tell_requester(case: Case, step: str) -> None:
    """Email the requester what just happened to their case, with the link to follow it."""
    if is_silenced():
        return

    def send():
        with translation.override(case.language):
            url = absolute(case.get_absolute_url())
        fresh = Case.objects.select_related("body", "refusal_reason").get(pk=case.pk)
        _send(
            fresh,
            [fresh.requester_email],
            fresh.language,
            "information_requests/emails/step.txt",
            {"step": step, "url": url},
        )

    transaction.on_commit(send)


def officers_of(case: Case):
    """The active information officers of the case's body and of the bodies above it."""
    grants = RoleGrant.objects.covering(case.body).filter(
        role__in=roles_covering([Role.INFORMATION_OFFICER]), user__is_active=True
    )
    return grants.select_related("user").order_by("user_id").distinct()


def officers_to_tell(case: Case) -> list:
    """Who hears of a case waiting for the body: the officer it is assigned to, while they still answer for the
    body; else all of its officers (one email each)."""
    officers = list({grant.user.email: grant.user for grant in officers_of(case)}.values())
    return [case.assigned_to] if case.assigned_to in officers else officers


def tell_officers_now(case: Case, template: str, **context) -> None:
    url = absolute(reverse("information_requests_admin:case", args=[case.pk]))
    for person in officers_to_tell(case):
        _send(case, [person.email], person.preferred_language, template, {"url": url, **context})


def tell_officers(case: Case) -> None:
    """Email the body's officers (or the one assigned) that a case waits for them, once the step is committed."""
    if is_silenced():
        return

    def send():
        fresh = Case.objects.select_related("body", "assigned_to").get(pk=case.pk)
        tell_officers_now(fresh, "information_requests/emails/officer.txt")

    transaction.on_commit(send)
