"""Telling people that something happened: on the site (their notifications) and by email.

Sent once the transaction that made the change has committed (a change rolled back tells nobody), each in the
person's own language.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import translation

from .models import Notification

# Set while the demo loads: nobody is told of what did not really happen.
_silenced: ContextVar[bool] = ContextVar("notifications_silenced", default=False)


@contextmanager
def silenced() -> Iterator[None]:
    token = _silenced.set(True)
    try:
        yield
    finally:
        _silenced.reset(token)


def is_silenced() -> bool:
    """Whether the demo is loading: every module's notifications then tell nobody."""
    return _silenced.get()


def absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def notify(users: Iterable, compose: Callable[[], tuple[str, str]], path: str | Callable[[], str] = "") -> None:
    """Tell each active user what `compose()` writes, (subject, text), rendered in the person's own language;
    `path` is the site address of what it is about (the language prefix is the person's)."""
    if _silenced.get():
        return
    people = list({user.pk: user for user in users if user is not None and user.is_active}.values())
    if not people:
        return

    def send():
        notifications, emails = [], []
        for user in people:
            with translation.override(user.preferred_language):
                subject, text = compose()
                url = absolute(path() if callable(path) else path) if path else ""
            subject = " ".join(str(subject).split())[:255]
            notifications.append(Notification(user=user, subject=subject, text=str(text), url=url))
            emails.append((subject, f"{text}\n\n{url}".strip(), settings.DEFAULT_FROM_EMAIL, [user.email]))
        Notification.objects.bulk_create(notifications)
        send_mass_mail(emails, fail_silently=True)

    transaction.on_commit(send)
