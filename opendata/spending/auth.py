"""Who may publish a body's spending figures: its publishers (and administrators), and those of the bodies above.

Budgets, payments and contracts are public as soon as they are imported or saved, so writing them takes the
publisher's role, as publishing a dataset does. The Wagtail admin asks the policies at the end of this module.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from wagtail.permission_policies import BasePermissionPolicy

from portal.bodies.auth import get_bodies_with_any_role, has_any_role, roles_covering
from portal.bodies.models import PublicBody, Role
from portal.bodies.permissions import BodyScopedPermissionPolicy

from .models import BudgetLine, ClassificationCode, ContractingProcess, Payment, SpendingPolicy, Supplier

SPENDING_ROLES = (Role.PUBLISHER,)
ALL_ACTIONS = {"add": SPENDING_ROLES, "change": SPENDING_ROLES, "view": SPENDING_ROLES, "delete": SPENDING_ROLES}


def get_spending_bodies(user) -> QuerySet[PublicBody]:
    """Return the bodies whose spending figures `user` may import, type and correct."""
    return get_bodies_with_any_role(user, SPENDING_ROLES)


def can_publish_spending(user, body: PublicBody) -> bool:
    return has_any_role(user, SPENDING_ROLES, body)


budget_line_policy = BodyScopedPermissionPolicy(BudgetLine, body_field="body", action_roles=ALL_ACTIONS)
payment_policy = BodyScopedPermissionPolicy(Payment, body_field="body", action_roles=ALL_ACTIONS)
contracting_process_policy = BodyScopedPermissionPolicy(ContractingProcess, body_field="body", action_roles=ALL_ACTIONS)
# A body's own codes; the shared ones (no body) are reference data for superusers (BodyScopedPermissionPolicy
# finds no body for them, so only superusers pass).
classification_code_policy = BodyScopedPermissionPolicy(ClassificationCode, body_field="body", action_roles=ALL_ACTIONS)
# A body's publishers set its currency and how its payments to private persons are shown; removing the policy
# (back to the defaults) is for superusers.
spending_policy_policy = BodyScopedPermissionPolicy(
    SpendingPolicy,
    body_field="body",
    action_roles={"add": SPENDING_ROLES, "change": SPENDING_ROLES, "view": SPENDING_ROLES},
)


class SupplierPermissionPolicy(BasePermissionPolicy):
    """Suppliers are shared by every body (one record across bodies and years): whoever publishes some body's
    spending figures may list, add and correct them; only superusers delete one (their payments keep it).

    Private persons are personal data: a publisher sees only those their own bodies paid or awarded a contract.
    """

    def __init__(self):
        super().__init__(Supplier)

    def _is_superuser(self, user) -> bool:
        return bool(user.is_authenticated and user.is_active and user.is_superuser)

    def user_has_permission(self, user, action):
        if self._is_superuser(user):
            return True
        if action == "delete" or not (user.is_authenticated and user.is_active):
            return False
        return get_spending_bodies(user).exists()

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        return self._is_superuser(user) or self._visible_to(user).filter(pk=instance.pk).exists()

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, action, instance) for action in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        if self._is_superuser(user):
            return Supplier.objects.all()
        if not self.user_has_any_permission(user, actions):
            return Supplier.objects.none()
        return self._visible_to(user)

    def _visible_to(self, user) -> QuerySet[Supplier]:
        bodies = get_spending_bodies(user)
        paid = Q(payments__body__in=bodies) | Q(awards__process__body__in=bodies)
        return Supplier.objects.filter(pk__in=Supplier.objects.filter(~Q(kind=Supplier.Kind.INDIVIDUAL) | paid))

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.filter(is_active=True)
        if set(actions) <= {"delete"}:
            return users.filter(is_superuser=True)
        granted = Q(role_grants__role__in=roles_covering(frozenset(SPENDING_ROLES)))
        return users.filter(Q(is_superuser=True) | granted).distinct()


supplier_policy = SupplierPermissionPolicy()
