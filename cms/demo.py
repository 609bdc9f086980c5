"""Demo pages: the home page, the legal pages and the council of Blida, in Arabic with French and English.

The council's decisions come from the CSV files in cms/demo_data/, loaded through `import_decisions`
as staff would load them: Arabic first, then the French and English translations.
"""

import datetime
import tempfile
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Locale, Page, Site

from portal.bodies.models import PublicBody
from portal.importing import assign_changed

from . import demo_news
from .demo_news import stream_blocks
from .importing import import_decisions
from .models import (
    CouncilIndexPage,
    CouncilMember,
    CouncilSessionPage,
    DecisionPage,
    HomePage,
    MemberVote,
    PortalSettings,
    StandardPage,
    Topic,
)

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"
LANGUAGES = ("ar", "fr", "en")

HOME = {
    "ar": (
        "بوابة بلدية البليدة المفتوحة",
        "مداولات المجلس الشعبي البلدي، الميزانية، المعطيات المفتوحة والمشاركة المواطنة في مكان واحد.",
    ),
    "fr": (
        "Portail ouvert de la commune de Blida",
        "Délibérations de l'assemblée communale, budget, données ouvertes et participation citoyenne, au même endroit.",
    ),
    "en": (
        "Blida open council portal",
        "Council decisions, budget, open data and citizen participation, in one place.",
    ),
}

LEGAL_PAGES = {
    "legal-notice": {
        "ar": (
            "الإشعار القانوني",
            "ينشر هذه البوابة المجلس الشعبي البلدي لبلدية البليدة. المعطيات المنشورة متاحة لإعادة الاستعمال وفق الرخصة المذكورة في كل مجموعة بيانات.",
        ),
        "fr": (
            "Mentions légales",
            "Ce portail est publié par l'assemblée populaire communale de Blida. Les données publiées sont réutilisables selon la licence indiquée pour chaque jeu de données.",
        ),
        "en": (
            "Legal notice",
            "This portal is published by the People's Municipal Assembly of Blida. Published data may be reused under the licence stated for each dataset.",
        ),
    },
    "privacy": {
        "ar": (
            "حماية المعطيات الشخصية",
            "لا تظهر هويتك في الصفحات العمومية ولا في المعطيات المفتوحة إلا إذا اخترت ذلك. يمكنك طلب الاطلاع على معطياتك أو تصحيحها أو حذفها.",
        ),
        "fr": (
            "Données personnelles",
            "Votre identité n'apparaît ni sur les pages publiques ni dans les données ouvertes, sauf si vous le choisissez. Vous pouvez demander l'accès, la rectification ou l'effacement de vos données.",
        ),
        "en": (
            "Privacy",
            "Your identity never appears on public pages or in open data unless you choose so. You may ask to see, correct or erase your data.",
        ),
    },
    "accessibility": {
        "ar": (
            "التصريح بإمكانية الوصول",
            "صممت هذه البوابة لتكون قابلة للاستعمال بلوحة المفاتيح وقارئات الشاشة، وفق معايير WCAG 2.2 مستوى AA.",
        ),
        "fr": (
            "Déclaration d'accessibilité",
            "Ce portail est conçu pour être utilisable au clavier et avec un lecteur d'écran, selon les critères WCAG 2.2 niveau AA.",
        ),
        "en": (
            "Accessibility statement",
            "This portal is built to be usable with a keyboard and a screen reader, following WCAG 2.2 level AA.",
        ),
    },
}


def _publish(page: Page) -> None:
    page.save_revision().publish()


def _home(locale_ar: Locale) -> HomePage:
    home = HomePage.objects.filter(locale=locale_ar).first()
    if home is None:
        root = Page.get_first_root_node()
        welcome = Page.objects.filter(depth=2, content_type=ContentType.objects.get_for_model(Page)).first()
        title, intro = HOME["ar"]
        home = root.add_child(instance=HomePage(title=title, intro=intro, slug="home-portal", locale=locale_ar))
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            Site.objects.create(hostname="localhost", root_page=home, is_default_site=True, site_name="Baladiya")
        else:
            site.root_page = home
            site.save()
        if welcome is not None:
            welcome.delete()
    return home


def _translate(page: Page, locale: Locale, title: str, intro: str, **fields) -> Page:
    translation = page.get_translation_or_none(locale)
    if translation is None:
        translation = page.copy_for_translation(locale)
    translation = translation.specific
    translation.title, translation.intro = title, intro
    for name, value in fields.items():
        setattr(translation, name, value)
    _publish(translation)
    return translation


def load(stdout) -> None:
    locales = {code: Locale.objects.get_or_create(language_code=code)[0] for code in ("ar", "fr", "en")}
    home = _home(locales["ar"])
    title, intro = HOME["ar"]
    home.title, home.intro = title, intro
    _publish(home)
    for code in ("fr", "en"):
        _translate(home, locales[code], *HOME[code])

    for slug, texts in LEGAL_PAGES.items():
        page = StandardPage.objects.filter(locale=locales["ar"], slug=slug).first()
        title, text = texts["ar"]
        body = [("paragraph", f"<p>{text}</p>")]
        if page is None:
            page = home.add_child(instance=StandardPage(title=title, slug=slug, show_in_footer=True, body=body))
        page.title, page.body, page.show_in_footer = title, body, True
        _publish(page)
        for code in ("fr", "en"):
            title, text = texts[code]
            _translate(page, locales[code], title, "", body=[("paragraph", f"<p>{text}</p>")], show_in_footer=True)

    settings = PortalSettings.for_site(Site.objects.get(is_default_site=True))
    settings.body = PublicBody.objects.get(slug="commune-blida")
    settings.save()
    load_council(home, locales, stdout)
    demo_news.load(home, locales, _publish, stdout)
    stdout.write(f"  pages: {Page.objects.live().count()} published in {len(locales)} languages")


# The council of Blida: 33 seats, what the electoral law gives a commune of 100,001 to 200,000 inhabitants.

COUNCIL_SLUG = "council"
COUNCIL = {
    "ar": (
        "المجلس الشعبي البلدي لبلدية البليدة",
        "<p>يتداول المجلس الشعبي البلدي في دورات عادية كل شهرين، وفي دورات استثنائية كلما اقتضت ذلك شؤون البلدية. تنشر هنا جداول أعمال الدورات ومداولاتها ونتائج التصويت عليها.</p>",
    ),
    "fr": (
        "Assemblée populaire communale de Blida",
        "<p>L'assemblée populaire communale se réunit en session ordinaire tous les deux mois, et en session extraordinaire quand les affaires de la commune l'exigent. Ordres du jour, délibérations et résultats des votes sont publiés ici.</p>",
    ),
    "en": (
        "People's Municipal Assembly of Blida",
        "<p>The assembly meets in ordinary session every two months, and in extraordinary session when the commune's affairs require it. Agendas, decisions and votes are published here.</p>",
    ),
}
MEMBERS_IN_OFFICE = 33

# slug, Arabic, French, English
TOPICS = [
    ("budget", "الميزانية", "Budget", "Budget"),
    ("urbanisme", "التعمير", "Urbanisme", "Urban planning"),
    ("eau", "المياه", "Eau", "Water"),
    ("transport", "النقل", "Transport", "Transport"),
    ("social", "الشؤون الاجتماعية", "Action sociale", "Social affairs"),
]

# Arabic, French, English names, list; elected on 27 November 2021, installed in December.
MEMBERS = [
    ("عبد القادر بن يوسف", "Abdelkader Benyoucef", "Abdelkader Benyoucef", "FLN"),
    ("فاطمة الزهراء مزيان", "Fatma Zohra Meziane", "Fatma Zohra Meziane", "FLN"),
    ("رشيد حمودي", "Rachid Hamoudi", "Rachid Hamoudi", "RND"),
    ("نادية بوعلام", "Nadia Boualem", "Nadia Boualem", "RND"),
    ("محمد الأمين قاسمي", "Mohamed Lamine Kacemi", "Mohamed Lamine Kacemi", "MSP"),
    ("سمير تواتي", "Samir Touati", "Samir Touati", "MSP"),
    ("ليلى شريف", "Leïla Cherif", "Leila Cherif", "Indépendants / أحرار"),
    ("يوسف عمراني", "Youcef Amrani", "Youcef Amrani", "Indépendants / أحرار"),
]
TERM_START = datetime.date(2021, 12, 6)

# The roll-call of the supplementary budget (24 for, 3 against, 2 abstentions in all), by French name.
ROLL_CALL = (
    "01/2025",
    2025,
    {
        "Abdelkader Benyoucef": MemberVote.Vote.FOR,
        "Fatma Zohra Meziane": MemberVote.Vote.FOR,
        "Rachid Hamoudi": MemberVote.Vote.FOR,
        "Nadia Boualem": MemberVote.Vote.FOR,
        "Mohamed Lamine Kacemi": MemberVote.Vote.AGAINST,
        "Samir Touati": MemberVote.Vote.AGAINST,
        "Leïla Cherif": MemberVote.Vote.ABSTAIN,
        "Youcef Amrani": MemberVote.Vote.FOR,
    },
)

# What the decision files do not say about the sessions: titles, place and agenda, per language.
SESSIONS = {
    datetime.date(2025, 3, 27): {
        "ar": (
            "الدورة العادية الأولى لسنة 2025",
            "قاعة المداولات، مقر بلدية البليدة",
            [
                ("1", "الميزانية الإضافية لسنة 2025", "عرض ومناقشة مشروع الميزانية الإضافية والمصادقة عليه."),
                ("2", "صفقة الإنارة العمومية", "صيانة وتحديث الإنارة العمومية بتقنية LED."),
                ("3", "المطاعم المدرسية", "اتفاقية التسيير مع مديرية التربية للسنة الدراسية 2025-2026."),
                ("4", "تسمية الشوارع", "تسمية الشارع الرابط بين ساحة التوت وحي بن بولعيد."),
                ("5", "متفرقات", "أسئلة الأعضاء وعرض وضعية المشاريع الجارية."),
            ],
        ),
        "fr": (
            "Première session ordinaire 2025",
            "Salle des délibérations, siège de l'APC de Blida",
            [
                (
                    "1",
                    "Budget supplémentaire 2025",
                    "Présentation, débat et adoption du projet de budget supplémentaire.",
                ),
                ("2", "Marché de l'éclairage public", "Maintenance et modernisation de l'éclairage public en LED."),
                ("3", "Cantines scolaires", "Convention de gestion avec la direction de l'éducation, année 2025-2026."),
                ("4", "Dénomination des rues", "Rue reliant la place du Mûrier à la cité Ben Boulaïd."),
                ("5", "Divers", "Questions des élus et point sur les projets en cours."),
            ],
        ),
        "en": (
            "First ordinary session of 2025",
            "Council chamber, Blida town hall",
            [
                ("1", "2025 supplementary budget", "Presentation, debate and vote of the draft supplementary budget."),
                ("2", "Public lighting contract", "Maintenance and LED modernisation of public lighting."),
                ("3", "School canteens", "Management agreement with the education directorate, 2025-2026."),
                ("4", "Street names", "The street between Mulberry Square and the Ben Boulaid estate."),
                ("5", "Other business", "Members' questions and progress of current projects."),
            ],
        ),
    },
    datetime.date(2025, 6, 18): {
        "ar": (
            "دورة استثنائية: العقار البلدي والنقل الحضري",
            "قاعة المداولات، مقر بلدية البليدة",
            [
                ("1", "التنازل عن قطعة أرض بحي أولاد السلطان", "طلب مرقٍّ عقاري خاص."),
                ("2", "مخطط النقل الحضري", "تحويل محطة الحافلات إلى مدخل المدينة الشرقي."),
            ],
        ),
        "fr": (
            "Session extraordinaire : foncier communal et transport urbain",
            "Salle des délibérations, siège de l'APC de Blida",
            [
                ("1", "Cession d'un terrain à Ouled Soltane", "Demande d'un promoteur immobilier privé."),
                ("2", "Plan de transport urbain", "Transfert de la gare routière à l'entrée est de la ville."),
            ],
        ),
        "en": (
            "Extraordinary session: communal land and urban transport",
            "Council chamber, Blida town hall",
            [
                ("1", "Sale of a plot in Ouled Soltane", "Request from a private property developer."),
                ("2", "Urban transport plan", "Moving the bus station to the eastern entrance of the city."),
            ],
        ),
    },
}

SIGNED_PDF_NAME = "deliberation-01-2025.pdf"
SIGNED_PDF_LINES = [
    "République algérienne démocratique et populaire",
    "Wilaya de Blida - Commune de Blida",
    "Assemblée populaire communale",
    "",
    "Extrait du registre des délibérations",
    "Session ordinaire du 27 mars 2025 - Délibération n° 01/2025",
    "Objet : approbation du budget supplémentaire 2025",
    "",
    "Membres en exercice : 33 - présents : 29",
    "Pour : 24 - contre : 3 - abstentions : 2",
    "",
    "Vu la loi n° 11-10 du 22 juin 2011 relative à la commune,",
    "l'assemblée approuve le budget supplémentaire 2025, équilibré",
    "en recettes et en dépenses à 1 248 500 000 DA.",
    "",
    "Le président de l'assemblée populaire communale",
]


def minimal_pdf(lines: list[str]) -> bytes:
    """Return a valid one-page A4 PDF showing `lines` in Helvetica; the same lines give the same bytes.

    The text is encoded in Windows-1252 (the PDF WinAnsiEncoding), so it holds Latin letters only.
    """

    def escape(line: str) -> str:
        return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    # `'` moves to the next line (TL apart) and shows the string.
    operators = ["BT", "/F1 11 Tf", "16 TL", "60 780 Td", *(f"({escape(line)}) '" for line in lines), "ET"]
    content = "\n".join(operators).encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >>"
        b" /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    pdf = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(pdf)


def _sync(page: Page, **fields) -> Page:
    """Set `fields` on `page` and publish it, only when something differs (a second run adds no revision)."""
    unpublished = not page.live or page.has_unpublished_changes or page.latest_revision_id is None
    if "agenda" in fields:
        # A stream field reads back as blocks: compare it as (type, value) pairs.
        agenda = [("item", item) for item in fields.pop("agenda")]
        if page.pk is None or stream_blocks(page.agenda) != agenda:
            fields["agenda"] = agenda
    if assign_changed(page, fields) or unpublished:
        _publish(page)
    return page


def _council(home: HomePage, locales: dict[str, Locale], body: PublicBody) -> dict[str, CouncilIndexPage]:
    council = CouncilIndexPage.objects.filter(locale=locales["ar"], body=body).first()
    if council is None:
        title, intro = COUNCIL["ar"]
        council = home.add_child(
            instance=CouncilIndexPage(
                title=title, slug=COUNCIL_SLUG, body=body, intro=intro, members_in_office=MEMBERS_IN_OFFICE
            )
        )
    councils = {}
    for code in LANGUAGES:
        page = council if code == "ar" else council.get_translation_or_none(locales[code])
        page = (page or council.copy_for_translation(locales[code])).specific
        title, intro = COUNCIL[code]
        councils[code] = _sync(page, title=title, intro=intro, members_in_office=MEMBERS_IN_OFFICE)
    return councils


def _topics(locales: dict[str, Locale]) -> None:
    for slug, *names in TOPICS:
        source = Topic.objects.filter(locale=locales["ar"], slug=slug).first()
        for code, name in zip(LANGUAGES, names, strict=True):
            topic = (
                Topic.objects.filter(locale=locales[code], translation_key=source.translation_key).first()
                if source
                else None
            )
            if topic is None:
                topic = Topic(locale=locales[code], slug=slug, name=name)
                if source is not None:
                    topic.translation_key = source.translation_key
            if topic.pk is None or topic.name != name:
                topic.name = name
                topic.save()
            source = source or topic


def _members(body: PublicBody) -> dict[str, CouncilMember]:
    members = {}
    for name_ar, name_fr, name_en, party in MEMBERS:
        members[name_fr], _created = CouncilMember.objects.update_or_create(
            body=body,
            name_fr=name_fr,
            defaults={"name_ar": name_ar, "name_en": name_en, "party": party, "term_start": TERM_START},
        )
    return members


def _roll_call(body: PublicBody, members: dict[str, CouncilMember]) -> None:
    reference, year, votes = ROLL_CALL
    wanted = [(members[name].pk, vote) for name, vote in votes.items()]
    for decision in DecisionPage.objects.filter(body=body, year=year, reference=reference):
        if [(vote.member_id, vote.vote) for vote in decision.member_votes.all()] != wanted:
            decision.member_votes = [MemberVote(member_id=member, vote=vote) for member, vote in wanted]
            _publish(decision)


def _sessions(councils: dict[str, CouncilIndexPage]) -> None:
    for day, texts in SESSIONS.items():
        session = CouncilSessionPage.objects.child_of(councils["ar"]).filter(session_date=day).first()
        if session is None:
            continue
        for code in LANGUAGES:
            page = session if code == "ar" else session.get_translation_or_none(councils[code].locale)
            page = (page or session.copy_for_translation(councils[code].locale)).specific
            title, location, agenda = texts[code]
            items = [{"number": number, "title": item, "description": text} for number, item, text in agenda]
            _sync(page, title=title, location=location, status=CouncilSessionPage.Status.HELD, agenda=items)


def _import(council: CouncilIndexPage, code: str, files_root: Path, stdout) -> None:
    report = import_decisions(DEMO_DATA / f"decisions_{code}.csv", council=council, files_root=files_root)
    if report.errors:
        raise RuntimeError(f"The demo decisions ({code}) do not import: {report.errors}")
    stdout.write(f"  decisions ({code}): {report.summary()}")


def load_council(home: HomePage, locales: dict[str, Locale], stdout) -> None:
    """The council of the commune of Blida: topics, members, two sessions and their decisions."""
    body = PublicBody.objects.get(slug="commune-blida")
    councils = _council(home, locales, body)
    _topics(locales)
    members = _members(body)
    with tempfile.TemporaryDirectory() as folder:
        files_root = Path(folder)
        (files_root / SIGNED_PDF_NAME).write_bytes(minimal_pdf(SIGNED_PDF_LINES))
        _import(councils["ar"], "ar", files_root, stdout)
        # Before the translations, so that they copy the roll-call with the decision.
        _roll_call(body, members)
        for code in ("fr", "en"):
            _import(councils[code], code, files_root, stdout)
    _roll_call(body, members)
    _sessions(councils)
    stdout.write(
        f"  council: {len(members)} members, {CouncilSessionPage.objects.count()} session pages, "
        f"{DecisionPage.objects.count()} decision pages"
    )
