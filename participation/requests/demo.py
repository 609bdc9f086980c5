"""Demo requests and complaints in every state, to Blida (Algeria: the default rule) and Salé (Morocco: law
31-13 and, for complaints, decree 2-17-265), in Arabic and French: answered, refused and appealed, extended,
awaiting clarification, late, transferred, withdrawn, and a complaint.

Each case is filed and moved through the domain functions, then its dates are set back as if it had been filed
weeks ago (the clock reads today's date), so that its due dates are the law's. Cases are found by subject: a
second `load_demo` adds nothing.
"""

import uuid
from datetime import timedelta

from django.utils import timezone

from portal.accounts.demo import CITIZEN_EMAIL, STAFF_EMAIL
from portal.accounts.models import User
from portal.accounts.notifications import silenced
from portal.bodies.models import PublicBody, Role, RoleGrant
from portal.models import StatusEvent

from . import services
from .deadlines import acknowledge_deadline, case_deadline
from .models import Appeal, Case, ClockPause, Message

# (body slug, kind, language, subject, text, days ago, moves, show name, public)
CASES = [
    (
        "commune-blida",
        "request",
        "ar",
        "محضر مداولة المجلس الشعبي البلدي حول ميزانية 2026",
        "أطلب نسخة من محضر مداولة المجلس الشعبي البلدي المتعلقة بالمصادقة على الميزانية الأولية لسنة 2026، "
        "مع نتائج التصويت على كل بند.",
        25,
        ["acknowledge", "answer"],
        False,
        True,
    ),
    (
        "commune-blida",
        "request",
        "fr",
        "Contrats d'éclairage public 2025",
        "Je demande la liste des marchés d'éclairage public signés en 2025, avec leurs montants et les entreprises "
        "attributaires.",
        40,
        ["acknowledge", "extend", "answer_partly"],
        True,
        True,
    ),
    (
        "commune-blida",
        "request",
        "ar",
        "دراسة تهيئة حي بن بولعيد",
        "أرجو تزويدي بالدراسة التقنية لمشروع تهيئة حي بن بولعيد التي اعتمد عليها المجلس.",
        12,
        ["ask_clarification"],
        False,
        True,
    ),
    (
        "commune-blida",
        "request",
        "ar",
        "قائمة المستفيدين من السكن الاجتماعي",
        "أطلب القائمة الاسمية للمستفيدين من حصة السكن الاجتماعي الأخيرة.",
        30,
        ["refuse"],
        False,
        True,
    ),
    (
        "commune-sale",
        "request",
        "fr",
        "Rapport d'audit de la gestion des déchets",
        "Je souhaite obtenir le rapport d'audit de la gestion déléguée de la collecte des déchets à Salé (2024).",
        60,
        ["refuse", "appeal", "decide_appeal", "appeal"],
        False,
        True,
    ),
    (
        "commune-sale",
        "request",
        "ar",
        "ميزانية الجماعة لسنة 2026 حسب المقاطعات",
        "المرجو موافاتي بتوزيع ميزانية الجماعة لسنة 2026 حسب المقاطعات.",
        45,
        [],
        False,
        True,
    ),
    (
        "commune-sale",
        "request",
        "ar",
        "رخص البناء الممنوحة في حي تابريكت",
        "أطلب عدد رخص البناء الممنوحة في حي تابريكت خلال سنة 2025.",
        8,
        ["transfer"],
        False,
        True,
    ),
    (
        "commune-sale",
        "complaint",
        "fr",
        "Éclairage public en panne rue Moulay Ismaïl",
        "Les lampadaires de la rue Moulay Ismaïl à Tabriquet sont éteints depuis trois semaines.",
        20,
        ["acknowledge"],
        False,
        True,
    ),
    (
        "commune-blida",
        "request",
        "fr",
        "Horaires du service de l'état civil",
        "Quels sont les horaires d'ouverture du service de l'état civil pendant le Ramadan ?",
        3,
        ["withdraw"],
        False,
        False,
    ),
]

ANSWERS = {
    "ar": "تجدون في المرفق نسخة من المحضر المطلوب. مع التحية.",
    "fr": "Veuillez trouver ci-dessous les éléments demandés. Cordialement.",
}


def demo_uuid(subject: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"https://baladiya.example/demo/information-requests/{subject}")


def _officer() -> User:
    staff = User.objects.get(email=STAFF_EMAIL)
    for slug in ("commune-blida", "commune-sale"):
        body = PublicBody.objects.filter(slug=slug).first()
        if body is not None:
            RoleGrant.objects.get_or_create(user=staff, body=body, role=Role.INFORMATION_OFFICER)
            RoleGrant.objects.get_or_create(user=staff, body=body, role=Role.ADMINISTRATOR)
    return staff


def _backdate(case: Case, days: int) -> None:
    """Move everything the case has lived so far `days` back, and its due dates with it."""
    delta = timedelta(days=days)
    Case.objects.filter(pk=case.pk).update(
        received_on=case.received_on - delta, decided_on=case.decided_on - delta if case.decided_on else None
    )
    for appeal in case.appeals.all():
        appeal.filed_on -= delta
        appeal.due_on -= delta
        appeal.decided_on = appeal.decided_on - delta if appeal.decided_on else None
        appeal.save(update_fields=["filed_on", "due_on", "decided_on"])
    for model, field in ((Message, "created_at"), (ClockPause, "paused_on")):
        for row in model.objects.filter(case=case):
            setattr(row, field, getattr(row, field) - delta)
            row.save(update_fields=[field])
    StatusEvent.objects.filter(object_id=str(case.pk), content_type__model="case").update(at=timezone.now() - delta)
    case.refresh_from_db()
    Case.objects.filter(pk=case.pk).update(due_on=case_deadline(case).due, acknowledge_by=acknowledge_deadline(case))


def _move(case: Case, move: str, staff: User, citizen: User) -> None:
    language = case.language
    if move == "acknowledge":
        services.acknowledge(case, staff)
    elif move == "extend":
        services.extend(case, staff, "Le volume des documents demandés nécessite un délai supplémentaire.")
    elif move == "ask_clarification":
        services.ask_clarification(case, staff, "يرجى تحديد السنة المعنية بالدراسة.")
    elif move in ("answer", "answer_partly"):
        services.answer(case, staff, ANSWERS[language], partly=move == "answer_partly")
    elif move == "refuse":
        reason = case.law.refusal_reasons.order_by("sort_order", "pk").first()
        services.refuse(case, staff, reason, "تتضمن الوثيقة معطيات شخصية محمية بموجب القانون.")
    elif move == "appeal":
        services.appeal(case, citizen, "Le rapport concerne un service public financé par la commune.")
    elif move == "decide_appeal":
        services.decide_appeal(case, staff, Appeal.Outcome.DISMISSED, "Le refus est confirmé par le président.")
    elif move == "transfer":
        services.transfer(case, staff, PublicBody.objects.get(slug="commune-blida"), "Transmis au service compétent.")
    elif move == "withdraw":
        services.withdraw(case, citizen)


def load(stdout) -> None:
    with silenced():
        _load(stdout)


def _load(stdout) -> None:
    citizen = User.objects.get(email=CITIZEN_EMAIL)
    staff = _officer()
    filed = 0
    for slug, kind, language, subject, text, days_ago, moves, show_name, public in CASES:
        body = PublicBody.objects.filter(slug=slug).first()
        if body is None or Case.objects.filter(subject=subject).exists():
            continue
        filing = services.Filing(
            body=body,
            kind=kind,
            subject=subject,
            text=text,
            language=language,
            name="كريم حداد" if language == "ar" else "Karim Haddad",
            email=CITIZEN_EMAIL,
            address="12 rue des Orangers, Blida",
            identity_number="109876543",
            show_name=show_name,
            is_public=public,
        )
        case = services.file_case(filing, requester=citizen)
        # The same id on every installation's demo: the API's documentation and its conformance run name one.
        Case.objects.filter(pk=case.pk).update(uuid=demo_uuid(subject))
        case.refresh_from_db()
        for move in moves:
            _move(case, move, staff, citizen)
            case.refresh_from_db()
        _backdate(case, days_ago)
        filed += 1
    stdout.write(f"  information requests and complaints: {filed} filed, {Case.objects.count()} in all")
