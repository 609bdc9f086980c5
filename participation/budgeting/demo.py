"""Demo participatory budgets of the commune of Blida, three districts (Bab Dzaïr, Ouled Soltane, Ben Boulaïd) and a
city-wide budget each year:

- 2027, voting now (approval, at most 3 projects per budget): twelve projects in Arabic and French on the map, and
  demo voters, verified residents of each district, who have not voted yet (DEMO_VOTERS, the demo's password);
- 2026, closed: a few hundred ballots (online and on paper, checked by a second officer), counted by the Method of
  Equal Shares (mes-add1) and explained (results.publish_results);
- 2025, counted by greedy on knapsack ballots, its winning projects followed on the map until built: milestones,
  progress and photos (services.record_progress).

Everything goes through the domain functions (services.py, results.py) as staff and voters would, with notifications
silenced; generated ballots are validated by the ballot rule and stored as cast ones are. Cycles are found by slug
and each step checks what is there: a second `load_demo` adds nothing.
"""

import io
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from portal.accounts.demo import CITIZEN_EMAIL, DEMO_PASSWORD, STAFF_EMAIL
from portal.accounts.identity import identity_hash, verify_person
from portal.accounts.models import Organisation, User, Verification
from portal.accounts.notifications import silenced
from portal.bodies.models import District, PublicBody, Role
from portal.bodies.services import grant_role
from portal.bulk import bulk_changes

from . import services
from .models import (
    Ballot,
    BallotChoice,
    Budget,
    Channel,
    CountingRule,
    Cycle,
    Phase,
    Project,
    ProjectStatus,
    Stage,
    VoterRecord,
)
from .results import publish_results

BODY = "commune-blida"
# (slug, ar, fr, en, west, south): the demo's districts of Blida (portal.bodies.demo), made here if missing.
DISTRICTS = [
    ("bab-dzair", "باب الدزاير", "Bab Dzaïr", "Bab Dzair", 2.82, 36.47),
    ("ouled-soltane", "أولاد السلطان", "Ouled Soltane", "Ouled Soltane", 2.84, 36.47),
    ("ben-boulaid", "بن بولعيد", "Ben Boulaïd", "Ben Boulaid", 2.82, 36.49),
]
CITY = "ville"

# Demo voters of the cycle in voting: (email, first name, last name, district, identity number).
DEMO_VOTERS = [
    ("voter1@baladiya.localhost", "Leila", "Benali", "bab-dzair", "DZ-DEMO-PB-0001"),
    ("voter2@baladiya.localhost", "مراد", "سعيدي", "bab-dzair", "DZ-DEMO-PB-0002"),
    ("voter3@baladiya.localhost", "Nassim", "Ouali", "ouled-soltane", "DZ-DEMO-PB-0003"),
    ("voter4@baladiya.localhost", "خديجة", "عمراني", "ouled-soltane", "DZ-DEMO-PB-0004"),
    ("voter5@baladiya.localhost", "Sofiane", "Belkacem", "ben-boulaid", "DZ-DEMO-PB-0005"),
    ("voter6@baladiya.localhost", "زينب", "حداد", "ben-boulaid", "DZ-DEMO-PB-0006"),
]
OFFICERS = [
    ("officer1@baladiya.localhost", "Amine", "Cherif"),
    ("officer2@baladiya.localhost", "سميرة", "بوزيد"),
]


@dataclass
class DemoProject:
    budget: str  # a district's slug, or CITY
    title: str
    description: str
    language: str
    cost: int
    offset: tuple[float, float]  # within the district's square (of 0.02°), or from Blida's centre for CITY
    set_aside: str = ""  # the published reasons, for a project the review set aside
    organisation: str = ""
    weight: int = 5  # how many generated voters like it, out of ten


@dataclass
class DemoCycle:
    slug: str
    year: int
    title_ar: str
    title_fr: str
    description_fr: str
    ballot_rule: str
    counting_rule: str
    max_projects: int | None
    district_amount: int
    city_amount: int
    projects: list[DemoProject]
    ballots: int = 0  # generated ballots, counted and published
    paper: int = 0  # of which entered on paper by an officer and checked by a second one
    works: bool = False  # follow the winners' works


CENTRE = (2.84, 36.49)

VOTING = DemoCycle(
    "blida-budget-participatif-2027",
    2027,
    "الميزانية التشاركية لبلدية البليدة 2027",
    "Budget participatif de Blida 2027",
    "Les habitants vérifiés votent pour les projets de leur quartier et pour ceux de toute la ville : "
    "jusqu'à 3 projets par budget. Les résultats sont calculés par la méthode des parts égales.",
    "approval",
    CountingRule.MES_ADD1,
    3,
    6_000_000,
    15_000_000,
    [
        DemoProject(
            "bab-dzair",
            "إنارة أزقة حي باب الدزاير بالطاقة الشمسية",
            "تركيب 40 عمود إنارة يعمل بالطاقة الشمسية في الأزقة الضيقة للحي القديم.",
            "ar",
            2_800_000,
            (0.006, 0.008),
        ),
        DemoProject(
            "bab-dzair",
            "Rénovation de l'aire de jeux de la place des Martyrs",
            "Remplacer les jeux abîmés, poser un sol amortissant et des bancs à l'ombre.",
            "fr",
            1_900_000,
            (0.012, 0.006),
        ),
        DemoProject(
            "bab-dzair",
            "ترميم السقاية القديمة",
            "إصلاح السقاية التاريخية وربطها بشبكة المياه.",
            "ar",
            1_200_000,
            (0.009, 0.014),
        ),
        DemoProject(
            "ouled-soltane",
            "Un jardin partagé derrière l'école Ibn Badis",
            "Nettoyer le terrain vague et y "
            "aménager des parcelles pour les familles, entretenues par l'association du quartier.",
            "fr",
            2_100_000,
            (0.008, 0.007),
            organisation="jam-iyat-hay-al-amal",
        ),
        DemoProject(
            "ouled-soltane",
            "ممرات آمنة للراجلين أمام المدارس",
            "تهيئة ممرات محمية وإشارات ضوئية أمام ثلاث مدارس ابتدائية.",
            "ar",
            2_600_000,
            (0.013, 0.011),
        ),
        DemoProject(
            "ouled-soltane",
            "Une salle de sport de quartier",
            "Équiper l'ancienne salle polyvalente pour les jeunes du quartier.",
            "fr",
            3_500_000,
            (0.005, 0.015),
        ),
        DemoProject(
            "ben-boulaid",
            "تعبيد الطريق المؤدي إلى السوق الأسبوعي",
            "تعبيد 600 متر من الطريق الترابي.",
            "ar",
            4_200_000,
            (0.010, 0.006),
        ),
        DemoProject(
            "ben-boulaid",
            "Des arbres le long du boulevard Ben Boulaïd",
            "Planter 150 arbres adaptés au climat, avec un arrosage goutte-à-goutte.",
            "fr",
            1_500_000,
            (0.006, 0.012),
        ),
        DemoProject(
            "ben-boulaid",
            "مكتبة حي بن بولعيد",
            "تحويل الطابق الأرضي لدار الشباب إلى مكتبة مفتوحة.",
            "ar",
            1_800_000,
            (0.014, 0.014),
        ),
        DemoProject(
            CITY,
            "Navette gratuite vers la gare de Blida",
            "Une navette électrique entre les trois quartiers et la gare, toutes les 20 minutes.",
            "fr",
            9_000_000,
            (0.0, 0.0),
        ),
        DemoProject(
            CITY,
            "حديقة عمومية كبرى بمدخل المدينة",
            "تهيئة حديقة من 3 هكتارات بمدخل المدينة الشمالي.",
            "ar",
            8_500_000,
            (-0.008, 0.006),
        ),
        DemoProject(
            CITY,
            "Pistes cyclables entre les quartiers",
            "Relier les trois quartiers par 5 km de pistes cyclables protégées.",
            "fr",
            6_000_000,
            (0.008, -0.006),
        ),
        DemoProject(
            CITY,
            "مسبح أولمبي مغطى",
            "بناء مسبح أولمبي مغطى للبلدية.",
            "ar",
            60_000_000,
            (0.004, 0.004),
            set_aside="Le coût (60 millions de dinars) dépasse à lui seul le budget de toute la ville ; "
            "le projet est transmis au programme sectoriel de la wilaya.",
        ),
    ],
)

CLOSED = DemoCycle(
    "blida-budget-participatif-2026",
    2026,
    "الميزانية التشاركية لبلدية البليدة 2026",
    "Budget participatif de Blida 2026",
    "Les résultats ont été calculés par la méthode des parts égales (complétée par « add1 ») : chaque votant "
    "dispose d'une part égale du budget, et un projet est financé quand ses partisans peuvent le payer ensemble.",
    "approval",
    CountingRule.MES_ADD1,
    3,
    5_000_000,
    12_000_000,
    [
        DemoProject(
            "bab-dzair",
            "Réfection des trottoirs de la rue Larbi Tebessi",
            "Refaire 800 m de trottoirs avec des bateaux aux passages piétons.",
            "fr",
            2_400_000,
            (0.007, 0.009),
            weight=7,
        ),
        DemoProject(
            "bab-dzair",
            "كاميرات حماية قرب المدارس",
            "تركيب كاميرات عند مداخل المدارس.",
            "ar",
            1_600_000,
            (0.012, 0.012),
            weight=4,
        ),
        DemoProject(
            "bab-dzair",
            "Fresques murales du vieux Blida",
            "Des fresques peintes par les jeunes du quartier sur les murs de la médina.",
            "fr",
            900_000,
            (0.015, 0.005),
            weight=3,
        ),
        DemoProject(
            "ouled-soltane",
            "ملعب جواري بالعشب الاصطناعي",
            "تغطية الملعب الترابي بالعشب الاصطناعي وتسييجه.",
            "ar",
            3_800_000,
            (0.009, 0.008),
            weight=8,
        ),
        DemoProject(
            "ouled-soltane",
            "Des abris aux arrêts de bus",
            "Six abris avec bancs aux arrêts les plus fréquentés.",
            "fr",
            1_100_000,
            (0.014, 0.013),
            weight=5,
        ),
        DemoProject(
            "ben-boulaid",
            "إنارة حديقة الحي",
            "إنارة الحديقة العمومية وتركيب كراسي.",
            "ar",
            1_300_000,
            (0.008, 0.010),
            weight=6,
        ),
        DemoProject(
            "ben-boulaid",
            "Un marché couvert de proximité",
            "Couvrir la place du marché et y installer des étals.",
            "fr",
            4_500_000,
            (0.012, 0.006),
            weight=5,
        ),
        DemoProject(
            CITY,
            "Centre culturel des jeunes",
            "Rénover l'ancien cinéma en centre culturel pour les jeunes.",
            "fr",
            7_000_000,
            (0.002, 0.003),
            weight=6,
        ),
        DemoProject(
            CITY,
            "تجديد شبكة المياه بالمدينة القديمة",
            "استبدال 2 كم من القنوات القديمة.",
            "ar",
            6_500_000,
            (-0.004, -0.003),
            weight=5,
        ),
        DemoProject(
            CITY,
            "Tri sélectif dans toute la ville",
            "Des points de tri dans chaque quartier et une campagne d'information.",
            "fr",
            3_000_000,
            (0.006, -0.005),
            weight=4,
        ),
    ],
    ballots=300,
    paper=20,
)

EARLIER = DemoCycle(
    "blida-budget-participatif-2025",
    2025,
    "الميزانية التشاركية لبلدية البليدة 2025",
    "Budget participatif de Blida 2025",
    "Le premier budget participatif de Blida : les projets choisis sont suivis ici jusqu'à leur achèvement.",
    "knapsack",
    CountingRule.GREEDY,
    None,
    4_000_000,
    10_000_000,
    [
        DemoProject(
            "bab-dzair",
            "تهيئة ساحة التوت",
            "تبليط الساحة وغرس الأشجار وتركيب كراسي.",
            "ar",
            2_500_000,
            (0.008, 0.010),
            weight=8,
        ),
        DemoProject(
            "bab-dzair",
            "Toilettes publiques au marché",
            "Des sanitaires publics entretenus au marché.",
            "fr",
            1_800_000,
            (0.013, 0.006),
            weight=4,
        ),
        DemoProject(
            "ouled-soltane",
            "Éclairage du stade communal",
            "Des projecteurs LED pour jouer le soir.",
            "fr",
            2_200_000,
            (0.010, 0.009),
            weight=7,
        ),
        DemoProject(
            "ouled-soltane",
            "رصيف طريق المستشفى",
            "إنجاز رصيف على طول طريق المستشفى.",
            "ar",
            2_600_000,
            (0.006, 0.014),
            weight=4,
        ),
        DemoProject(
            "ben-boulaid",
            "Aire de jeux inclusive",
            "Des jeux accessibles aux enfants handicapés.",
            "fr",
            1_700_000,
            (0.009, 0.008),
            weight=7,
        ),
        DemoProject(
            "ben-boulaid", "تشجير طريق الشفة", "غرس 200 شجرة على طريق الشفة.", "ar", 1_200_000, (0.014, 0.013), weight=5
        ),
        DemoProject(
            CITY,
            "Piscine de plein air rénovée",
            "Rénover la piscine municipale fermée depuis 2019.",
            "fr",
            6_000_000,
            (0.003, 0.002),
            weight=7,
        ),
        DemoProject(
            CITY,
            "حافلات مدرسية للأحياء البعيدة",
            "اقتناء حافلتين للنقل المدرسي.",
            "ar",
            5_000_000,
            (-0.005, 0.004),
            weight=5,
        ),
    ],
    ballots=90,
    works=True,
)

# The works of the 2025 winners, in order of the winners: (stage, progress, days ago, language, note, photo).
WORKS = [
    [
        (Stage.DESIGN, 15, 300, "fr", "Études et plans approuvés par l'APC.", False),
        (Stage.PROCUREMENT, 30, 240, "ar", "إبرام صفقة الإنجاز مع المقاولة بعد طلب العروض.", False),
        (Stage.WORKS, 70, 90, "fr", "Gros œuvre terminé ; finitions en cours.", True),
        (Stage.COMPLETED, 100, 20, "ar", "استلام المشروع وفتحه للسكان.", True),
    ],
    [
        (Stage.DESIGN, 20, 250, "fr", "Étude technique et chiffrage détaillé.", False),
        (Stage.WORKS, 55, 60, "fr", "Travaux à mi-parcours, dans les délais.", True),
    ],
    [
        (Stage.PROCUREMENT, 25, 200, "ar", "اختيار المقاولة بعد طلب العروض.", False),
        (Stage.WORKS, 40, 45, "ar", "انطلاق الأشغال في الموقع.", True),
    ],
    [(Stage.SUSPENDED, 10, 30, "fr", "Travaux suspendus : une étude de sol complémentaire est demandée.", False)],
]


def demo_uuid(name: str) -> uuid.UUID:
    """A demo cycle's id (by its slug) or project's (by "<cycle slug>/<title>"), the same on every machine
    (schemathesis.toml names the cycle in voting and one of its projects)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"https://baladiya.example/demo/budgeting/{name}")


def load(stdout) -> None:
    body = PublicBody.objects.get(slug=BODY)
    staff = User.objects.get(email=STAFF_EMAIL)
    grant_role(staff, body, Role.BUDGET_MANAGER)
    districts = _districts(body)
    password = make_password(DEMO_PASSWORD)  # hashed once: the demo's accounts share it
    officers = [_account(email, password, first, last) for email, first, last in OFFICERS]
    for officer in officers:
        grant_role(officer, body, Role.POLLING_OFFICER)
    voters = []
    for email, first, last, district, number in DEMO_VOTERS:
        voter = _account(email, password, first, last)
        if not Verification.objects.filter(user=voter).exists():
            verify_person(voter, number, body, district=districts[district])
        voters.append(voter)
    with silenced(), bulk_changes():
        for demo in (EARLIER, CLOSED, VOTING):
            _load_cycle(demo, body, districts, staff, officers)
    stdout.write(
        f"  budgeting: {Cycle.objects.filter(body=body).count()} cycles of {body.name_fr}; demo voters (verified "
        f"residents, not voted yet in {VOTING.slug}): "
        + ", ".join(f"{email} ({district})" for email, _f, _l, district, _n in DEMO_VOTERS)
        + f" / {DEMO_PASSWORD}; polling officers: {', '.join(email for email, _f, _l in OFFICERS)}"
    )


def _districts(body: PublicBody) -> dict[str, District]:
    districts = {}
    for slug, name_ar, name_fr, name_en, west, south in DISTRICTS:
        size = 0.02
        boundary = {
            "type": "Polygon",
            "coordinates": [
                [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]
            ],
        }
        districts[slug], _created = District.objects.get_or_create(
            body=body,
            slug=slug,
            defaults={"name_ar": name_ar, "name_fr": name_fr, "name_en": name_en, "boundary": boundary},
        )
    return districts


def _account(email: str, password: str, first_name: str, last_name: str) -> User:
    user, _created = User.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name, "password": password}
    )
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _load_cycle(demo: DemoCycle, body, districts, staff, officers) -> Cycle:
    cycle = Cycle.objects.filter(slug=demo.slug).first() or _create_cycle(demo, body, districts, staff)
    if cycle.phase == Phase.VOTING and demo.ballots and not VoterRecord.objects.filter(cycle=cycle).exists():
        _cast(demo, cycle, districts, officers)
    if cycle.phase == Phase.VOTING and demo.ballots:
        services.move_cycle(cycle, Phase.BALLOT_REVIEW, by=staff)
    if cycle.phase == Phase.BALLOT_REVIEW:
        publish_results(cycle, staff)
        cycle.refresh_from_db()
    if demo.works and cycle.phase == Phase.RESULTS:
        services.move_cycle(cycle, Phase.IMPLEMENTATION, by=staff)
        cycle.refresh_from_db()
    if demo.works and cycle.phase == Phase.IMPLEMENTATION:
        _works(cycle, staff)
    return cycle


def _at(year: int, month: int, day: int):
    return datetime(year, month, day, 9, 0, tzinfo=timezone.get_current_timezone())


def _create_cycle(demo: DemoCycle, body, districts, staff) -> Cycle:
    now = timezone.now()
    if demo is VOTING:
        opens, closes = now - timedelta(days=3), now + timedelta(days=18)
    else:  # voted in the November before its year (its ballots are generated, not cast through the window)
        opens, closes = _at(demo.year - 1, 11, 1), _at(demo.year - 1, 11, 30)
    with transaction.atomic():
        cycle = Cycle.objects.create(
            uuid=demo_uuid(demo.slug),
            body=body,
            slug=demo.slug,
            title_ar=demo.title_ar,
            title_fr=demo.title_fr,
            description_fr=demo.description_fr,
            ballot_rule=demo.ballot_rule,
            max_projects=demo.max_projects,
            counting_rule=demo.counting_rule,
            information_at=opens - timedelta(days=90),
            submission_at=opens - timedelta(days=75),
            review_at=opens - timedelta(days=40),
            costs_at=opens - timedelta(days=14),
            voting_opens_at=opens,
            voting_closes_at=closes,
        )
        budgets = {
            slug: Budget.objects.create(
                cycle=cycle,
                slug=slug,
                name_ar=district.name_ar,
                name_fr=district.name_fr,
                name_en=district.name_en,
                district=district,
                amount=demo.district_amount,
            )
            for slug, district in districts.items()
        }
        budgets[CITY] = Budget.objects.create(
            cycle=cycle,
            slug=CITY,
            name_ar="المدينة كلها",
            name_fr="Toute la ville",
            name_en="The whole city",
            amount=demo.city_amount,
        )
        services.move_cycle(cycle, Phase.REVIEW, by=staff)
        citizen = User.objects.filter(email=CITIZEN_EMAIL).first()
        for item in demo.projects:
            project = _project(cycle, budgets[item.budget], item, staff)
            if citizen is not None:  # hears of results and works on their notifications page, from now on
                services.follow(project, citizen)
        services.move_cycle(cycle, Phase.VOTING, by=staff)
    return cycle


def _project(cycle: Cycle, budget: Budget, item: DemoProject, staff) -> Project:
    """A project as submitted, then reviewed by the staff: on the ballot at its cost, or set aside with reasons."""
    if budget.district is not None:
        west, south = budget.district.boundary["coordinates"][0][0]
    else:
        west, south = CENTRE
    project = Project.objects.create(
        uuid=demo_uuid(f"{cycle.slug}/{item.title}"),
        cycle=cycle,
        budget=budget,
        title=item.title,
        description=item.description,
        language=item.language,
        district=budget.district,
        longitude=round(west + item.offset[0], 5),
        latitude=round(south + item.offset[1], 5),
        estimated_cost=Decimal(item.cost) * Decimal("0.9"),
        organisation=Organisation.objects.filter(slug=item.organisation).first() if item.organisation else None,
    )
    if item.set_aside:
        return services.review_project(project, staff, feasible=False, cost=None, note=item.set_aside)
    note = "Coût évalué par le service technique." if item.language == "fr" else "الكلفة حسب تقدير المصلحة التقنية."
    return services.review_project(project, staff, feasible=True, cost=Decimal(item.cost), note=note)


def _cast(demo: DemoCycle, cycle: Cycle, districts, officers) -> None:
    """`demo.ballots` ballots of generated residents, each district in turn: the first `demo.paper` entered on paper
    by an officer and checked by the other (services), the others checked by the ballot rule
    (services.validate_ballot) and stored as online ones are: a register row, and ballots under a receipt's digest."""
    chance = random.Random(demo.slug)  # noqa: S311 (demo data, the same on every machine)
    weights = {item.title: item.weight for item in demo.projects}
    slugs = list(districts)
    budgets = {budget.slug: budget for budget in cycle.budgets.select_related("district")}
    on_ballot = {
        budget.slug: list(budget.projects.filter(status=ProjectStatus.FEASIBLE).order_by("pk"))
        for budget in budgets.values()
    }
    records, ballots, choices_of = [], [], []
    for number in range(demo.ballots):
        district = districts[slugs[number % len(slugs)]]
        choices = {
            slug: _choose(chance, demo, budgets[slug], on_ballot[slug], weights) for slug in (district.slug, CITY)
        }
        choices = {slug: chosen for slug, chosen in choices.items() if chosen}
        if not choices:
            continue
        identity = f"DZ-DEMO-PB-{demo.year}-{number:05d}"
        if number < demo.paper:
            paper, _code = services.enter_paper_ballot(
                cycle,
                officers[0],
                identity_number=identity,
                station="École Ibn Badis" if number % 2 else "مقر البلدية",
                district=district,
                choices=choices,
            )
            services.check_paper_ballot(paper, officers[1], accept=True)
            continue
        records.append(VoterRecord(cycle=cycle, identity_hash=identity_hash(identity), channel=Channel.ONLINE))
        digest = services.receipt_digest(services.new_receipt())
        for slug, chosen in choices.items():
            projects = {project.pk: project for project in on_ballot[slug]}
            cleaned = services.validate_ballot(cycle, budgets[slug], chosen, projects)
            ballots.append(Ballot(cycle=cycle, budget=budgets[slug], receipt_digest=digest, channel=Channel.ONLINE))
            choices_of.append(cleaned)
    with transaction.atomic():
        VoterRecord.objects.bulk_create(records)
        Ballot.objects.bulk_create(ballots)
        BallotChoice.objects.bulk_create(
            BallotChoice(ballot=ballot, project_id=project_id, points=points)
            for ballot, chosen in zip(ballots, choices_of, strict=True)
            for project_id, points in chosen.items()
        )


def _choose(chance: random.Random, demo: DemoCycle, budget: Budget, projects, weights) -> dict[int, int]:
    """What one generated voter approves in `budget`: projects they like (by weight), within the rule."""
    liked = [project for project in projects if chance.random() < weights.get(project.title, 5) / 10]
    chance.shuffle(liked)
    if demo.ballot_rule == "knapsack":
        chosen, total = {}, Decimal(0)
        for project in liked:
            if total + project.cost <= budget.amount:
                chosen[project.pk] = 1
                total += project.cost
        return chosen
    return {project.pk: 1 for project in liked[: demo.max_projects or len(liked)]}


def _works(cycle: Cycle, staff) -> None:
    """The winners' works, milestone after milestone, for those that have none yet."""
    winners = list(cycle.projects.filter(status=ProjectStatus.SELECTED).order_by("budget__district", "pk"))
    today = timezone.localdate()
    for project, steps in zip(winners, WORKS, strict=False):
        if project.milestones.exists():
            continue
        for number, (stage, progress, days_ago, language, note, photo) in enumerate(steps):
            upload = services.Upload(f"chantier-{project.pk}-{number}.jpg", _photo(progress)) if photo else None
            update = services.Progress(
                stage=stage,
                progress=progress,
                note=note,
                language=language,
                on=today - timedelta(days=days_ago),
                photo=upload,
            )
            services.record_progress(project, staff, update)


def _photo(progress: int) -> bytes:
    """A picture of a building site: sky, ground, a crane and a bar as far along as the works."""
    image = Image.new("RGB", (640, 400), (135, 190, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 260, 640, 400), fill=(176, 148, 110))
    draw.rectangle((80, 80, 96, 260), fill=(230, 180, 30))
    draw.rectangle((80, 80, 400, 94), fill=(230, 180, 30))
    draw.rectangle((200, 180, 200 + 3 * progress, 260), fill=(190, 190, 185))
    draw.rectangle((20, 370, 620, 386), outline=(40, 40, 40))
    draw.rectangle((20, 370, 20 + 6 * progress, 386), fill=(11, 110, 79))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()
