from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

ADMIN_PREFIX = "/admin/"


def has_passed_second_factor(request) -> bool:
    """Return whether this session's login included a one-time code (TOTP or recovery code)."""
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


class AdminTwoFactorMiddleware:
    """Staff reach the Wagtail admin only after a second factor, when ADMIN_REQUIRE_2FA is on.

    Without an authenticator they are sent to set one up; with one but a session
    that never asked for it, they are asked for a code first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.ADMIN_REQUIRE_2FA
            and request.path.startswith(ADMIN_PREFIX)
            and request.user.is_authenticated
            and request.user.has_perm("wagtailadmin.access_admin")
        ):
            query = urlencode({"next": request.get_full_path()})
            if not is_mfa_enabled(request.user, [Authenticator.Type.TOTP]):
                messages.warning(
                    request,
                    _(
                        "Staff accounts need two-factor authentication: "
                        "set up an authenticator app to reach the administration."
                    ),
                )
                return redirect(f"{reverse('mfa_activate_totp')}?{query}")
            if not has_passed_second_factor(request):
                return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
        return self.get_response(request)
