"""One-time codes by SMS: proof that a person holds a phone, for a purpose ("verify": the census check).

Only a keyed hash of each code is kept, with its expiry (VERIFICATION_CODE_MINUTES) and the attempts made: past
VERIFICATION_CODE_MAX_ATTEMPTS wrong ones the code is dead. Sending is throttled: one code per
VERIFICATION_CODE_RESEND_SECONDS per person and purpose, at most VERIFICATION_CODE_MAX_PER_DAY in 24 hours per
person and per phone (a phone is counted by its keyed hash, so codes cannot be used to flood someone's phone
from many accounts). A new code replaces the one before it.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.money import ascii_digits

from .models import OneTimeCode
from .sms import SmsError, normalise_phone, send_sms

CODE_DIGITS = 6


class CodeRefused(ValueError):
    """No code can be sent, or the code given is not accepted; the message says why, for the person."""


def _key() -> bytes:
    return (settings.IDENTITY_HASH_KEY or f"identity:{settings.SECRET_KEY}").encode()


def phone_hash(phone: str) -> str:
    """A keyed hash of a number in E.164, to count the codes sent to it without keeping it."""
    return hmac.new(_key(), f"phone:{phone}".encode(), hashlib.sha256).hexdigest()


def code_hash(user, purpose: str, code: str) -> str:
    return hmac.new(_key(), f"code:{user.pk}:{purpose}:{code}".encode(), hashlib.sha256).hexdigest()


def _wait_message(seconds: int) -> str:
    return ngettext(
        "A code was just sent. Wait %(seconds)s second before asking for another.",
        "A code was just sent. Wait %(seconds)s seconds before asking for another.",
        seconds,
    ) % {"seconds": seconds}


def send_code(user, phone: str, purpose: str, *, text: str = "") -> OneTimeCode:
    """Send a new code for `purpose` to `phone` (InvalidPhone when it is no mobile number); return its record.

    CodeRefused when one was sent too recently or too many today (to this person or this phone), or when the
    gateway fails (the attempt then does not count). `text` may carry `%(code)s` and `%(minutes)s`."""
    number = normalise_phone(phone)
    now = timezone.now()
    minutes = settings.VERIFICATION_CODE_MINUTES
    digest = phone_hash(number)
    with transaction.atomic():
        latest = OneTimeCode.objects.filter(user=user, purpose=purpose).order_by("-created_at").first()
        resend = timedelta(seconds=settings.VERIFICATION_CODE_RESEND_SECONDS)
        if latest is not None and now - latest.created_at < resend:
            raise CodeRefused(_wait_message(int((latest.created_at + resend - now).total_seconds()) + 1))
        day = OneTimeCode.objects.filter(created_at__gte=now - timedelta(days=1))
        most = settings.VERIFICATION_CODE_MAX_PER_DAY
        if day.filter(user=user).count() >= most or day.filter(phone_hash=digest).count() >= most:
            raise CodeRefused(_("Too many codes were asked for today. Try again tomorrow."))
        # The code sent before this one dies: only the latest one is good.
        OneTimeCode.objects.filter(user=user, purpose=purpose, used_at=None, expires_at__gt=now).update(expires_at=now)
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        record = OneTimeCode.objects.create(
            user=user,
            purpose=purpose,
            phone_hash=digest,
            code_hash=code_hash(user, purpose, code),
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
        message = (text or _("Your Baladiya code is %(code)s. It expires in %(minutes)s minutes.")) % {
            "code": code,
            "minutes": minutes,
        }
        try:
            send_sms(number, message)
        except SmsError:
            transaction.set_rollback(True)
            raise CodeRefused(_("The SMS could not be sent. Try again in a few minutes.")) from None
    return record


def check_code(user, code: str, purpose: str) -> None:
    """Accept `code` for `purpose` (the code is then used) or raise CodeRefused saying why.

    Each wrong code counts as an attempt on the live code; past VERIFICATION_CODE_MAX_ATTEMPTS it is dead."""
    given = ascii_digits(code or "").replace(" ", "").strip()
    now = timezone.now()
    most = settings.VERIFICATION_CODE_MAX_ATTEMPTS
    with transaction.atomic():
        record = (
            OneTimeCode.objects.select_for_update()
            .filter(user=user, purpose=purpose, used_at=None, expires_at__gt=now, attempts__lt=most)
            .order_by("-created_at")
            .first()
        )
        if record is None:
            raise CodeRefused(_("This code has expired or was already used: ask for a new one."))
        OneTimeCode.objects.filter(pk=record.pk).update(attempts=F("attempts") + 1)
        attempts = record.attempts + 1
        if hmac.compare_digest(record.code_hash, code_hash(user, purpose, given)):
            OneTimeCode.objects.filter(pk=record.pk).update(used_at=now)
            return
    left = most - attempts
    if left <= 0:
        raise CodeRefused(_("Too many wrong codes: this one no longer works. Ask for a new one."))
    raise CodeRefused(
        ngettext(
            "This is not the code sent. %(left)s attempt left.",
            "This is not the code sent. %(left)s attempts left.",
            left,
        )
        % {"left": left}
    )
