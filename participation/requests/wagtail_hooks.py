"""The Wagtail admin of information requests and complaints: the officers' inbox (a case's screen and its moves),
the laws and announced holidays, and the audit log's names for every staff act on a case."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views, inbox
from .admin_laws import LawsViewSetGroup

# Laws, laws of bodies and announced holidays (superusers) --------------------------------------------


@hooks.register("register_admin_viewset")
def register_laws_viewsets():
    return LawsViewSetGroup()


# The officers' inbox (admin_views.py) ----------------------------------------------------------------

case_urls = [
    path("", admin_views.inbox_view, name="inbox"),
    path("<int:pk>/", admin_views.case_view, name="case"),
    path("<int:pk>/acknowledge/", admin_views.acknowledge_view, name="acknowledge"),
    path("<int:pk>/clarification/", admin_views.ask_clarification_view, name="ask_clarification"),
    path("<int:pk>/extend/", admin_views.extend_view, name="extend"),
    path("<int:pk>/transfer/", admin_views.transfer_view, name="transfer"),
    path("<int:pk>/answer/", admin_views.answer_view, name="answer"),
    path("<int:pk>/refuse/", admin_views.refuse_view, name="refuse"),
    path("<int:pk>/not-held/", admin_views.not_held_view, name="not_held"),
    path("<int:pk>/appeal/", admin_views.decide_appeal_view, name="decide_appeal"),
    path("<int:pk>/close/", admin_views.close_view, name="close"),
    path("<int:pk>/message/", admin_views.message_view, name="message"),
    path("<int:pk>/note/", admin_views.note_view, name="note"),
    path("<int:pk>/hide-words/", admin_views.hide_words_view, name="hide_words"),
    path("<int:pk>/assign/", admin_views.assign_view, name="assign"),
    path("<int:pk>/identity/", admin_views.reveal_identity_view, name="reveal_identity"),
    path("<int:pk>/attachments/<int:attachment_pk>/", admin_views.attachment_view, name="attachment"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/redacted/",
        admin_views.attachment_view,
        {"redacted": True},
        name="redacted_attachment",
    ),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/publish/",
        admin_views.publish_attachment_view,
        name="publish_attachment",
    ),
]


@hooks.register("register_admin_urls")
def register_inbox_urls():
    return [
        path(
            "information-requests/",
            include((case_urls, "information_requests_admin"), namespace="information_requests_admin"),
        )
    ]


class InboxMenuItem(MenuItem):
    def is_shown(self, request):
        return inbox.may_use_inbox(request.user)


@hooks.register("register_admin_menu_item")
def register_inbox_menu_item():
    return InboxMenuItem(
        _("Information requests"), reverse("information_requests_admin:inbox"), icon_name="mail", order=260
    )


# The audit log's actions of a case (workflow.CASE_WORKFLOW's staff moves, services.py's other staff acts) --------

LOG_ACTIONS = [
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
    ("hide_words", _("Hide words from the public"), _("Words hidden from the published texts")),
    ("assign", _("Assign a request"), _("Request assigned")),
    ("publish_attachment", _("Publish a redacted attachment"), _("Redacted attachment published")),
    ("reveal_identity", _("Reveal the identity number"), _("Requester's identity number shown")),
]


@hooks.register("register_log_actions")
def register_case_log_actions(actions):
    for name, label, message in LOG_ACTIONS:
        actions.register_action(f"information_requests.{name}", label, message)
