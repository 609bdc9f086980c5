"""Staff screens that answer 403 when a person may not act, rather than Wagtail's redirect to the dashboard.

Wagtail's admin turns a PermissionDenied into a redirect with a message, which hides from a script (and from the
tests) that the door is closed; our own staff views answer 403 instead, with the site's 403 page.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.views.defaults import permission_denied


def forbidden_as_403(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as refusal:
            return permission_denied(request, refusal)

    return wrapped
