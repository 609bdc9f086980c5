"""Who may act for which public body. Views and admin screens ask here, never inline."""

from django.db.models import Q, QuerySet

from .models import PublicBody, Role, RoleGrant


def roles_covering(roles) -> list[str]:
    """Return `roles` and the administrator role: an administrator of a body may do everything there."""
    return [*roles, Role.ADMINISTRATOR]


def has_role(user, role: Role, body: PublicBody) -> bool:
    """Return whether `user` holds `role` on `body`, directly or through a body above it."""
    return has_any_role(user, [role], body)


def has_any_role(user, roles, body: PublicBody) -> bool:
    """Return whether `user` holds one of `roles` on `body`, directly or through a body above it."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return RoleGrant.objects.covering(body).filter(user=user, role__in=roles_covering(roles)).exists()


def get_bodies_with_role(user, role: Role) -> QuerySet[PublicBody]:
    """Return the bodies where `user` holds `role`: those granted and every body below them."""
    return get_bodies_with_any_role(user, [role])


def get_bodies_with_any_role(user, roles) -> QuerySet[PublicBody]:
    """Return the bodies where `user` holds one of `roles` (none for no roles), and every body below them."""
    if not roles or not user.is_authenticated or not user.is_active:
        return PublicBody.objects.none()
    if user.is_superuser:
        return PublicBody.objects.all()
    paths = RoleGrant.objects.filter(user=user, role__in=roles_covering(roles)).values_list("body__path", flat=True)
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return PublicBody.objects.filter(condition) if condition else PublicBody.objects.none()
