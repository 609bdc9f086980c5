"""The staff actions on proposals that Wagtail's audit trail names (each proposal's history in the admin)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

LOG_ACTIONS = [
    ("proposals.hide", _("Hide a proposal"), _("Proposal hidden pending review")),
    ("proposals.restore", _("Restore a proposal"), _("Proposal restored")),
    ("proposals.merge", _("Merge a proposal"), _("Proposal merged into another")),
    ("proposals.convert", _("Convert a proposal"), _("Proposal turned into a budgeting project")),
    ("proposals.answer.evaluating", _("Answer: under study"), _("Official answer: under study")),
    ("proposals.answer.accepted", _("Answer: accepted"), _("Official answer: accepted")),
    ("proposals.answer.rejected", _("Answer: rejected"), _("Official answer: rejected")),
    (
        "proposals.answer.not_competent",
        _("Answer: not competent"),
        _("Official answer: not within the council's powers"),
    ),
    ("proposals.answer.planned", _("Answer: already planned"), _("Official answer: already planned")),
    ("proposals.comment.hide", _("Hide a comment"), _("Comment hidden")),
    ("proposals.comment.restore", _("Restore a comment"), _("Comment restored")),
]


@hooks.register("register_log_actions")
def register_proposal_log_actions(actions):
    for name, label, message in LOG_ACTIONS:
        actions.register_action(name, label, message)
