"""Embedded default for `make run`: one machine, nothing else to install."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)
# The demo staff account logs in with a password only; production requires a second factor.
ADMIN_REQUIRE_2FA = env_bool("ADMIN_REQUIRE_2FA", False)
