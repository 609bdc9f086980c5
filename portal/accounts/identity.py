"""Identity verification: the one check behind supports (proposals) and ballots (budgeting).

An identity number is never stored: `identity_hash` keeps an HMAC of it under IDENTITY_HASH_KEY, so a second
account presenting the same number is recognised (and refused, and shown to staff) while the table reveals no
number to whoever reads it without the key.
"""

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable
from datetime import date
from enum import StrEnum

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from .models import IdentityConflict, Verification, is_verified


class VerificationRefused(ValueError):
    """The identity cannot be verified on this account; the message says why."""


SEPARATORS = re.compile(r"[\s\-./]")


def normalise_identity_number(number: str) -> str:
    """The number as written on any card: Arabic-Indic digits read as digits, spaces and dashes dropped, capitals."""
    text = unicodedata.normalize("NFKC", number or "")
    if not text.isascii():  # ASCII digits are digits already: the census reads millions of them
        text = "".join(str(unicodedata.digit(char)) if char.isdigit() else char for char in text)
    return SEPARATORS.sub("", text).upper()


def identity_hash(number: str) -> str:
    return identity_hasher()(normalise_identity_number(number))


def identity_hasher() -> Callable[[str], str]:
    """A function from a *normalised* number to its identity_hash, keyed once (a census hashes each of its rows)."""
    key = (settings.IDENTITY_HASH_KEY or f"identity:{settings.SECRET_KEY}").encode()
    keyed = hmac.new(key, digestmod=hashlib.sha256)

    def digest(normalised: str) -> str:
        mac = keyed.copy()
        mac.update(normalised.encode())
        return mac.hexdigest()

    return digest


def verify_person(
    user, identity_number: str, body, *, by=None, method=Verification.Method.COUNTER, district=None, born_on=None
):
    """Record that `user` is the person holding `identity_number`, resident in `body` (and `district`).

    Refused when the number is empty, when the account is verified already, or when another account holds this
    identity: that attempt is recorded for staff (IdentityConflict) rather than silently ignored.
    """
    if len(normalise_identity_number(identity_number)) < 4:
        raise VerificationRefused(_("Enter the number of the identity document."))
    return verify_identity_hash(
        user, identity_hash(identity_number), body, by=by, method=method, district=district, born_on=born_on
    )


def check_identity_free(user, digest: str) -> None:
    """Refuse (VerificationRefused) when `user` is verified already or another account holds the identity
    `digest`; the latter is recorded for staff (IdentityConflict)."""
    if Verification.objects.filter(user=user).exists():
        raise VerificationRefused(_("This account is verified already."))
    existing = Verification.objects.filter(identity_hash=digest).select_related("user").first()
    if existing is not None:
        IdentityConflict.objects.create(identity_hash=digest, user=user, existing_user=existing.user)
        raise VerificationRefused(_("This identity is already verified on another account. Staff have been told."))


def verify_identity_hash(
    user, digest: str, body, *, by=None, method=Verification.Method.COUNTER, district=None, born_on=None
) -> Verification:
    """`verify_person` for an identity known by its keyed hash only (a census entry): the same checks."""
    check_identity_free(user, digest)
    try:
        with transaction.atomic():
            verification = Verification.objects.create(
                user=user,
                identity_hash=digest,
                body=body,
                district=district,
                method=method,
                verified_by=by,
                born_on=born_on,
            )
    except IntegrityError:  # the same identity or account verified at the same instant
        raise VerificationRefused(_("This identity is already verified on another account.")) from None
    log(
        instance=verification,
        action="accounts.verify",
        user=by or user,
        data={"body": body.slug, "method": method},
    )
    return verification


def verify_from_census(user, entry) -> Verification:
    """Verify `user` as the resident of a census entry (after the census check and the code by SMS): the body
    is the district's when the census names one (it may be a body below the census's), with the date of birth."""
    body = entry.district.body if entry.district is not None else entry.body
    return verify_identity_hash(
        user,
        entry.identity_hash,
        body,
        method=Verification.Method.CENSUS,
        district=entry.district,
        born_on=entry.born_on,
    )


# Who may vote -----------------------------------------------------------------------------------------------


class Eligibility(StrEnum):
    """Why a person may or may not take part in a vote of a body (eligibility's reason)."""

    ELIGIBLE = "eligible"
    NOT_VERIFIED = "not_verified"
    NOT_RESIDENT = "not_resident"
    OTHER_DISTRICT = "other_district"
    AGE_UNKNOWN = "age_unknown"
    TOO_YOUNG = "too_young"


ELIGIBILITY_MESSAGES = {
    Eligibility.ELIGIBLE: gettext_lazy("You may take part."),
    Eligibility.NOT_VERIFIED: gettext_lazy("Verify your identity first: online with the census, or at the town hall."),
    Eligibility.NOT_RESIDENT: gettext_lazy("This vote is for the residents of another place."),
    Eligibility.OTHER_DISTRICT: gettext_lazy("This vote is for the residents of another district."),
    Eligibility.AGE_UNKNOWN: gettext_lazy(
        "This vote has a minimum age and your date of birth is not known: go to the town hall with your identity card."
    ),
    Eligibility.TOO_YOUNG: gettext_lazy("You are under the minimum age of this vote."),
}


def eligibility_message(reason: str) -> str:
    """The sentence, in the active language, for a reason `eligibility` gives."""
    return str(ELIGIBILITY_MESSAGES[Eligibility(reason)])


def age_on(born_on: date, day: date) -> int:
    """Age in whole years on `day`: one more on each birthday (29 February: on 1 March in other years)."""
    return day.year - born_on.year - ((day.month, day.day) < (born_on.month, born_on.day))


def eligibility(user, body, *, district=None, min_age: int | None = None, on: date | None = None):
    """Whether `user` may take part in a vote of `body`: (True, Eligibility.ELIGIBLE) or (False, the reason).

    Verified; resident in `body` or a body below it; in `district` when one is given; and at least `min_age`
    on the day `on` (today by default) when one is given: a person whose date of birth is unknown is then not
    eligible (AGE_UNKNOWN) until staff record it.
    """
    if not is_verified(user):
        return False, Eligibility.NOT_VERIFIED
    verification = user.verification
    if not verification.body.path.startswith(body.path):
        return False, Eligibility.NOT_RESIDENT
    if district is not None and verification.district_id != district.pk:
        return False, Eligibility.OTHER_DISTRICT
    if min_age:
        if verification.born_on is None:
            return False, Eligibility.AGE_UNKNOWN
        if age_on(verification.born_on, on or timezone.localdate()) < min_age:
            return False, Eligibility.TOO_YOUNG
    return True, Eligibility.ELIGIBLE


def eligible_verifications(body, *, district=None, min_age: int | None = None, on: date | None = None):
    """The verifications of the people `eligibility` accepts for a vote of `body` (active accounts): the electorate,
    for turnout figures, counted in one query."""
    day = on or timezone.localdate()
    verifications = Verification.objects.filter(user__is_active=True, body__path__startswith=body.path)
    if district is not None:
        verifications = verifications.filter(district=district)
    if min_age:
        verifications = verifications.filter(born_on__lte=birthday_limit(day, min_age))
    return verifications


def birthday_limit(day: date, min_age: int) -> date:
    """The latest date of birth of a person aged `min_age` on `day` (born 29 February: 28 February → 1 March)."""
    try:
        return day.replace(year=day.year - min_age)
    except ValueError:  # `day` is 29 February and that year has none: the person born 1 March is not yet of age
        return day.replace(year=day.year - min_age, day=28)
