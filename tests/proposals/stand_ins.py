"""Stand-ins for what the proposals' staff screens register (their wagtail_hooks.py: the audit log's actions)
while those are not in this tree: the workflow's staff moves write log entries that Wagtail refuses unless their
action is registered. Once the real hooks are there, this registers nothing."""

import pytest
from wagtail.log_actions import registry

from participation.proposals.workflow import PROPOSAL_WORKFLOW

LOG_ACTIONS = {move.action for move in PROPOSAL_WORKFLOW.moves.values() if move.action} | {
    "proposals.comment.hide",
    "proposals.comment.restore",
}


def register_log_actions() -> None:
    registry.scan_for_actions()
    for action in sorted(LOG_ACTIONS):
        if not registry.action_exists(action):
            registry.register_action(action, action, action)


@pytest.fixture(autouse=True)
def proposal_log_actions():
    register_log_actions()
