"""The body-scoped permission policy that every module's staff screens ask (through Wagtail's policy registry).

A record belongs to a public body, directly (`body`), through another record (`dataset__body`), or is the body
itself (`body_field=""`). Each Wagtail action ("add", "change", "delete", "view", "publish") maps to the roles
that allow it there; an action left out is refused to everyone but superusers. Roles reach the bodies below
the one they are granted on (`auth.get_bodies_with_any_role`).
"""

from collections.abc import Mapping

from django.contrib.auth import get_user_model
from django.db.models import Model, Q, QuerySet
from wagtail.permission_policies import BasePermissionPolicy

from .auth import get_bodies_with_any_role, roles_covering
from .models import PublicBody, Role

# The actions that let a person see a record in the admin at all: listings, inspect, history.
SEEING_ACTIONS = ("add", "change", "delete", "view")


def _active_users():
    return get_user_model().objects.filter(is_active=True)


class BodyScopedPermissionPolicy(BasePermissionPolicy):
    """Wagtail permission policy for records that belong to a body through `body_field`.

    Listings ask about every row, so the bodies where the user holds the roles are read once per user object
    (that is, once per request).
    """

    cache_attribute = "_bodies_by_roles"

    def __init__(self, model, *, body_field: str, action_roles: Mapping[str, tuple[Role, ...]]):
        super().__init__(model)
        self.body_field = body_field
        self.action_roles = action_roles

    @property
    def body_lookup(self) -> str:
        return f"{self.body_field}__in" if self.body_field else "pk__in"

    def body_id_of(self, instance: Model) -> int | None:
        if not self.body_field:
            return instance.pk
        *path, last = self.body_field.split("__")
        record: Model | None = instance
        for part in path:
            record = getattr(record, part, None)
            if record is None:
                return None
        return getattr(record, f"{last}_id")

    def roles_for(self, action: str, instance: Model | None = None) -> tuple[Role, ...]:
        return self.action_roles.get(action, ())

    def _roles(self, actions, instance=None) -> frozenset:
        return frozenset(role for action in actions for role in self.roles_for(action, instance))

    def bodies_for(self, user, actions) -> QuerySet[PublicBody]:
        """Return the bodies where `user` may take one of `actions` on this model's records."""
        if user.is_active and user.is_superuser:
            return PublicBody.objects.all()
        return get_bodies_with_any_role(user, self._roles(actions))

    def _body_ids(self, user, roles: frozenset) -> set[int]:
        cache = user.__dict__.setdefault(self.cache_attribute, {})
        if roles not in cache:
            cache[roles] = set(get_bodies_with_any_role(user, roles).values_list("pk", flat=True))
        return cache[roles]

    def user_has_permission(self, user, action):
        return self.user_has_any_permission(user, [action])

    def user_has_any_permission(self, user, actions):
        if not (user.is_authenticated and user.is_active):
            return False
        if user.is_superuser:
            return True
        roles = self._roles(actions)
        return bool(roles) and bool(self._body_ids(user, roles))

    def user_has_permission_for_instance(self, user, action, instance):
        if not (user.is_authenticated and user.is_active):
            return False
        if user.is_superuser:
            return True
        roles = self._roles([action], instance)
        return bool(roles) and self.body_id_of(instance) in self._body_ids(user, roles)

    def instances_user_has_any_permission_for(self, user, actions):
        if not (user.is_authenticated and user.is_active):
            return self.model._default_manager.none()
        if user.is_superuser:
            return self.model._default_manager.all()
        return self.model._default_manager.filter(**{self.body_lookup: self.bodies_for(user, actions)})

    def users_with_any_permission(self, actions):
        roles = roles_covering(self._roles(actions))
        return _active_users().filter(Q(is_superuser=True) | Q(role_grants__role__in=roles)).distinct()

    def users_with_any_permission_for_instance(self, actions, instance):
        roles = roles_covering(self._roles(actions, instance))
        bodies = PublicBody.objects.get(pk=self.body_id_of(instance)).get_self_and_ancestors()
        granted = Q(role_grants__role__in=roles, role_grants__body__in=bodies)
        return _active_users().filter(Q(is_superuser=True) | granted).distinct()


def can_edit_reference_data(user) -> bool:
    """Reference data shared by every body (licences, themes): only superusers change it."""
    return user.is_active and user.is_superuser


class SuperuserOnlyPermissionPolicy(BasePermissionPolicy):
    """Only active superusers may do anything: for reference data shared by every body."""

    def user_has_permission(self, user, action):
        return can_edit_reference_data(user)

    def user_has_any_permission(self, user, actions):
        return can_edit_reference_data(user)

    def users_with_any_permission(self, actions):
        return _active_users().filter(is_superuser=True)


ADMINISTERING = {action: (Role.ADMINISTRATOR,) for action in SEEING_ACTIONS}
public_body_policy = BodyScopedPermissionPolicy(PublicBody, body_field="", action_roles=ADMINISTERING)
