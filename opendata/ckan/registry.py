"""Every action of the CKAN-compatible API by name: the reading ones, then those that write."""

from collections.abc import Callable

from .actions import READ_ACTIONS, Context
from .write_actions import WRITE_ACTIONS

ACTIONS: dict[str, Callable[[Context, dict], object]] = {**READ_ACTIONS, **WRITE_ACTIONS}
