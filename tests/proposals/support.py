"""What the tests of the proposals' pages share: small real images, and the staff log actions declared."""

from io import BytesIO

import pytest
from PIL import Image
from wagtail.log_actions import registry

# The log actions that services.py writes; the admin declares them (wagtail_hooks) and Wagtail refuses an
# undeclared one. Declared here too, so that these tests do not depend on the admin being there.
STAFF_ACTIONS = [
    "proposals.hide",
    "proposals.restore",
    "proposals.merge",
    "proposals.convert",
    "proposals.comment.hide",
    "proposals.comment.restore",
    *(f"proposals.answer.{outcome}" for outcome in ("evaluating", "accepted", "rejected", "not_competent", "planned")),
]


def jpeg(width: int = 40, height: int = 30) -> bytes:
    out = BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _staff_log_actions():
    for action in STAFF_ACTIONS:
        if not registry.action_exists(action):
            registry.register_action(action, action, action)
