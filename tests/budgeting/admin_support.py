"""What the budgeting staff screens' tests share: a logged-in staff client, the screens' addresses, the messages
a screen answered with."""

from html import unescape

from allauth.mfa.models import Authenticator
from django.contrib.messages import constants, get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from tests.staff import login_with_second_factor


def staff_client(user) -> Client:
    """`user` logged in to the admin, in English (so tests read refusals in the words they match)."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()  # a second client of theirs
    client = Client()
    login_with_second_factor(client, user)
    return client


def url(name: str, *args) -> str:
    return reverse(f"budgeting_admin:{name}", args=args)


def errors_of(response) -> list[str]:
    return [unescape(str(m)).strip() for m in get_messages(response.wsgi_request) if m.level == constants.ERROR]


def successes_of(response) -> list[str]:
    return [unescape(str(m)).strip() for m in get_messages(response.wsgi_request) if m.level == constants.SUCCESS]


def logged(record, action: str):
    return ModelLogEntry.objects.filter(object_id=str(record.pk), action=action)


def queries_of(client, address: str, **params) -> int:
    """How many queries the page at `address` makes."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address, params).status_code == 200
    return len(queries)
