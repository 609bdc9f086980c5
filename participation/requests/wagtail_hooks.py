"""The Wagtail admin of information requests and complaints."""

from wagtail import hooks

from .admin_laws import LawsViewSetGroup

# Laws, laws of bodies and announced holidays (superusers) --------------------------------------------


@hooks.register("register_admin_viewset")
def register_laws_viewsets():
    return LawsViewSetGroup()


# The audit log's actions of a case (workflow.CASE_WORKFLOW's staff moves, services.py's other staff acts) --------


@hooks.register("register_log_actions")
def register_case_log_actions(actions):
    from django.utils.translation import gettext_lazy as _

    for action, label, message in [
        ("acknowledge", _("Acknowledge a request"), _("Request acknowledged")),
        ("ask_clarification", _("Ask for clarification"), _("Clarification asked")),
        ("extend", _("Extend the time to answer"), _("Time to answer extended")),
        ("transfer", _("Transfer a request"), _("Request transferred")),
        ("answer", _("Answer a request"), _("Request answered")),
        ("answer_partly", _("Answer a request in part"), _("Request answered in part")),
        ("refuse", _("Refuse a request"), _("Request refused")),
        ("not_held", _("Say the information is not held"), _("Information not held")),
        ("decide_appeal", _("Decide an appeal"), _("Appeal decided")),
        ("close", _("Close a request"), _("Request closed")),
        ("message", _("Write to the requester"), _("Message sent")),
        ("note", _("Write an internal note"), _("Internal note written")),
        ("assign", _("Assign a request"), _("Request assigned")),
        ("publish_attachment", _("Publish a redacted attachment"), _("Redacted attachment published")),
    ]:
        actions.register_action(f"information_requests.{action}", label, message)
