"""The one way to limit how often a client may do something: named rates, one decorator, one DRF throttle.

Rates are named in settings.RATE_LIMITS (django-ratelimit's notation, "300/m", "5/h"), each overridable from
the environment (`RATE_LIMIT_<NAME>`, dots as underscores), and read at request time so that a changed setting
(or override_settings in a test) applies without a restart. The counting is django-ratelimit's, in the shared
cache: fixed windows, one counter per door (`group`) and client (`key`: the address, or the signed-in user).

Past its rate a client gets a 429 with Retry-After, the seconds until its window ends: a page
(`rate_limited` below), a problem (the REST API) or the CKAN envelope.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.shortcuts import render
from django_ratelimit import ALL
from django_ratelimit.core import get_usage
from django_ratelimit.exceptions import Ratelimited
from rest_framework.throttling import BaseThrottle


class RateLimited(Ratelimited):
    """Raised past a rate; RatelimitMiddleware hands it to the 429 view, which reads `retry_after`."""

    def __init__(self, retry_after: int):
        super().__init__()
        self.retry_after = retry_after


def rate(name: str) -> str:
    """The rate called `name` in settings.RATE_LIMITS (a KeyError names a rate that was never set)."""
    return settings.RATE_LIMITS[name]


def seconds_left(request, name: str, *, group: str = "", key: str = "ip", method=ALL) -> int | None:
    """Count this request against the rate `name`: None while under it, else the seconds until the client may
    try again. `group` names the counter (the door; default: the rate's name), `key` whom it counts."""
    usage = get_usage(
        request, group=group or name, key=key, rate=lambda _group, _request: rate(name), method=method, increment=True
    )
    if not usage or not usage["should_limit"]:
        return None
    return max(1, usage["time_left"])


def check(request, name: str, *, group: str = "", key: str = "ip", method=ALL) -> None:
    """Raise RateLimited when this request is past the rate `name` (see `seconds_left`)."""
    retry_after = seconds_left(request, name, group=group, key=key, method=method)
    if retry_after is not None:
        raise RateLimited(retry_after)


def limit(name: str, *, group: str = "", key: str = "ip", method=ALL) -> Callable:
    """Decorate a view: past the rate `name` it answers the 429 page instead of running."""

    def decorator(view):
        @wraps(view)
        def limited(request, *args, **kwargs):
            check(request, name, group=group, key=key, method=method)
            return view(request, *args, **kwargs)

        return limited

    return decorator


def rate_limited_response(request, retry_after: int, back_url: str = ""):
    """The 429 page: how long to wait (Retry-After, and in minutes for people), and where to go back."""
    context = {"minutes": -(-retry_after // 60), "back_url": back_url}
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limited(request, exception):
    """RATELIMIT_VIEW: answers a request that a `limit` (or django-ratelimit's own decorator) refused."""
    return rate_limited_response(request, getattr(exception, "retry_after", 60))


class RateThrottle(BaseThrottle):
    """The REST API's throttle over the same counters: a view sets `throttle_rate` (a rate's name) and may set
    `throttle_group` and `throttle_key` (whom it counts: "ip", the default, or "user" for a view that needs
    authentication); a 429 is a problem with Retry-After (portal.api.problem_exception_handler)."""

    def allow_request(self, request, view) -> bool:
        name = getattr(view, "throttle_rate", "api")
        group = getattr(view, "throttle_group", "") or f"{name}.rest"
        key = getattr(view, "throttle_key", "ip")
        self.retry_after = seconds_left(request._request, name, group=group, key=key)
        return self.retry_after is None

    def wait(self) -> int | None:
        return self.retry_after
