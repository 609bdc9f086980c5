"""Settings of the servers of bench/proposals.py and bench/budgeting_ballots.py: the portal's (portal.settings.dev,
DEBUG from the environment) with bench/ceiling_urls.py as URLconf, which adds the trivial authenticated view that
citizens' writes are measured against. Never used outside the benchmarks."""

from portal.settings.dev import *  # noqa: F403

ROOT_URLCONF = "bench.ceiling_urls"

# The refused doubles (409) are expected by the hundred: Django's line for each would bury the figures.
LOGGING["loggers"]["django.request"] = {"level": "ERROR"}  # noqa: F405
