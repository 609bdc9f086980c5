"""Who may declare, change and run a body's harvest sources: its publishers (and administrators), and those of the
bodies above. A source publishes what it harvests (unless it keeps drafts), so it takes the publisher's role."""

from portal.bodies.models import Role
from portal.bodies.permissions import BodyScopedPermissionPolicy

from .models import HarvestSource

HARVEST_ROLES = (Role.PUBLISHER,)
source_policy = BodyScopedPermissionPolicy(
    HarvestSource,
    body_field="body",
    action_roles={"add": HARVEST_ROLES, "change": HARVEST_ROLES, "view": HARVEST_ROLES, "delete": HARVEST_ROLES},
)


def sources_for(user, action: str = "view"):
    """The harvest sources `user` may take `action` on."""
    return source_policy.instances_user_has_any_permission_for(user, [action])
