"""Settings of bench/proposals.py's server: the portal's (portal.settings.dev, DEBUG from the environment) with
bench/proposals_urls.py as URLconf, which adds the trivial authenticated view that the supports are measured
against. Never used outside the benchmark."""

from portal.settings.dev import *  # noqa: F403

ROOT_URLCONF = "bench.proposals_urls"
