"""Staff roles turned into the Django groups and permissions that the Wagtail admin checks."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .models import Role, RoleGrant

ADMIN_ACCESS = ("wagtailadmin", "access_admin")

# What each role's group carries: the way into the admin. What a person may do there, and on which bodies,
# comes from the body-scoped permission policies (portal.bodies.permissions), never from Django model
# permissions: those reach every body at once (Wagtail's site history lists the entries of any model the
# person has one on).
ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {role: [ADMIN_ACCESS] for role in Role}


def role_group(role: Role) -> Group:
    """Return the group that carries `role`'s permissions, creating it on first use."""
    # The name stays the same whatever the admin's language: grants find their group by it.
    group, created = Group.objects.get_or_create(name=f"Role: {Role(role).value}")
    if created:
        for app_label, codename in ROLE_PERMISSIONS[role]:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return group


@transaction.atomic
def sync_role_groups(user) -> None:
    """Put `user` in exactly the groups of the roles they hold on some body."""
    held = set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))
    for role in Role:
        group = role_group(role)
        if role in held:
            user.groups.add(group)
        else:
            user.groups.remove(group)


def grant_role(user, body, role: Role, *, by=None) -> RoleGrant:
    """Give `user` `role` on `body` (and the bodies below it); a grant they hold already is kept as it is.

    Their groups follow through portal.bodies.signals, as for grants made in the admin.
    """
    grant, _created = RoleGrant.objects.get_or_create(user=user, body=body, role=role, defaults={"granted_by": by})
    return grant


def revoke_role(user, body, role: Role) -> bool:
    """Take `role` on `body` from `user`; return whether they held it."""
    deleted, _by_model = RoleGrant.objects.filter(user=user, body=body, role=role).delete()
    return bool(deleted)
