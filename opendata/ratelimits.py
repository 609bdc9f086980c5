"""Rate limits per client address on the catalogue's costly doors (django-ratelimit, key "ip").

The rates are read at request time, so that the settings (and override_settings in tests) apply without a
restart; past the rate, RATELIMIT_VIEW answers 429 with Retry-After.
"""

from django.conf import settings
from django_ratelimit.decorators import ratelimit


def api_rate(group, request) -> str:
    return settings.OPENDATA_API_RATE


def download_rate(group, request) -> str:
    return settings.OPENDATA_DOWNLOAD_RATE


def limit(group: str, rate):
    """Block a client past `rate` (a callable above) for the views of `group`."""
    return ratelimit(group=group, key="ip", rate=rate, block=True)
