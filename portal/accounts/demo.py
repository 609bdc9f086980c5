"""Demo people: a staff member of the commune, a citizen (a verified resident of Blida), two associations."""

from allauth.account.models import EmailAddress

from portal.bodies.models import District, PublicBody, Role
from portal.bodies.services import grant_role

from .identity import verify_person
from .models import Membership, Organisation, User, Verification

DEMO_PASSWORD = "baladiya-demo-2026"  # noqa: S105 (printed on the console for the demo)
STAFF_EMAIL = "staff@baladiya.localhost"
EDITOR_EMAIL = "editor@baladiya.localhost"
CITIZEN_EMAIL = "citizen@baladiya.localhost"


def _user(email: str, **fields) -> User:
    user, created = User.objects.get_or_create(email=email, defaults=fields)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def verified_resident(email: str, body: PublicBody, identity_number: str, district_slug: str = "", **fields) -> User:
    """A demo account whose identity the council checked at its counter, resident in `body` (once: a second run
    finds it verified)."""
    user = _user(email, **fields)
    if not Verification.objects.filter(user=user).exists():
        district = District.objects.filter(body=body, slug=district_slug).first() if district_slug else None
        verify_person(user, identity_number, body, district=district)
    return user


def load(stdout) -> None:
    commune = PublicBody.objects.get(slug="commune-blida")
    staff = _user(STAFF_EMAIL, first_name="سعاد", last_name="بن علي", is_staff=True)
    for role in (Role.ADMINISTRATOR, Role.PUBLISHER, Role.INFORMATION_OFFICER, Role.BUDGET_MANAGER, Role.MODERATOR):
        grant_role(staff, commune, role)
    editor = _user(EDITOR_EMAIL, first_name="Yacine", last_name="Mansouri", is_staff=True)
    grant_role(editor, commune, Role.EDITOR)
    # A verified resident: supports proposals (and, later, votes in budgeting rounds).
    citizen = verified_resident(
        CITIZEN_EMAIL, commune, "DZ-DEMO-000001", "ben-boulaid", first_name="Karim", last_name="Haddad"
    )

    associations = [
        (
            "jam-iyat-hay-al-amal",
            "جمعية حي الأمل للتنمية المحلية",
            "ar",
            "BL-2019-0457",
            Organisation.Status.APPROVED,
            "جمعية محلية تعمل على تحسين الإنارة العمومية والمساحات الخضراء في حي الأمل.",
        ),
        (
            "association-jeunesse-ouled-soltane",
            "Association Jeunesse d'Ouled Soltane",
            "fr",
            "BL-2023-0112",
            Organisation.Status.PENDING,
            "Activités sportives et culturelles pour les jeunes du quartier.",
        ),
    ]
    for slug, name, language, number, status, description in associations:
        organisation, _created = Organisation.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "language": language,
                "registration_number": number,
                "body": commune,
                "status": status,
                "description": description,
            },
        )
        Membership.objects.get_or_create(
            organisation=organisation, user=citizen, defaults={"role": Membership.Role.ADMIN}
        )
    stdout.write(f"  staff login: {STAFF_EMAIL} / {DEMO_PASSWORD} (all roles on {commune.name_fr})")
    stdout.write(f"  editor login (drafts decisions for approval): {EDITOR_EMAIL} / {DEMO_PASSWORD}")
    stdout.write(f"  citizen login (a verified resident of {commune.name_fr}): {CITIZEN_EMAIL} / {DEMO_PASSWORD}")
