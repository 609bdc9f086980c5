"""The licences a dataset chooses from and the EU data themes, in Arabic, French and English."""

from django.db import migrations

LICENCES = [
    # slug, is_open, url, (title ar, fr, en), (summary ar, fr, en)
    (
        "cc-by-4.0",
        True,
        "https://creativecommons.org/licenses/by/4.0/",
        ("المشاع الإبداعي - نسب المصنف 4.0", "Creative Commons Attribution 4.0", "Creative Commons Attribution 4.0"),
        (
            "يمكنك نسخ البيانات وتوزيعها وتعديلها واستعمالها لأي غرض، حتى التجاري، بشرط ذكر مصدرها.",
            "Vous pouvez copier, diffuser, modifier et réutiliser les données, y compris commercialement, en citant leur source.",
            "You may copy, share, change and reuse the data for any purpose, even commercially, if you credit the source.",
        ),
    ),
    (
        "cc-by-sa-4.0",
        True,
        "https://creativecommons.org/licenses/by-sa/4.0/",
        (
            "المشاع الإبداعي - نسب المصنف - الترخيص بالمثل 4.0",
            "Creative Commons Attribution - Partage dans les mêmes conditions 4.0",
            "Creative Commons Attribution-ShareAlike 4.0",
        ),
        (
            "يمكنك إعادة استعمال البيانات بشرط ذكر المصدر ونشر ما تشتقه منها بالترخيص نفسه.",
            "Vous pouvez réutiliser les données en citant la source, et diffuser ce que vous en tirez sous la même licence.",
            "You may reuse the data if you credit the source and share what you derive from it under the same licence.",
        ),
    ),
    (
        "cc-zero",
        True,
        "https://creativecommons.org/publicdomain/zero/1.0/",
        ("المشاع الإبداعي صفر (ملك عام)", "Creative Commons Zero (domaine public)", "Creative Commons Zero (public domain)"),
        (
            "البيانات في الملك العام: يمكنك فعل أي شيء بها دون أي شرط.",
            "Les données sont dans le domaine public : vous pouvez en faire ce que vous voulez, sans condition.",
            "The data are in the public domain: you may do anything with them, with no conditions.",
        ),
    ),
    (
        "odc-odbl",
        True,
        "https://opendatacommons.org/licenses/odbl/1-0/",
        ("رخصة قواعد البيانات المفتوحة (ODbL)", "Licence ouverte de base de données (ODbL)", "Open Data Commons Open Database License (ODbL)"),
        (
            "يمكنك إعادة استعمال قاعدة البيانات بشرط ذكر المصدر ونشر أي قاعدة مشتقة منها بالترخيص نفسه.",
            "Vous pouvez réutiliser la base en citant la source ; toute base dérivée doit être partagée sous la même licence.",
            "You may reuse the database if you credit the source; any database derived from it must be shared alike.",
        ),
    ),
    (
        "etalab-2.0",
        True,
        "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
        ("الرخصة المفتوحة 2.0 (Etalab)", "Licence Ouverte 2.0 (Etalab)", "Open Licence 2.0 (Etalab)"),
        (
            "يمكنك إعادة استعمال البيانات بحرية، حتى تجاريًا، بشرط ذكر المصدر وتاريخ آخر تحديث.",
            "Vous pouvez réutiliser librement les données, même commercialement, en citant la source et la date de mise à jour.",
            "You may freely reuse the data, even commercially, if you credit the source and the date of its last update.",
        ),
    ),
    (
        "other-closed",
        False,
        "",
        ("غير مفتوحة (الاطلاع فقط)", "Non ouverte (consultation seulement)", "Not open (consultation only)"),
        (
            "يمكنك الاطلاع على البيانات، لكن إعادة نشرها أو استعمالها تتطلب إذنًا من الهيئة.",
            "Vous pouvez consulter les données ; les rediffuser ou les réutiliser demande l'accord de l'organisme.",
            "You may look at the data; republishing or reusing them needs the body's permission.",
        ),
    ),
    (
        "notspecified",
        False,
        "",
        ("الترخيص غير محدد", "Licence non précisée", "Licence not specified"),
        (
            "لم تحدد الهيئة بعد شروط إعادة الاستعمال؛ اسألها قبل إعادة النشر.",
            "L'organisme n'a pas encore précisé les conditions de réutilisation ; demandez-lui avant de rediffuser.",
            "The body has not yet said how the data may be reused; ask it before republishing.",
        ),
    ),
]

# The EU data-theme vocabulary (DCAT-AP), http://publications.europa.eu/resource/authority/data-theme/
THEMES = [
    ("AGRI", "agriculture", ("الفلاحة والصيد البحري والغابات والتغذية", "Agriculture, pêche, sylviculture et alimentation", "Agriculture, fisheries, forestry and food")),
    ("ECON", "economy", ("الاقتصاد والمالية", "Économie et finances", "Economy and finance")),
    ("EDUC", "education", ("التعليم والثقافة والرياضة", "Éducation, culture et sport", "Education, culture and sport")),
    ("ENER", "energy", ("الطاقة", "Énergie", "Energy")),
    ("ENVI", "environment", ("البيئة", "Environnement", "Environment")),
    ("GOVE", "government", ("الحكومة والقطاع العام", "Gouvernement et secteur public", "Government and public sector")),
    ("HEAL", "health", ("الصحة", "Santé", "Health")),
    ("INTR", "international", ("الشؤون الدولية", "Questions internationales", "International issues")),
    ("JUST", "justice", ("العدالة والنظام القانوني والسلامة العامة", "Justice, système juridique et sécurité publique", "Justice, legal system and public safety")),
    ("REGI", "regions", ("الجهات والمدن", "Régions et villes", "Regions and cities")),
    ("SOCI", "society", ("السكان والمجتمع", "Population et société", "Population and society")),
    ("TECH", "science", ("العلوم والتكنولوجيا", "Science et technologie", "Science and technology")),
    ("TRAN", "transport", ("النقل", "Transports", "Transport")),
]


def add_reference_data(apps, schema_editor):
    Licence = apps.get_model("opendata", "Licence")
    Theme = apps.get_model("opendata", "Theme")
    for position, (slug, is_open, url, titles, summaries) in enumerate(LICENCES):
        Licence.objects.update_or_create(
            slug=slug,
            defaults={
                "is_open": is_open,
                "url": url,
                "position": position,
                **dict(zip(("title_ar", "title_fr", "title_en"), titles, strict=True)),
                **dict(zip(("summary_ar", "summary_fr", "summary_en"), summaries, strict=True)),
            },
        )
    for code, slug, names in THEMES:
        Theme.objects.update_or_create(
            code=code, defaults={"slug": slug, **dict(zip(("name_ar", "name_fr", "name_en"), names, strict=True))}
        )


class Migration(migrations.Migration):
    dependencies = [("opendata", "0001_catalogue")]

    operations = [migrations.RunPython(add_reference_data, migrations.RunPython.noop)]
