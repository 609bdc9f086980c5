from django.http import Http404
from django.shortcuts import render

# Seconds a client should wait after a rate limit; matches the shortest window we use.
RETRY_AFTER_SECONDS = 60


def client_ip(request) -> str:
    """The visitor's address as the reverse proxy reports it (X-Real-IP), else the connection's.

    Only production uses it, where the portal listens on 127.0.0.1 behind a proxy that overwrites
    X-Real-IP (docs/deployment.md); anywhere reachable directly, the header could be forged.
    """
    return request.META.get("HTTP_X_REAL_IP") or request.META["REMOTE_ADDR"]


def rate_limited(request, exception):
    response = render(request, "429.html", status=429)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def not_found(request, *args, **kwargs):
    raise Http404
