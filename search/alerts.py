"""Saved searches: saving one for an address, confirming it, deleting it, and the emails that announce what is new.

Nobody needs an account: the links in the emails are signed (django.core.signing), so following one proves the
reader has the mailbox. The address stays in the database and in the emails, never on a page.
"""

import dataclasses
import datetime
import logging
import smtplib
from urllib.parse import urlencode, urljoin

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from portal.models import SearchEntry
from portal.searching import SearchUnavailable

from .models import SavedSearch
from .services import SearchQuery, newest

logger = logging.getLogger(__name__)

CONFIRM_SALT = "search.saved_search.confirm"
UNSUBSCRIBE_SALT = "search.saved_search.unsubscribe"
# A confirmation link works for a week, as allauth's email confirmations do by default (ACCOUNT_EMAIL_CONFIRMATION_
# EXPIRE_DAYS = 3) with room for a slow reader; an unsubscribe link works for as long as its saved search exists.
CONFIRM_MAX_AGE = datetime.timedelta(days=7)
# Records one alert lists; past it, the email says how many more and links to the search.
ALERT_SIZE = 20


def stored_query(query: SearchQuery) -> dict:
    """Return `query` as a saved search stores it: the parameters given, in SearchQuery's order, without the sort."""
    return {
        name: value for name, value in dataclasses.asdict(query).items() if name != "sort" and value not in ("", None)
    }


def save_search(email: str, query: SearchQuery, language: str) -> SavedSearch:
    """Save `query` for `email` and mail the link that confirms it; the same search for the same address is saved
    once. An address that already confirmed this search gets no second email."""
    email = email.strip().lower()
    stored = stored_query(query)
    try:
        with transaction.atomic():
            saved, _created = SavedSearch.objects.get_or_create(
                email=email, query=stored, defaults={"language": language}
            )
    except IntegrityError:  # the same form sent twice at once
        saved = SavedSearch.objects.get(email=email, query=stored)
    if not saved.is_confirmed:
        if saved.language != language:
            saved.language = language
            saved.save(update_fields=["language"])
        send_confirmation(saved)
    return saved


def token_for(saved: SavedSearch, salt: str) -> str:
    return signing.dumps({"id": saved.pk, "email": saved.email}, salt=salt)


def saved_search_for(token: str, salt: str, max_age: datetime.timedelta | None = None) -> SavedSearch | None:
    """Return the saved search a signed link names, or None (tampered, expired, or already deleted)."""
    try:
        signed = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(signed, dict):
        return None
    return SavedSearch.objects.filter(pk=signed.get("id"), email=signed.get("email")).first()


def absolute(path: str) -> str:
    """`path` on the portal's public address (PUBLIC_URL), as links in emails need."""
    return urljoin(settings.WAGTAILADMIN_BASE_URL, path)


def search_url(saved: SavedSearch) -> str:
    """The search page of `saved`, in its language."""
    with override(saved.language):
        return absolute(reverse("search:search") + "?" + urlencode(saved.query))


def send_confirmation(saved: SavedSearch) -> None:
    with override(saved.language):
        confirm_url = absolute(reverse("search:confirm", args=[token_for(saved, CONFIRM_SALT)]))
        _send(
            saved,
            _("Confirm your search alert: %(q)s") % {"q": saved.query.get("q", "")},
            "search/emails/confirm",
            {"confirm_url": confirm_url, "days": CONFIRM_MAX_AGE.days},
        )


@dataclasses.dataclass(frozen=True)
class News:
    entries: list[SearchEntry]
    count: int

    def more(self) -> int:
        return self.count - len(self.entries)


def news_for(saved: SavedSearch, now: datetime.datetime) -> News:
    """Return the entries `saved` finds that became public after its watermark and until `now`, newest first."""
    entries, count = newest(saved.search_query(), after=saved.notified_until, until=now, limit=ALERT_SIZE)
    return News(entries=entries, count=count)


def send_alerts(now: datetime.datetime) -> int:
    """Mail each confirmed saved search the records that entered it since its last alert; return the emails sent.

    A saved search with nothing new gets no email. One whose search or email fails (the search backend or the
    mail server down) keeps its watermark, so that the next run announces the same records. Saved searches
    whose confirmation link expired unfollowed are deleted: nobody can confirm them any more.
    """
    SavedSearch.objects.unconfirmed_since(now - CONFIRM_MAX_AGE).delete()
    sent = 0
    for saved in SavedSearch.objects.confirmed().order_by("pk").iterator():
        try:
            news = news_for(saved, now)
        except SearchUnavailable:
            logger.exception("The search backend did not answer for saved search %s", saved.pk)
            continue
        previous = saved.notified_until
        if not saved.move_watermark(now) or not news.entries:
            continue
        try:
            send_alert(saved, news)
        except (smtplib.SMTPException, OSError):
            logger.exception("The alert of saved search %s could not be sent", saved.pk)
            saved.move_watermark(previous)  # the next run announces the same records
            continue
        sent += 1
    return sent


def send_alert(saved: SavedSearch, news: News) -> None:
    with override(saved.language):
        items = [
            {"title": entry.title, "url": absolute(entry.url), "language": entry.language} for entry in news.entries
        ]
        _send(
            saved,
            _("New for your search: %(q)s") % {"q": saved.query.get("q", "")},
            "search/emails/alert",
            {"items": items, "more": news.more()},
        )


def _send(saved: SavedSearch, subject: str, template: str, context: dict) -> None:
    """Mail `saved`'s address the text and HTML of `template` (in the active language), with the link that deletes
    it, in the body and as List-Unsubscribe (RFC 8058: mail clients offer it as one button)."""
    unsubscribe_url = absolute(reverse("search:unsubscribe", args=[token_for(saved, UNSUBSCRIBE_SALT)]))
    context = {
        **context,
        "q": saved.query.get("q", ""),
        "search_url": search_url(saved),
        "unsubscribe_url": unsubscribe_url,
        "site_name": settings.WAGTAIL_SITE_NAME,
        "language": saved.language,
    }
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # no line breaks from the query in a header
        body=render_to_string(f"{template}.txt", context),
        to=[saved.email],
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()
