"""Who may manage which datasets: the editors and publishers of a body, and of the bodies above it.

Editors and publishers create and change the datasets, resources and problem reports of their bodies;
only a publisher may publish or withdraw a dataset. Licences and themes are reference data that only
superusers change. The Wagtail admin asks the permission policies at the end of this module, which
answer from the same functions, so that the menu, the listings and the forms agree.
"""

from django.db.models import QuerySet

from portal.bodies.auth import get_bodies_with_any_role, has_any_role
from portal.bodies.models import PublicBody, Role
from portal.bodies.permissions import BodyScopedPermissionPolicy

from .models import Dataset, ProblemReport, Resource

MANAGING_ROLES = (Role.EDITOR, Role.PUBLISHER)
PUBLISHING_ROLES = (Role.PUBLISHER,)
# The statuses that only a publisher may give a dataset (or take it out of).
PUBLIC_STATUSES = frozenset({Dataset.Status.PUBLISHED, Dataset.Status.WITHDRAWN})


def get_managed_bodies(user) -> QuerySet[PublicBody]:
    """Return the bodies whose datasets `user` may create and change (as editor or publisher)."""
    return get_bodies_with_any_role(user, MANAGING_ROLES)


def get_publishing_bodies(user) -> QuerySet[PublicBody]:
    """Return the bodies whose datasets `user` may publish and withdraw."""
    return get_bodies_with_any_role(user, PUBLISHING_ROLES)


def can_manage_body(user, body: PublicBody) -> bool:
    return has_any_role(user, MANAGING_ROLES, body)


def can_publish_for_body(user, body: PublicBody) -> bool:
    return has_any_role(user, PUBLISHING_ROLES, body)


def can_manage_dataset(user, dataset: Dataset) -> bool:
    return can_manage_body(user, dataset.body)


def can_set_status(user, body: PublicBody, old_status: str | None, new_status: str) -> bool:
    """Return whether `user` may move a dataset of `body` from `old_status` (None: a new one) to `new_status`.

    Keeping the status is always allowed to whoever manages the body: an editor may correct a published
    dataset's metadata. Any other change, and creating a dataset that is not a draft, takes a publisher.
    """
    if new_status == (old_status or Dataset.Status.DRAFT):
        return can_manage_body(user, body)
    return can_publish_for_body(user, body)


def can_delete_dataset(user, dataset: Dataset) -> bool:
    """Editors delete drafts; removing what the public has seen takes a publisher."""
    if dataset.status == Dataset.Status.DRAFT:
        return can_manage_dataset(user, dataset)
    return can_publish_for_body(user, dataset.body)


def get_editable_datasets(user) -> QuerySet[Dataset]:
    """Return the datasets `user` may change, whatever their status."""
    return Dataset.objects.filter(body__in=get_managed_bodies(user))


def get_editable_resources(user) -> QuerySet[Resource]:
    return Resource.objects.filter(dataset__body__in=get_managed_bodies(user))


def get_visible_problem_reports(user) -> QuerySet[ProblemReport]:
    """Return the problem reports `user` may read and resolve: those about datasets of bodies they manage."""
    return ProblemReport.objects.filter(dataset__body__in=get_managed_bodies(user))


# Wagtail's permission policies


class DatasetPermissionPolicy(BodyScopedPermissionPolicy):
    def __init__(self):
        super().__init__(
            Dataset,
            body_field="body",
            action_roles={
                "add": MANAGING_ROLES,
                "change": MANAGING_ROLES,
                "view": MANAGING_ROLES,
                "delete": MANAGING_ROLES,
                "publish": PUBLISHING_ROLES,
            },
        )

    def roles_for(self, action, instance=None):
        # As can_delete_dataset: what the public has seen is deleted by a publisher only.
        if action == "delete" and instance is not None and instance.status != Dataset.Status.DRAFT:
            return PUBLISHING_ROLES
        return super().roles_for(action, instance)


dataset_policy = DatasetPermissionPolicy()
resource_policy = BodyScopedPermissionPolicy(
    Resource,
    body_field="dataset__body",
    action_roles={"add": MANAGING_ROLES, "change": MANAGING_ROLES, "view": MANAGING_ROLES, "delete": MANAGING_ROLES},
)
# Reports come from the public form only; staff read and resolve them.
problem_report_policy = BodyScopedPermissionPolicy(
    ProblemReport, body_field="dataset__body", action_roles={"change": MANAGING_ROLES, "view": MANAGING_ROLES}
)
