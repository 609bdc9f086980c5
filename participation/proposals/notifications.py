"""Who hears of what happens to a proposal: its author and followers of each change of status and official answer,
its supporters of an edit, mentioned participants of a comment, the body's staff of a threshold reached and of
reports. Everything goes through portal.accounts.notifications (on the site and by email, in each one's language).
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from portal.accounts.notifications import notify
from portal.bodies.auth import roles_covering
from portal.bodies.models import Role, RoleGrant

from .models import Answer, Comment, Proposal, Report


def _staff(proposal: Proposal, role: Role):
    grants = RoleGrant.objects.covering(proposal.space.body).filter(role__in=roles_covering([role]))
    return get_user_model().objects.filter(pk__in=grants.values("user"), is_active=True)


def _followers(proposal: Proposal, exclude=None):
    people = get_user_model().objects.filter(proposal_follows__proposal=proposal, is_active=True)
    return people.exclude(pk=exclude.pk) if exclude is not None else people


def tell_followers(proposal: Proposal, *, exclude=None, answer: Answer | None = None) -> None:
    """The proposal's status changed (or the council answered): its author and followers hear of it."""
    fresh = Proposal.objects.get(pk=proposal.pk)

    def compose():
        subject = _("%(reference)s: %(status)s") % {"reference": fresh.reference, "status": fresh.get_status_display()}
        if answer is not None:
            text = _("The council answered the proposal “%(title)s”:\n\n%(answer)s") % {
                "title": fresh.title,
                "answer": answer.text,
            }
        else:
            text = _("The proposal “%(title)s” is now: %(status)s.") % {
                "title": fresh.title,
                "status": fresh.get_status_display(),
            }
        return subject, text

    notify(_followers(fresh, exclude), compose, fresh.get_absolute_url)


def tell_supporters_of_edit(proposal: Proposal) -> None:
    supporters = get_user_model().objects.filter(proposal_supports__proposal=proposal, is_active=True)

    def compose():
        return (
            _("%(reference)s was edited") % {"reference": proposal.reference},
            _("The author changed the proposal “%(title)s” that you support. See what changed on its page.")
            % {"title": proposal.title},
        )

    notify(supporters.exclude(pk=proposal.author_id), compose, proposal.get_absolute_url)


def tell_staff_threshold(proposal: Proposal) -> None:
    def compose():
        return (
            _("%(reference)s reached its support threshold") % {"reference": proposal.reference},
            _("The proposal “%(title)s” has %(count)d supports. The council must answer by %(due)s.")
            % {"title": proposal.title, "count": proposal.supports_count, "due": proposal.answer_due},
        )

    notify(_staff(proposal, Role.PUBLISHER), compose, proposal.get_absolute_url)


def tell_about_comment(comment: Comment, mentioned: list) -> None:
    """Mentioned participants hear that they were named; the other followers that the discussion moved on."""
    proposal = comment.proposal

    def named():
        return (
            _("%(name)s mentioned you") % {"name": comment.signature()},
            _("On the proposal “%(title)s”:\n\n%(text)s") % {"title": proposal.title, "text": comment.text},
        )

    def new_comment():
        return (
            _("%(reference)s: a new comment") % {"reference": proposal.reference},
            _("On the proposal “%(title)s”:\n\n%(text)s") % {"title": proposal.title, "text": comment.text},
        )

    path = lambda: f"{proposal.get_absolute_url()}#comment-{comment.pk}"  # noqa: E731
    people = [person for person in mentioned if person.pk != comment.author_id]
    notify(people, named, path)
    notify(_followers(proposal, comment.author).exclude(pk__in=[person.pk for person in people]), new_comment, path)


def tell_moderators(proposal: Proposal, report: Report) -> None:
    def compose():
        return (
            _("%(reference)s was reported") % {"reference": proposal.reference},
            _("Reason: %(reason)s") % {"reason": report.get_reason_display()},
        )

    notify(_staff(proposal, Role.MODERATOR), compose, "/admin/proposals/moderation/")


def tell_author_moderated(proposal: Proposal, reason: str) -> None:
    def compose():
        return (
            _("%(reference)s is hidden pending review") % {"reference": proposal.reference},
            _("A moderator hid your proposal “%(title)s”. Reason: %(reason)s")
            % {"title": proposal.title, "reason": reason},
        )

    notify([proposal.author], compose, proposal.get_absolute_url)
