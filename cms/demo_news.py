"""The demo's news and project map: the lighting contract of decision 02/2025 followed from the vote to the works
and to the open data of the lighting points. Idempotent: pages are found by slug and updated."""

import datetime

from wagtail.models import Locale

from portal.importing import assign_changed

from .models import DecisionPage, HomePage, NewsArticlePage, NewsIndexPage, ProjectMapPage

LANGUAGES = ("ar", "fr", "en")
LIGHTING_REFERENCE = "02/2025"
LIGHTING_DATASET = "eclairage-public"

NEWS_INDEX = {
    "ar": ("الأخبار", "أخبار البلدية: الأشغال والخدمات ومداولات المجلس."),
    "fr": ("Actualités", "Les nouvelles de la commune : travaux, services et délibérations du conseil."),
    "en": ("News", "News of the commune: works, services and the council's decisions."),
}
# slug, date, the decision it reports, per language: title, introduction, paragraph (<a {decision}>: the
# decision's page link; {dataset}: the address of the lighting points' data)
ARTICLES = [
    (
        "eclairage-led-travaux",
        datetime.date(2025, 5, 12),
        LIGHTING_REFERENCE,
        {
            "ar": (
                "انطلاق أشغال تحديث الإنارة العمومية بتقنية LED",
                "بدأت أولى الفرق عملها في حي باب الدزاير.",
                "تنفيذًا لـ<a {decision}>المداولة رقم 02/2025</a>، يُستبدل 3.200 مصباح خلال ثلاث سنوات. "
                'تتابعون تقدم الأشغال نقطة بنقطة في <a href="{dataset}">بيانات نقاط الإنارة المفتوحة</a>.',
            ),
            "fr": (
                "L'éclairage public passe au LED : les travaux commencent",
                "Les premières équipes sont à l'œuvre à Bab Dzaïr.",
                "En application de <a {decision}>la délibération n° 02/2025</a>, 3 200 points lumineux "
                "seront remplacés en trois ans. Suivez l'avancement point par point dans "
                '<a href="{dataset}">les données ouvertes des points lumineux</a>.',
            ),
            "en": (
                "Street lighting goes LED: works begin",
                "The first teams are at work in Bab Dzaïr.",
                "Under <a {decision}>decision no. 02/2025</a>, 3,200 street lights will be replaced over "
                'three years. Follow the works light by light in <a href="{dataset}">the open data of the '
                "lighting points</a>.",
            ),
        },
    ),
    (
        "budget-supplementaire-2025",
        datetime.date(2025, 4, 2),
        "01/2025",
        {
            "ar": (
                "المجلس يصادق على الميزانية الإضافية لسنة 2025",
                "24 صوتًا مؤيدًا و3 معارضين وامتناع 2.",
                "النص الكامل ونتائج التصويت الاسمي منشورة مع <a {decision}>المداولات</a>.",
            ),
            "fr": (
                "Le conseil adopte le budget supplémentaire 2025",
                "24 voix pour, 3 contre et 2 abstentions.",
                "Le texte et le vote nominatif sont publiés avec <a {decision}>les délibérations</a>.",
            ),
            "en": (
                "The council adopts the 2025 supplementary budget",
                "24 for, 3 against and 2 abstentions.",
                "The full text and the roll-call are published with <a {decision}>the decisions</a>.",
            ),
        },
    ),
]
PROJECT_MAP = {
    "ar": ("خريطة المشاريع", "المشاريع التي صادق عليها المجلس، في أماكنها."),
    "fr": ("Carte des projets", "Les projets votés par le conseil, à leur place."),
    "en": ("Project map", "The projects the council voted, where they are."),
}
# per language: title, description; status, latitude, longitude, decision reference
PROJECTS = [
    (
        {
            "ar": ("الإنارة العمومية بتقنية LED في باب الدزاير", "أول حي في برنامج التحول إلى LED."),
            "fr": ("Éclairage LED de Bab Dzaïr", "Premier quartier du passage au LED."),
            "en": ("LED street lighting in Bab Dzaïr", "The first district of the switch to LED."),
        },
        "in_progress",
        "36.470000",
        "2.828000",
        LIGHTING_REFERENCE,
    ),
    (
        {
            "ar": ("محطة الحافلات الجديدة", "تحويل المحطة إلى المدخل الشرقي للمدينة."),
            "fr": ("Nouvelle gare routière", "Transfert de la gare à l'entrée est de la ville."),
            "en": ("New bus station", "The station moves to the eastern entrance of the city."),
        },
        "planned",
        "36.480000",
        "2.850000",
        None,
    ),
]


def load(home: HomePage, locales: dict[str, Locale], publish, stdout) -> None:
    """News about the lighting contract and a project map, in the three languages, linked to the decision."""
    for code in LANGUAGES:
        root = home if code == "ar" else home.get_translation(locales[code])
        decision = _decision(LIGHTING_REFERENCE, locales[code])
        title, intro = NEWS_INDEX[code]
        index, changed = _child(root, NewsIndexPage, "news", title=title, intro=intro)
        if changed:
            publish(index)
        for slug, day, reference, texts in ARTICLES:
            title, intro, paragraph = texts[code]
            # A page link (linktype="page"): Wagtail's reference index then lists the article on the decision's page.
            reported = _decision(reference, locales[code])
            page_link = f'linktype="page" id="{reported.pk}"' if reported else f'href="/{code}/decisions/"'
            links = {"decision": page_link, "dataset": f"/{code}/data/{LIGHTING_DATASET}/"}
            body = [("paragraph", f"<p>{paragraph.format(**links)}</p>")]
            article, changed = _child(index, NewsArticlePage, slug, title=title, intro=intro, date=day, body=body)
            if changed:
                publish(article)
        title, intro = PROJECT_MAP[code]
        projects = []
        for names, status, latitude, longitude, reference in PROJECTS:
            name, description = names[code]
            chosen = decision if reference else None
            projects.append(
                (
                    "project",
                    {
                        "title": name,
                        "description": description,
                        "status": status,
                        "latitude": latitude,
                        "longitude": longitude,
                        "decision": chosen,
                    },
                )
            )
        project_map, changed = _child(root, ProjectMapPage, "projects", title=title, intro=intro, projects=projects)
        if changed:
            publish(project_map)
    articles, maps = NewsArticlePage.objects.live().count(), ProjectMapPage.objects.live().count()
    stdout.write(f"  news: {articles} articles; project maps: {maps}")


def _decision(reference: str, locale: Locale) -> DecisionPage | None:
    """The decision `reference` in `locale`, or in another language when it has no translation."""
    decisions = DecisionPage.objects.live().filter(reference=reference)
    return decisions.filter(locale=locale).first() or decisions.order_by("pk").first()


def _child(parent, model, slug: str, **fields):
    """The child page `slug` of `parent`, created or updated, published when new or changed (else left alone)."""
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, locale=parent.locale, **fields)
        parent.add_child(instance=page)
        changed = True
    else:
        streams = {name: value for name, value in fields.items() if isinstance(value, list)}
        changed = bool(assign_changed(page, {name: value for name, value in fields.items() if name not in streams}))
        for name, value in streams.items():
            before = stream_blocks(getattr(page, name))
            setattr(page, name, value)
            changed = changed or stream_blocks(getattr(page, name)) != before
    return page, changed or not page.live


def stream_blocks(stream) -> list:
    """A stream field's blocks as stored (types and prepared values), for comparison."""
    return [(block["type"], block["value"]) for block in stream.raw_data]
