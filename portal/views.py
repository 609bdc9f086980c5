import posixpath

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.static import serve as static_serve


def client_ip(request) -> str:
    """The visitor's address as the reverse proxy reports it (X-Real-IP), else the connection's.

    Only production uses it, where the portal listens on 127.0.0.1 behind a proxy that overwrites
    X-Real-IP (docs/deployment.md); anywhere reachable directly, the header could be forged.
    """
    return request.META.get("HTTP_X_REAL_IP") or request.META["REMOTE_ADDR"]


def not_found(request, *args, **kwargs):
    raise Http404


# The media subfolders the public may read straight from disk: Wagtail's images and their renditions.
# Everything else (open-data files, council documents, anything uploaded later) goes through a view that
# checks the record is public: /download/…, /documents/….
PUBLIC_MEDIA_FOLDERS = frozenset({"images", "original_images"})
# Served with their own type; anything else is a download, never a page of the portal's origin.
PASSIVE_MEDIA_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"})


def public_media_path(path: str) -> str | None:
    """Return `path` in the media folder, normalised, if the public may read it there; None otherwise.

    `//opendata/x`, `%2fopendata/x`, `./opendata/x`, `images/../opendata/x` and backslashes all name
    `opendata/x`: the decision is taken on the normalised path, the same one the file system would open.
    """
    normalised = posixpath.normpath("/" + path.replace("\\", "/")).lstrip("/")
    folder = normalised.split("/", 1)[0]
    if normalised.startswith("..") or "/" not in normalised or folder not in PUBLIC_MEDIA_FOLDERS:
        return None
    return normalised


def serve_media(request, path: str):
    """The media folder under `make run` (DEBUG), with the rules the production proxy applies (docs/deployment.md)."""
    normalised = public_media_path(path) if settings.DEBUG else None
    if normalised is None:
        raise Http404
    response = static_serve(request, normalised, document_root=str(settings.MEDIA_ROOT))
    return protect_media_response(response)


def protect_media_response(response):
    """Never let a stored file act as a page of the portal: no sniffing, no scripts, active types downloaded."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if response.get("Content-Type", "").split(";")[0] not in PASSIVE_MEDIA_TYPES:
        response["Content-Type"] = "application/octet-stream"
        response["Content-Disposition"] = "attachment"
    return response


def favicon(request):
    """Browsers and crawlers ask for /favicon.ico whatever the page's <link rel="icon"> says."""
    return redirect(static("favicon.svg"), permanent=True)


def api_docs(request):
    """The APIs explained in the visitor's language: a light page, linking to the OpenAPI description."""
    count, _slash, period = settings.RATE_LIMITS["api"].partition("/")
    rates = {
        "s": _("%(count)s requests a second"),
        "m": _("%(count)s requests a minute"),
        "h": _("%(count)s requests an hour"),
        "d": _("%(count)s requests a day"),
    }
    return render(
        request,
        "portal/api_docs.html",
        {
            "base": request.build_absolute_uri("/").rstrip("/"),
            "api_rate": rates.get(period[:1], rates["m"]) % {"count": count},
        },
    )
