"""Identity verification: the one check behind supports (proposals) and ballots (budgeting).

An identity number is never stored: `identity_hash` keeps an HMAC of it under IDENTITY_HASH_KEY, so a second
account presenting the same number is recognised (and refused, and shown to staff) while the table reveals no
number to whoever reads it without the key.
"""

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from .models import IdentityConflict, Verification


class VerificationRefused(ValueError):
    """The identity cannot be verified on this account; the message says why."""


def normalise_identity_number(number: str) -> str:
    """The number as written on any card: Arabic-Indic digits read as digits, spaces and dashes dropped, capitals."""
    text = unicodedata.normalize("NFKC", number or "")
    digits = "".join(str(unicodedata.digit(char)) if char.isdigit() else char for char in text)
    return re.sub(r"[\s\-./]", "", digits).upper()


def identity_hash(number: str) -> str:
    key = (settings.IDENTITY_HASH_KEY or f"identity:{settings.SECRET_KEY}").encode()
    return hmac.new(key, normalise_identity_number(number).encode(), hashlib.sha256).hexdigest()


def verify_person(user, identity_number: str, body, *, by=None, method=Verification.Method.COUNTER, district=None):
    """Record that `user` is the person holding `identity_number`, resident in `body` (and `district`).

    Refused when the number is empty, when the account is verified already, or when another account holds this
    identity: that attempt is recorded for staff (IdentityConflict) rather than silently ignored.
    """
    if len(normalise_identity_number(identity_number)) < 4:
        raise VerificationRefused(_("Enter the number of the identity document."))
    digest = identity_hash(identity_number)
    if Verification.objects.filter(user=user).exists():
        raise VerificationRefused(_("This account is verified already."))
    existing = Verification.objects.filter(identity_hash=digest).select_related("user").first()
    if existing is not None:
        IdentityConflict.objects.create(identity_hash=digest, user=user, existing_user=existing.user)
        raise VerificationRefused(_("This identity is already verified on another account. Staff have been told."))
    try:
        with transaction.atomic():
            verification = Verification.objects.create(
                user=user, identity_hash=digest, body=body, district=district, method=method, verified_by=by
            )
    except IntegrityError:  # the same identity or account verified at the same instant
        raise VerificationRefused(_("This identity is already verified on another account.")) from None
    if by is not None:
        log(instance=verification, action="accounts.verify", user=by, data={"body": body.slug, "method": method})
    return verification
