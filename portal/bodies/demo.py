"""Demo bodies: the wilaya and commune of Blida with their services and districts, and Salé in Morocco."""

from portal.importing import update_if_changed

from .models import District, PublicBody

Kind = PublicBody.Kind


def _square(lon: float, lat: float, size: float = 0.02) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]],
    }


# (slug, parent slug, kind, ar, fr, en, country, code)
BODIES = [
    ("wilaya-blida", None, Kind.REGION, "ولاية البليدة", "Wilaya de Blida", "Blida Province", "DZ", "09"),
    (
        "commune-blida",
        "wilaya-blida",
        Kind.COMMUNE,
        "بلدية البليدة",
        "Commune de Blida",
        "Blida Municipality",
        "DZ",
        "0901",
    ),
    (
        "blida-etat-civil",
        "commune-blida",
        Kind.DEPARTMENT,
        "مصلحة الحالة المدنية",
        "Service de l'état civil",
        "Civil Registry Service",
        "DZ",
        "",
    ),
    (
        "blida-service-technique",
        "commune-blida",
        Kind.DEPARTMENT,
        "المصلحة التقنية",
        "Service technique",
        "Technical Service",
        "DZ",
        "",
    ),
    (
        "blida-affaires-sociales",
        "commune-blida",
        Kind.DEPARTMENT,
        "مصلحة الشؤون الاجتماعية",
        "Service des affaires sociales",
        "Social Affairs Service",
        "DZ",
        "",
    ),
    (
        "blida-marches-publics",
        "commune-blida",
        Kind.DEPARTMENT,
        "مكتب الصفقات العمومية",
        "Bureau des marchés publics",
        "Public Procurement Office",
        "DZ",
        "",
    ),
    (
        "commune-ouled-yaich",
        "wilaya-blida",
        Kind.COMMUNE,
        "بلدية أولاد يعيش",
        "Commune d'Ouled Yaïch",
        "Ouled Yaich Municipality",
        "DZ",
        "0903",
    ),
    (
        "region-rabat-sale-kenitra",
        None,
        Kind.REGION,
        "جهة الرباط سلا القنيطرة",
        "Région Rabat-Salé-Kénitra",
        "Rabat-Salé-Kénitra Region",
        "MA",
        "04",
    ),
    (
        "commune-sale",
        "region-rabat-sale-kenitra",
        Kind.COMMUNE,
        "جماعة سلا",
        "Commune de Salé",
        "Salé Municipality",
        "MA",
        "",
    ),
]

DISTRICTS = [
    ("commune-blida", "bab-dzair", "باب الدزاير", "Bab Dzaïr", "Bab Dzair", 21000, _square(2.82, 36.47)),
    ("commune-blida", "ouled-soltane", "أولاد السلطان", "Ouled Soltane", "Ouled Soltane", 18500, _square(2.84, 36.47)),
    ("commune-blida", "ben-boulaid", "بن بولعيد", "Ben Boulaïd", "Ben Boulaid", 26300, _square(2.82, 36.49)),
    ("commune-sale", "bab-lamrissa", "باب لمريسة", "Bab Lamrissa", "Bab Lamrissa", 203000, _square(-6.81, 34.03, 0.03)),
    ("commune-sale", "tabriquet", "تابريكت", "Tabriquet", "Tabriquet", 245000, _square(-6.78, 34.05, 0.03)),
]


def load(stdout) -> None:
    for slug, parent_slug, kind, ar, fr, en, country, code in BODIES:
        fields = {"kind": kind, "name_ar": ar, "name_fr": fr, "name_en": en, "country": country, "official_code": code}
        body = PublicBody.objects.filter(slug=slug).first()
        if body is None:
            new = PublicBody(slug=slug, **fields)
            if parent_slug:
                PublicBody.objects.get(slug=parent_slug).add_child(instance=new)
            else:
                PublicBody.add_root(instance=new)
        else:
            update_if_changed(body, fields)
    commune = PublicBody.objects.get(slug="commune-blida")
    commune.email = "contact@apc-blida.example"
    commune.phone = "+213 25 00 00 00"
    commune.address = "ساحة التوت، البليدة"
    commune.description_ar = "المجلس الشعبي البلدي لبلدية البليدة: مداولات، ميزانية ومشاريع البلدية."
    commune.description_fr = (
        "L'assemblée populaire communale de Blida : délibérations, budget et projets de la commune."
    )
    commune.save()
    for body_slug, slug, ar, fr, en, population, boundary in DISTRICTS:
        District.objects.update_or_create(
            body=PublicBody.objects.get(slug=body_slug),
            slug=slug,
            defaults={"name_ar": ar, "name_fr": fr, "name_en": en, "population": population, "boundary": boundary},
        )
    stdout.write(f"  bodies: {PublicBody.objects.count()}, districts: {District.objects.count()}")
