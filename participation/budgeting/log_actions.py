"""The staff actions on budgeting records that Wagtail's audit trail names (each record's history in the admin)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

LOG_ACTIONS = [
    ("budgeting.phase", _("Change a cycle's phase"), _("Cycle moved to another phase")),
    ("budgeting.review.accept", _("Put a project on the ballot"), _("Project put on the ballot")),
    ("budgeting.review.set_aside", _("Set a project aside"), _("Project set aside")),
    ("budgeting.add", _("Add a project"), _("Project added by staff")),
    ("budgeting.from_proposal", _("Turn a proposal into a project"), _("Project made from a proposal")),
    ("budgeting.paper.enter", _("Enter a paper ballot"), _("Paper ballot entered")),
    ("budgeting.paper.counted", _("Count a paper ballot"), _("Paper ballot checked and counted")),
    ("budgeting.paper.rejected", _("Reject a paper ballot"), _("Paper ballot rejected")),
    ("budgeting.results", _("Publish results"), _("Results published")),
    ("budgeting.progress", _("Record the progress of works"), _("Progress of works recorded")),
    ("budgeting.link", _("Link a payment or decision"), _("Payment or decision linked")),
    ("budgeting.census", _("Upload a census"), _("Census uploaded")),
]


@hooks.register("register_log_actions")
def register_budgeting_log_actions(actions):
    for name, label, message in LOG_ACTIONS:
        actions.register_action(name, label, message)
