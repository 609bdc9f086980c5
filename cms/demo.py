"""Demo pages: the home page and the legal pages, in Arabic with French and English translations."""

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Locale, Page, Site

from portal.bodies.models import PublicBody

from .models import HomePage, PortalSettings, StandardPage

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
    stdout.write(f"  pages: {Page.objects.live().count()} published in {len(locales)} languages")
