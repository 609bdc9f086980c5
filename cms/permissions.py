"""Per-body page permissions and moderation: staff of one body publish only for that body.

Each public body gets two groups, "editor · <slug>" (drafts) and "publisher · <slug>"
(approves and publishes), with Wagtail page permissions on the councils of that body and of
every body below it, and one approval workflow whose task goes to the publishers of the
body and of the bodies above it.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from portal.bodies.models import PublicBody, Role, RoleGrant

from .models import CouncilIndexPage

PAGE_PERMISSIONS = {
    Role.EDITOR: ["add_page", "change_page"],
    Role.PUBLISHER: ["add_page", "change_page", "publish_page"],
}
# Wagtail checks document rights against wagtaildocs.Document whatever the document model is.
DOCUMENT_PERMISSIONS = ["add_document", "choose_document"]
# The roles whose holders get each body group; administrators publish too.
GROUP_MEMBERS = {Role.EDITOR: {Role.EDITOR}, Role.PUBLISHER: {Role.PUBLISHER, Role.ADMINISTRATOR}}


def body_group(role: Role, body: PublicBody) -> Group:
    return Group.objects.get_or_create(name=f"{Role(role).value} · {body.slug}")[0]


def _permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def grant_body_permissions(body: PublicBody) -> None:
    """Give `body`'s groups their rights on every council page of `body` and of the bodies below it."""
    councils = CouncilIndexPage.objects.filter(body__path__startswith=body.path)
    root_collection = Collection.get_first_root_node()
    for role, codenames in PAGE_PERMISSIONS.items():
        group = body_group(role, body)
        for codename in codenames:
            permission = _permission("wagtailcore", codename)
            for council in councils:
                GroupPagePermission.objects.get_or_create(group=group, page=council, permission=permission)
        for codename in DOCUMENT_PERMISSIONS:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=_permission("wagtaildocs", codename)
            )


def workflow_name(body: PublicBody) -> str:
    """What staff read on the admin's buttons ("Submit to …") in every language: the body's own names, Arabic
    and French, with no English word or slug (a workflow has one name, whatever the admin's language)."""
    names = dict.fromkeys(name for name in (body.name_ar, body.name_fr, body.name_en) if name)
    return " · ".join(list(names)[:2])[:255]


def body_workflow(body: PublicBody) -> Workflow:
    """Return the approval workflow of `body`: its publishers, or those of a body above, approve.

    Found through the body's councils (its name follows the body's), else created."""
    workflow = Workflow.objects.filter(
        workflow_pages__page__in=CouncilIndexPage.objects.filter(body=body).values("pk")
    ).first() or Workflow.objects.create(name=workflow_name(body))
    task = GroupApprovalTask.objects.filter(workflow_tasks__workflow=workflow).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=workflow_name(body))
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    for record in (workflow, task):
        if record.name != workflow_name(body):
            record.name = workflow_name(body)
            record.save(update_fields=["name"])
    task.groups.set([body_group(Role.PUBLISHER, ancestor) for ancestor in body.get_self_and_ancestors()])
    return workflow


@transaction.atomic
def set_up_council(council: CouncilIndexPage) -> None:
    """Give a new council page (any locale) its body's permissions and approval workflow."""
    for body in council.body.get_self_and_ancestors():
        grant_body_permissions(body)
    WorkflowPage.objects.update_or_create(page=council, defaults={"workflow": body_workflow(council.body)})


@transaction.atomic
def sync_body_groups(user) -> None:
    """Put `user` in exactly the body groups their role grants call for."""
    wanted = set()
    for grant in RoleGrant.objects.filter(user=user).select_related("body"):
        for role, members in GROUP_MEMBERS.items():
            if grant.role in members:
                grant_body_permissions(grant.body)
                wanted.add(body_group(role, grant.body))
    current = set(user.groups.filter(name__contains=" · "))
    user.groups.remove(*(current - wanted))
    user.groups.add(*(wanted - current))
