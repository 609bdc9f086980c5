"""Demo proposals: a participatory space for each demo commune (Blida in Algeria, Salé in Morocco) with its
districts and categories, and proposals in every state, in Arabic and French, with supports from verified demo
residents, threaded comments, a comment hidden with its reason, reports and the council's official answers.

Everything goes through the domain functions (services.py), as residents and staff would, with notifications
silenced; then dates are set back as if the proposals had been written weeks ago. Proposals are found by title:
a second `load_demo` adds nothing. The demo citizen (portal.accounts.demo) is verified and has left some open
proposals unsupported, so that supporting can be tried.
"""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from portal.accounts.demo import CITIZEN_EMAIL, STAFF_EMAIL, verified_resident
from portal.accounts.models import Organisation, User
from portal.accounts.notifications import silenced
from portal.bodies.models import District, PublicBody, Role
from portal.bodies.services import grant_role
from portal.models import StatusEvent
from portal.workflow import history

from . import services
from .models import Category, Comment, Proposal, Reason, Space

# (space slug, body slug, currency, title ar, title fr, rules fr, threshold)
SPACES = [
    (
        "blida-quartiers",
        "commune-blida",
        "DZD",
        "اقتراحات سكان البليدة لأحيائهم",
        "Propositions des habitants de Blida pour leurs quartiers",
        "Une proposition par idée, précise et située. Les propositions soutenues par 5 habitants vérifiés reçoivent "
        "une réponse officielle de l'APC dans les 60 jours.",
        5,
    ),
    (
        "sale-idees",
        "commune-sale",
        "MAD",
        "أفكار لمدينة سلا",
        "Des idées pour Salé",
        "Les propositions soutenues par 5 habitants vérifiés reçoivent une réponse du conseil dans les 60 jours.",
        5,
    ),
]

# (slug, ar, fr, en): the same categories in both spaces.
CATEGORIES = [
    ("eclairage", "الإنارة العمومية", "Éclairage public", "Street lighting"),
    ("espaces-verts", "المساحات الخضراء", "Espaces verts", "Green spaces"),
    ("voirie", "الطرق والأرصفة", "Voirie et trottoirs", "Roads and pavements"),
    ("proprete", "النظافة", "Propreté", "Cleanliness"),
    ("jeunesse-sport", "الشباب والرياضة", "Jeunesse et sport", "Youth and sport"),
]

# Verified residents who support and discuss: (email, first name, last name, body, district, identity number).
RESIDENTS = [
    ("amina.b@baladiya.localhost", "أمينة", "بوعلام", "commune-blida", "bab-dzair", "DZ-DEMO-000101"),
    ("yacine.k@baladiya.localhost", "Yacine", "Kaci", "commune-blida", "ouled-soltane", "DZ-DEMO-000102"),
    ("fatima.z@baladiya.localhost", "فاطمة الزهراء", "مراد", "commune-blida", "ben-boulaid", "DZ-DEMO-000103"),
    ("rachid.m@baladiya.localhost", "Rachid", "Meziane", "commune-blida", "bab-dzair", "DZ-DEMO-000104"),
    ("salima.h@baladiya.localhost", "سليمة", "حمدي", "commune-blida", "ouled-soltane", "DZ-DEMO-000105"),
    ("said.a@baladiya.localhost", "سعيد", "العلوي", "commune-sale", "tabriquet", "MA-DEMO-AB1001"),
    ("nadia.e@baladiya.localhost", "Nadia", "El Idrissi", "commune-sale", "bab-lamrissa", "MA-DEMO-AB1002"),
    ("hamza.t@baladiya.localhost", "حمزة", "التازي", "commune-sale", "tabriquet", "MA-DEMO-AB1003"),
    ("khadija.r@baladiya.localhost", "Khadija", "Rami", "commune-sale", "bab-lamrissa", "MA-DEMO-AB1004"),
    ("omar.b@baladiya.localhost", "عمر", "بنسالم", "commune-sale", "tabriquet", "MA-DEMO-AB1005"),
]


@dataclass
class DemoProposal:
    space: str
    title: str
    text: str
    language: str
    category: str
    point: tuple[float, float] | None
    days_ago: int
    # What happens to it, in order: "support:N" (N residents), "answer:<status>", "withdraw", "report",
    # "merge:<title>", "convert", "hide_reports" (reported by enough people to be hidden for review).
    moves: list[str] = field(default_factory=list)
    pseudonym: str = ""
    cost: str = ""
    author: int = 0  # index in RESIDENTS of the same commune; -1: the demo citizen
    organisation: str = ""
    answer: str = ""
    # (text, language, reply to: index of an earlier comment or None, hidden reason or "")
    comments: list[tuple[str, str, int | None, str]] = field(default_factory=list)


BLIDA, SALE = "blida-quartiers", "sale-idees"

PROPOSALS = [
    DemoProposal(
        BLIDA,
        "إنارة شارع العربي التبسي بحي باب الدزاير",
        "شارع العربي التبسي مظلم تماما بعد المغرب منذ أشهر، والتلاميذ يعودون من الدروس المسائية في الظلام. "
        "نقترح تركيب عشرة أعمدة إنارة بمصابيح LED اقتصادية على طول الشارع.",
        "ar",
        "eclairage",
        (2.828, 36.478),
        24,
        ["support:3"],
        cost="2400000",
        comments=[
            ("أؤيد الاقتراح، الشارع خطير ليلا خاصة على النساء والأطفال.", "ar", None, ""),
            ("هل يمكن إضافة كاميرا عند مدخل المدرسة أيضا؟", "ar", 0, ""),
            ("نعم، وقد اقترحنا ذلك في اجتماع الحي الماضي.", "ar", 1, ""),
            (
                "Ce quartier ne mérite rien, ses habitants sont des voleurs.",
                "fr",
                None,
                "Propos insultants visant les habitants d'un quartier (règle 2 de l'espace).",
            ),
        ],
    ),
    DemoProposal(
        BLIDA,
        "Un jardin partagé sur le terrain vague d'Ouled Soltane",
        "Le terrain vague derrière l'école primaire sert de décharge sauvage. Nous proposons de le nettoyer et d'y "
        "aménager un jardin partagé avec des bancs, des arbres fruitiers et des parcelles pour les familles du "
        "quartier, entretenu par notre association.",
        "fr",
        "espaces-verts",
        (2.851, 36.482),
        40,
        ["support:5", "answer:evaluating"],
        cost="3800000",
        author=-1,
        organisation="jam-iyat-hay-al-amal",
        answer="La direction de l'environnement étudie la nature du terrain (domaine communal) et le coût de "
        "l'aménagement. Une visite sur place est prévue avec l'association.",
        comments=[("Excellente idée, les enfants n'ont aucun espace vert dans le quartier.", "fr", None, "")],
    ),
    DemoProposal(
        BLIDA,
        "تهيئة ملعب جواري بحي بن بولعيد",
        "ملعب الحي ترابي ومليء بالحجارة. نقترح تغطيته بالعشب الاصطناعي وتسييجه وتركيب إنارة ليستعمله الشباب مساء.",
        "ar",
        "jeunesse-sport",
        (2.831, 36.497),
        75,
        ["support:5", "answer:accepted"],
        cost="9500000",
        answer="صادق المجلس الشعبي البلدي على إدراج تهيئة الملعب في الميزانية الإضافية لسنة 2026، "
        "وستنطلق الأشغال بعد إبرام الصفقة.",
        comments=[("شكرا للمجلس على الاستجابة، ننتظر انطلاق الأشغال.", "ar", None, "")],
    ),
    DemoProposal(
        BLIDA,
        "Fermer la rue des Martyrs aux voitures le vendredi",
        "Transformer la rue des Martyrs en rue piétonne chaque vendredi matin pour le marché et les familles.",
        "fr",
        "voirie",
        (2.835, 36.482),
        60,
        ["support:5", "answer:rejected"],
        answer="La rue des Martyrs est le seul accès des ambulances à la polyclinique : la fermer, même une demi-"
        "journée, n'est pas possible. L'APC propose d'étudier la place du marché couvert à la place.",
    ),
    DemoProposal(
        BLIDA,
        "إنشاء خط حافلات جديد نحو جامعة البليدة 2",
        "نقترح خطا مباشرا للحافلات بين حي أولاد السلطان وجامعة البليدة 2 في العفرون.",
        "ar",
        "voirie",
        (2.848, 36.476),
        55,
        ["support:5", "answer:not_competent"],
        answer="تنظيم خطوط النقل الحضري بين البلديات من صلاحيات مديرية النقل للولاية وليس البلدية. "
        "أحال المجلس الاقتراح إلى مديرية النقل.",
    ),
    DemoProposal(
        BLIDA,
        "Des poubelles enterrées à Bab Dzaïr",
        "Remplacer les bacs débordants de la place par des conteneurs enterrés, vidés chaque jour.",
        "fr",
        "proprete",
        (2.825, 36.472),
        50,
        ["support:5", "answer:planned"],
        answer="Des conteneurs enterrés sont déjà prévus à Bab Dzaïr dans le programme de propreté 2026 "
        "(délibération n° 2025/31) ; leur pose commence au printemps.",
    ),
    DemoProposal(
        BLIDA,
        "Rénover la fontaine de la place Ettoute",
        "La fontaine historique de la place Ettoute est à sec et abîmée : la restaurer et la remettre en eau.",
        "fr",
        "espaces-verts",
        (2.829, 36.481),
        90,
        ["support:5", "answer:accepted", "convert"],
        cost="5200000",
        answer="Proposition acceptée : la restauration de la fontaine sera proposée au budget participatif 2027.",
    ),
    DemoProposal(
        BLIDA,
        "إنارة الطريق المؤدي إلى مدرسة باب الدزاير",
        "الطريق نحو المدرسة الابتدائية بدون إنارة، نقترح تركيب أعمدة إنارة.",
        "ar",
        "eclairage",
        (2.826, 36.476),
        20,
        ["support:1", "merge:إنارة شارع العربي التبسي بحي باب الدزاير"],
    ),
    DemoProposal(
        BLIDA,
        "مسبح بلدي مغطى في كل حي",
        "نقترح بناء مسبح مغطى في كل حي من أحياء البليدة.",
        "ar",
        "jeunesse-sport",
        (2.836, 36.499),
        35,
        ["withdraw"],
        comments=[("الكلفة كبيرة جدا، ربما مسبح واحد للبلدية أولا؟", "ar", None, "")],
    ),
    DemoProposal(
        BLIDA,
        "Pistes cyclables entre la gare et le centre",
        "Tracer une piste cyclable protégée entre la gare ferroviaire et la place Ettoute.",
        "fr",
        "voirie",
        (2.838, 36.486),
        1,
        [],
        pseudonym="Vélo Blida",
        author=1,
    ),
    DemoProposal(
        BLIDA,
        "Publicité : vente d'appartements à prix cassés",
        "Appelez vite ce numéro pour acheter un appartement à Blida, offre limitée !",
        "fr",
        "proprete",
        None,
        3,
        ["hide_reports"],
        author=3,
    ),
    DemoProposal(
        SALE,
        "تشجير شارع محمد الخامس بتابريكت",
        "شارع محمد الخامس بحي تابريكت خال من الأشجار والحرارة مرتفعة صيفا. نقترح غرس مئة شجرة على جانبي الشارع "
        "مع نظام سقي بالتنقيط.",
        "ar",
        "espaces-verts",
        (-6.765, 34.062),
        30,
        ["support:5"],
        cost="450000",
        comments=[
            ("فكرة ممتازة، ويمكن لجمعيات الحي المساهمة في السقي.", "ar", None, ""),
            ("Je propose des arbres adaptés au climat, comme le caroubier.", "fr", 0, ""),
        ],
    ),
    DemoProposal(
        SALE,
        "Réparer les trottoirs de l'avenue de Bab Lamrissa",
        "Les trottoirs de l'avenue sont défoncés et dangereux pour les personnes âgées et les poussettes. "
        "Nous demandons leur réfection complète avec des bateaux aux passages piétons.",
        "fr",
        "voirie",
        (-6.795, 34.041),
        85,
        ["support:5", "answer:evaluating"],
        cost="1200000",
        answer="Les services techniques chiffrent la réfection ; une réponse définitive suivra l'examen du budget.",
    ),
    DemoProposal(
        SALE,
        "ملعب للقرب بحي باب لمريسة",
        "نقترح تحويل الأرض الفارغة قرب السوق إلى ملعب للقرب لكرة القدم وكرة السلة.",
        "ar",
        "jeunesse-sport",
        (-6.798, 34.047),
        15,
        ["support:2"],
        comments=[("ملاعب القرب تحمي الشباب من الشارع، أؤيد بقوة.", "ar", None, "")],
    ),
    DemoProposal(
        SALE,
        "Nettoyage hebdomadaire de la plage de Salé",
        "Organiser un nettoyage de la plage chaque semaine pendant l'été, avec des poubelles de tri.",
        "fr",
        "proprete",
        (-6.805, 34.035),
        2,
        ["draft"],
        author=1,
    ),
]


def demo_uuid(title: str) -> uuid.UUID:
    """A demo proposal's id, the same on every machine (schemathesis.toml names one)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"https://baladiya.example/demo/proposals/{title}")


def load(stdout) -> None:
    staff = User.objects.get(email=STAFF_EMAIL)
    citizen = User.objects.get(email=CITIZEN_EMAIL)
    spaces = {slug: _space(slug, *rest) for slug, *rest in SPACES}
    for space in spaces.values():
        for role in (Role.PUBLISHER, Role.MODERATOR, Role.BUDGET_MANAGER):
            grant_role(staff, space.body, role)
    residents = {
        body_slug: [
            verified_resident(
                email, PublicBody.objects.get(slug=body_slug), number, district, first_name=first, last_name=last
            )
            for email, first, last, slug, district, number in RESIDENTS
            if slug == body_slug
        ]
        for body_slug in {space.body.slug for space in spaces.values()}
    }
    written = 0
    with silenced():
        for demo in PROPOSALS:
            space = spaces[demo.space]
            if Proposal.objects.filter(space=space, title=demo.title).exists():
                continue
            _write(demo, space, residents[space.body.slug], citizen, staff)
            written += 1
    stdout.write(
        f"  proposals: {written} written, {Proposal.objects.count()} in all; "
        f"the citizen ({CITIZEN_EMAIL}) is a verified resident who can support"
    )


def _space(slug: str, body_slug: str, currency: str, title_ar: str, title_fr: str, rules_fr: str, threshold: int):
    body = PublicBody.objects.get(slug=body_slug)
    space, created = Space.objects.get_or_create(
        slug=slug,
        defaults={
            "body": body,
            "title_ar": title_ar,
            "title_fr": title_fr,
            "rules_fr": rules_fr,
            "currency": currency,
            "support_threshold": threshold,
            "answer_days": 60,
            "opens_on": timezone.localdate() - timedelta(days=180),
        },
    )
    if created:
        space.districts.set(District.objects.filter(body=body))
    for category_slug, name_ar, name_fr, name_en in CATEGORIES:
        Category.objects.get_or_create(
            space=space, slug=category_slug, defaults={"name_ar": name_ar, "name_fr": name_fr, "name_en": name_en}
        )
    return space


def _write(demo: DemoProposal, space: Space, residents: list[User], citizen: User, staff: User) -> Proposal:
    author = citizen if demo.author == -1 else residents[demo.author]
    organisation = Organisation.objects.filter(slug=demo.organisation).first() if demo.organisation else None
    draft = services.Draft(
        title=demo.title,
        text=demo.text,
        language=demo.language,
        category=space.categories.get(slug=demo.category),
        longitude=demo.point[0] if demo.point else None,
        latitude=demo.point[1] if demo.point else None,
        estimated_cost=Decimal(demo.cost) if demo.cost else None,
        organisation=organisation,
        pseudonym=demo.pseudonym,
    )
    proposal = services.write(space, author, draft, publish="draft" not in demo.moves)
    Proposal.objects.filter(pk=proposal.pk).update(uuid=demo_uuid(demo.title))
    proposal.refresh_from_db()
    # Residents of the commune, then the demo citizen: the first ones discuss, support and report.
    others = [person for person in [*residents, citizen] if person != author]
    comments: list[Comment] = []
    for number, (text, language, parent, _hidden) in enumerate(demo.comments):
        comments.append(
            services.comment(
                proposal,
                others[number % len(others)],
                text,
                language=language,
                parent=comments[parent] if parent is not None else None,
            )
        )
    for target, (_text, _language, _parent, hidden) in zip(comments, demo.comments, strict=True):
        if hidden:
            services.report(others[0], reason=Reason.OFFENSIVE, target=target)
            services.hide_comment(target, staff, hidden)
    for move in demo.moves:
        _move(proposal, move, demo, others, author, staff)
        proposal.refresh_from_db()
    _backdate(proposal, demo.days_ago)
    return proposal


def _move(proposal: Proposal, move: str, demo: DemoProposal, others: list[User], author: User, staff: User) -> None:
    name, _colon, argument = move.partition(":")
    if name == "support":
        for person in others[: int(argument)]:
            services.support(proposal, person)
    elif name == "answer":
        services.answer(proposal, staff, argument, demo.answer, language=demo.language)
    elif name == "withdraw":
        services.withdraw(proposal, author)
    elif name == "merge":
        into = Proposal.objects.get(space=proposal.space, title=argument)
        services.merge(proposal, into, staff, "اقتراح مكرر: نفس الشارع ونفس الطلب، تم دمج المساندات.")
    elif name == "convert":
        services.convert(proposal, staff, "Projet n° 7 du budget participatif 2027 de la commune.")
    elif name == "hide_reports":
        for person in others[:3]:
            services.report(person, reason=Reason.SPAM, details="Publicité immobilière.", proposal=proposal)


def _backdate(proposal: Proposal, days_ago: int) -> None:
    """Set the proposal's life back `days_ago` days: written then, supported and discussed in the days after, the
    threshold reached five days later and, when answered, the answer given three weeks after that."""
    now = timezone.now()
    written = now - timedelta(days=days_ago)
    fields: dict = {"created_at": written}
    if proposal.published_at:
        fields["published_at"] = written
    if proposal.threshold_reached_at:
        reached = written + timedelta(days=min(5, days_ago))
        fields["threshold_reached_at"] = reached
        fields["answer_due"] = timezone.localdate(reached) + timedelta(days=proposal.space.answer_days)
    Proposal.objects.filter(pk=proposal.pk).update(**fields)
    for number, comment in enumerate(proposal.comments.order_by("pk")):
        at = min(written + timedelta(days=1, hours=5 * number), now)
        Comment.objects.filter(pk=comment.pk).update(
            created_at=at, hidden_at=at + timedelta(hours=2) if comment.hidden_at else None
        )
    answered = min(written + timedelta(days=26), now)
    proposal.answers.update(at=answered)
    events = list(history(proposal))
    for number, event in enumerate(events):
        at = written if number == 0 else min(written + timedelta(days=5 + 21 * (number - 1)), now)
        StatusEvent.objects.filter(pk=event.pk).update(at=at)
