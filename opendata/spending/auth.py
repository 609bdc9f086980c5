"""Who may publish a body's spending figures: its publishers (and administrators), and those of the bodies above.

Budgets, payments and contracts are public as soon as they are imported or saved, so writing them takes the
publisher's role, as publishing a dataset does. The Wagtail admin asks the policies at the end of this module.
"""

from django.db.models import QuerySet

from portal.bodies.auth import get_bodies_with_any_role, has_any_role
from portal.bodies.models import PublicBody, Role
from portal.bodies.permissions import BodyScopedPermissionPolicy

from .models import BudgetLine, ClassificationCode, ContractingProcess, Payment, SpendingPolicy

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
spending_policy_policy = BodyScopedPermissionPolicy(
    SpendingPolicy, body_field="body", action_roles={"change": SPENDING_ROLES, "view": SPENDING_ROLES}
)
