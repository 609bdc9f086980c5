"""Who may manage which datasets: the editors and publishers of a body, and of the bodies above it.

Editors and publishers create and change the datasets, resources and problem reports of their bodies;
only a publisher may publish or withdraw a dataset. Licences and themes are reference data that only
superusers change. The Wagtail admin asks the permission policies at the end of this module, which
answer from the same functions, so that the menu, the listings and the forms agree.
"""

from django.contrib.auth import get_user_model
from django.db.models import Model, Q, QuerySet
from wagtail.permission_policies import BasePermissionPolicy

from portal.bodies.auth import get_bodies_with_role, has_role
from portal.bodies.models import PublicBody, Role

from .models import Dataset, ProblemReport, Resource

MANAGING_ROLES = (Role.EDITOR, Role.PUBLISHER)
PUBLISHING_ROLES = (Role.PUBLISHER,)
# The statuses that only a publisher may give a dataset (or take it out of).
PUBLIC_STATUSES = frozenset({Dataset.Status.PUBLISHED, Dataset.Status.WITHDRAWN})


def _bodies_with_any_role(user, roles) -> QuerySet[PublicBody]:
    if not roles:
        return PublicBody.objects.none()
    bodies = PublicBody.objects.none()
    for role in roles:
        bodies = bodies | get_bodies_with_role(user, role)
    return bodies


def _has_any_role(user, roles, body: PublicBody) -> bool:
    return any(has_role(user, role, body) for role in roles)


def get_managed_bodies(user) -> QuerySet[PublicBody]:
    """Return the bodies whose datasets `user` may create and change (as editor or publisher)."""
    return _bodies_with_any_role(user, MANAGING_ROLES)


def get_publishing_bodies(user) -> QuerySet[PublicBody]:
    """Return the bodies whose datasets `user` may publish and withdraw."""
    return _bodies_with_any_role(user, PUBLISHING_ROLES)


def can_manage_body(user, body: PublicBody) -> bool:
    return _has_any_role(user, MANAGING_ROLES, body)


def can_publish_for_body(user, body: PublicBody) -> bool:
    return _has_any_role(user, PUBLISHING_ROLES, body)


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


def can_edit_reference_data(user) -> bool:
    """Licences and themes are shared by every body: only superusers change them."""
    return user.is_active and user.is_superuser


# Wagtail's permission policies


# Mirrors portal.bodies.auth: an administrator of a body holds every role there.
def _granted_roles(roles) -> list[str]:
    return [*roles, Role.ADMINISTRATOR]


def _active_users():
    return get_user_model().objects.filter(is_active=True)


class BodyScopedPermissionPolicy(BasePermissionPolicy):
    """Wagtail permission policy for a model whose records belong to a body through `body_field`.

    `action_roles` maps each Wagtail action ("add", "change", "delete", "view", "publish") to the roles that
    allow it; an action left out is refused to everyone but superusers. Listings ask about every row, so the
    bodies where the user holds the roles are read once per user object (one request).
    """

    cache_attribute = "_opendata_bodies_by_roles"

    def __init__(self, model, *, body_field: str, action_roles: dict[str, tuple[Role, ...]]):
        super().__init__(model)
        self.body_field = body_field
        self.action_roles = action_roles

    def body_id_of(self, instance: Model) -> int:
        *path, last = self.body_field.split("__")
        for part in path:
            instance = getattr(instance, part)
        return getattr(instance, f"{last}_id")

    def roles_for(self, action: str, instance: Model | None = None) -> tuple[Role, ...]:
        return self.action_roles.get(action, ())

    def _body_ids(self, user, roles) -> set[int]:
        cache = user.__dict__.setdefault(self.cache_attribute, {})
        key = frozenset(roles)
        if key not in cache:
            cache[key] = set(_bodies_with_any_role(user, roles).values_list("pk", flat=True))
        return cache[key]

    def user_has_permission(self, user, action):
        return self.user_has_any_permission(user, [action])

    def user_has_any_permission(self, user, actions):
        if not (user.is_authenticated and user.is_active):
            return False
        if user.is_superuser:
            return True
        roles = {role for action in actions for role in self.roles_for(action)}
        return bool(roles) and bool(self._body_ids(user, roles))

    def user_has_permission_for_instance(self, user, action, instance):
        if not (user.is_authenticated and user.is_active):
            return False
        if user.is_superuser:
            return True
        roles = self.roles_for(action, instance)
        return bool(roles) and self.body_id_of(instance) in self._body_ids(user, roles)

    def instances_user_has_any_permission_for(self, user, actions):
        if user.is_active and user.is_superuser:
            return self.model._default_manager.all()
        roles = {role for action in actions for role in self.roles_for(action)}
        bodies = _bodies_with_any_role(user, roles)
        return self.model._default_manager.filter(**{f"{self.body_field}__in": bodies})

    def users_with_any_permission(self, actions):
        roles = _granted_roles({role for action in actions for role in self.roles_for(action)})
        return _active_users().filter(Q(is_superuser=True) | Q(role_grants__role__in=roles)).distinct()

    def users_with_any_permission_for_instance(self, actions, instance):
        roles = _granted_roles({role for action in actions for role in self.roles_for(action, instance)})
        bodies = PublicBody.objects.get(pk=self.body_id_of(instance)).get_self_and_ancestors()
        granted = Q(role_grants__role__in=roles, role_grants__body__in=bodies)
        return _active_users().filter(Q(is_superuser=True) | granted).distinct()


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


class SuperuserOnlyPermissionPolicy(BasePermissionPolicy):
    """Only active superusers may do anything: for reference data shared by every body."""

    def user_has_permission(self, user, action):
        return can_edit_reference_data(user)

    def user_has_any_permission(self, user, actions):
        return can_edit_reference_data(user)

    def users_with_any_permission(self, actions):
        return _active_users().filter(is_superuser=True)


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
