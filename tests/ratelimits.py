from django.conf import settings
from django.test import override_settings


def rate_limits(**rates: str) -> override_settings:
    """Override some of settings.RATE_LIMITS (portal.ratelimits), keeping the others."""
    return override_settings(RATE_LIMITS={**settings.RATE_LIMITS, **rates})
