"""The laws shipped with the portal, as data (administrators edit them afterwards).

Choices made from the texts, as published:

- `ma-31-13`, Morocco, law 31-13 on the right of access to information (Dahir 1-18-15, Bulletin officiel of
  12 March 2018: `in_force_from` is that publication). Art. 16: an answer within 20 working days of receipt,
  extendable once by 20; art. 17: 3 working days when life, safety or freedom depend on it; art. 14: the
  identity-card number is required; art. 18: refusals are reasoned. Refusal reasons: the exceptions of art. 7
  (art. 27 guards the confidentiality of what the commission learns; it adds no ground). Appeals: art. 19, a
  complaint to the head of the body within 20 working days of the refusal or of the expiry of the time to answer
  (silence counts as refusal), who answers within 15 working days; art. 20, a complaint to the Commission du
  droit d'accès à l'information (CDAI) within 30 days (calendar) of the head's answer or of the expiry of its
  time, which decides within 30 days (calendar).
- `tn-2016-22`, Tunisia, organic law 2016-22 (JORT of 29 March 2016, `in_force_from`). Art. 14: 20 days
  (calendar) to answer, silence counting as refusal; art. 15: 48 hours when life or freedom depend on it (2
  days); an extension of 10 days for a request on a large volume of information; refusal reasons of arts 24-25.
  Appeals: art. 29, to the head of the body within 20 days of the refusal or of silence, answering within 10
  days; art. 30, to the Instance d'accès à l'information (INAI) within 20 days of the head's answer or silence,
  deciding within 45 days. No identity-card number is required (a name and an address are).
- `default`, no country: the rule for bodies under no statute (Algeria): 30 calendar days, one extension of 15,
  urgent 5, no identity document, silence not a refusal, one appeal to the head of the body (30 days to file,
  15 to answer). Its country's calendar is the body's.
- `ma-2-17-265`, Morocco, decree 2-17-265 of 23 June 2017 on complaints (chikaya.ma): acknowledge within 15
  days, answer within 60 days (calendar), no extension. No appeal steps: beyond the body, a complainant may turn
  to the Médiateur du Royaume, whose procedure sets no time a portal could count.
- `default-complaints`, no country: acknowledge within 15 days, answer within 60 days (calendar).
"""

import datetime

from django.db import migrations

A = "access"
C = "complaint"

MA_REASONS = [
    ("national-defence", "الدفاع الوطني", "Défense nationale", "National defence", "7"),
    (
        "state-security",
        "أمن الدولة الداخلي والخارجي",
        "Sûreté intérieure et extérieure de l'État",
        "Internal and external security of the State",
        "7",
    ),
    (
        "private-life",
        "الحياة الخاصة للأفراد والمعطيات ذات الطابع الشخصي",
        "Vie privée des personnes et données à caractère personnel",
        "Private life and personal data",
        "7",
    ),
    (
        "freedoms",
        "الحقوق والحريات الأساسية المنصوص عليها في الدستور",
        "Libertés et droits fondamentaux prévus par la Constitution",
        "Fundamental rights and freedoms guaranteed by the Constitution",
        "7",
    ),
    (
        "confidential-sources",
        "حماية مصادر المعلومات",
        "Protection des sources des informations",
        "Protection of the sources of information",
        "7",
    ),
    (
        "foreign-relations",
        "العلاقات مع دولة أخرى أو منظمة دولية",
        "Relations avec un État étranger ou une organisation internationale",
        "Relations with a foreign State or an international organisation",
        "7",
    ),
    (
        "economic-policy",
        "السياسة النقدية أو الاقتصادية أو المالية للدولة",
        "Politique monétaire, économique ou financière de l'État",
        "Monetary, economic or financial policy of the State",
        "7",
    ),
    (
        "intellectual-property",
        "حقوق الملكية الصناعية أو حقوق المؤلف والحقوق المجاورة",
        "Droits de propriété industrielle, droits d'auteur et droits voisins",
        "Industrial property, copyright and neighbouring rights",
        "7",
    ),
    (
        "witnesses",
        "حقوق ومصالح الضحايا والشهود والخبراء والمبلغين",
        "Droits et intérêts des victimes, témoins, experts et dénonciateurs",
        "Rights and interests of victims, witnesses, experts and whistleblowers",
        "7",
    ),
    (
        "deliberations",
        "مداولات المجلس الوزاري ومجلس الحكومة",
        "Délibérations du Conseil des ministres et du Conseil de gouvernement",
        "Deliberations of the Council of Ministers and of the Government Council",
        "7",
    ),
    (
        "investigations",
        "الأبحاث والتحريات الإدارية ما لم تأذن بذلك السلطات المختصة",
        "Enquêtes et investigations administratives, sauf autorisation des autorités compétentes",
        "Administrative inquiries and investigations, unless the competent authorities allow it",
        "7",
    ),
    (
        "judicial-proceedings",
        "سير المساطر القضائية والمساطر التمهيدية المتعلقة بها",
        "Déroulement des procédures judiciaires et des procédures préliminaires",
        "Judicial proceedings and their preliminary procedures",
        "7",
    ),
    (
        "competition",
        "مبادئ المنافسة الحرة والمشروعة والنزيهة والمبادرة الخاصة",
        "Principes de la concurrence libre, loyale et de l'initiative privée",
        "Free and fair competition and private enterprise",
        "7",
    ),
]

TN_REASONS = [
    ("public-security", "الأمن العام", "Sécurité publique", "Public security", "24"),
    ("national-defence", "الدفاع الوطني", "Défense nationale", "National defence", "24"),
    (
        "international-relations",
        "العلاقات الدولية",
        "Relations internationales",
        "International relations",
        "24",
    ),
    (
        "private-life",
        "الحياة الخاصة والمعطيات الشخصية",
        "Vie privée et données personnelles",
        "Private life and personal data",
        "24",
    ),
    (
        "intellectual-property",
        "الملكية الفكرية",
        "Propriété intellectuelle",
        "Intellectual property",
        "24",
    ),
    (
        "whistleblowers",
        "هوية من قدم معلومات للإبلاغ عن تجاوزات أو حالات فساد",
        "Identité des personnes ayant signalé des abus ou des faits de corruption",
        "Identity of people who reported abuses or corruption",
        "25",
    ),
]

LAWS = [
    {
        "code": "ma-31-13",
        "kind": A,
        "name_ar": "القانون رقم 31.13 المتعلق بالحق في الحصول على المعلومات",
        "name_fr": "Loi n° 31-13 relative au droit d'accès à l'information",
        "name_en": "Law 31-13 on the right of access to information",
        "country": "MA",
        "applies_by_default": True,
        "in_force_from": datetime.date(2018, 3, 12),
        "day_unit": "working",
        "count_from_next_day": True,
        "response_days": 20,
        "extension_days": 20,
        "urgent_days": 3,
        "identity_required": True,
        "silence_is_refusal": True,
        "reasons": MA_REASONS,
        "steps": [
            ("head", "رئيس الهيئة المعنية", "Chef de l'organisme concerné", "Head of the body", 20, 15, "working"),
            (
                "commission",
                "لجنة الحق في الحصول على المعلومات",
                "Commission du droit d'accès à l'information (CDAI)",
                "Commission for the right of access to information (CDAI)",
                30,
                30,
                "calendar",
            ),
        ],
    },
    {
        "code": "tn-2016-22",
        "kind": A,
        "name_ar": "القانون الأساسي عدد 22 لسنة 2016 المتعلق بالحق في النفاذ إلى المعلومة",
        "name_fr": "Loi organique n° 2016-22 relative au droit d'accès à l'information",
        "name_en": "Organic law 2016-22 on the right of access to information",
        "country": "TN",
        "applies_by_default": True,
        "in_force_from": datetime.date(2016, 3, 29),
        "day_unit": "calendar",
        "count_from_next_day": True,
        "response_days": 20,
        "extension_days": 10,
        "urgent_days": 2,
        "identity_required": False,
        "silence_is_refusal": True,
        "reasons": TN_REASONS,
        "steps": [
            ("head", "رئيس الهيكل المعني", "Chef de l'organisme concerné", "Head of the body", 20, 10, "calendar"),
            (
                "inai",
                "هيئة النفاذ إلى المعلومة",
                "Instance d'accès à l'information (INAI)",
                "Access to Information Authority (INAI)",
                20,
                45,
                "calendar",
            ),
        ],
    },
    {
        "code": "default",
        "kind": A,
        "name_ar": "القاعدة العامة للهيئات التي لا يخضعها أي قانون",
        "name_fr": "Règle par défaut des organismes sans loi d'accès à l'information",
        "name_en": "Default rule for bodies under no access-to-information law",
        "country": "",
        "applies_by_default": True,
        "in_force_from": None,
        "day_unit": "calendar",
        "count_from_next_day": True,
        "response_days": 30,
        "extension_days": 15,
        "urgent_days": 5,
        "identity_required": False,
        "silence_is_refusal": False,
        # No statute lists the grounds: those that every access law shares, for the body to state in writing.
        "reasons": [
            (
                "privacy",
                "حماية الحياة الخاصة والمعطيات الشخصية",
                "Vie privée et données personnelles",
                "Privacy and personal data",
                "",
            ),
            (
                "security",
                "الدفاع الوطني وأمن الدولة",
                "Défense nationale et sûreté de l'État",
                "National defence and state security",
                "",
            ),
            ("deliberations", "مداولات لم تكتمل بعد", "Délibérations en cours", "Deliberations in progress", ""),
            (
                "judicial",
                "إجراءات قضائية جارية",
                "Procédures judiciaires en cours",
                "Judicial proceedings in progress",
                "",
            ),
            (
                "business-secrets",
                "الأسرار التجارية والصناعية",
                "Secret commercial et industriel",
                "Commercial and industrial secrets",
                "",
            ),
            ("abusive", "طلب تعسفي بشكل واضح", "Demande manifestement abusive", "Manifestly abusive request", ""),
        ],
        "steps": [("head", "رئيس الهيئة", "Chef de l'organisme", "Head of the body", 30, 15, "calendar")],
    },
    {
        "code": "ma-2-17-265",
        "kind": C,
        "name_ar": "المرسوم رقم 2.17.265 بتحديد كيفيات تلقي ملاحظات المرتفقين واقتراحاتهم وتظلماتهم",
        "name_fr": "Décret n° 2-17-265 relatif aux remarques, suggestions et réclamations des usagers",
        "name_en": "Decree 2-17-265 on the remarks, suggestions and complaints of service users",
        "country": "MA",
        "applies_by_default": True,
        "in_force_from": datetime.date(2017, 6, 23),
        "day_unit": "calendar",
        "count_from_next_day": True,
        "response_days": 60,
        "acknowledge_days": 15,
        "extension_days": 0,
        "urgent_days": None,
        "identity_required": False,
        "silence_is_refusal": False,
        "reasons": [],
        "steps": [],
    },
    {
        "code": "default-complaints",
        "kind": C,
        "name_ar": "القاعدة العامة للشكايات",
        "name_fr": "Règle par défaut des réclamations",
        "name_en": "Default rule for complaints",
        "country": "",
        "applies_by_default": True,
        "in_force_from": None,
        "day_unit": "calendar",
        "count_from_next_day": True,
        "response_days": 60,
        "acknowledge_days": 15,
        "extension_days": 0,
        "urgent_days": None,
        "identity_required": False,
        "silence_is_refusal": False,
        "reasons": [],
        "steps": [],
    },
]


def load(apps, schema_editor):
    Law = apps.get_model("information_requests", "Law")
    RefusalReason = apps.get_model("information_requests", "RefusalReason")
    AppealStep = apps.get_model("information_requests", "AppealStep")
    for data in LAWS:
        fields = {key: value for key, value in data.items() if key not in ("reasons", "steps")}
        law = Law.objects.create(**fields)
        for order, (code, label_ar, label_fr, label_en, article) in enumerate(data["reasons"]):
            RefusalReason.objects.create(
                law=law,
                code=code,
                label_ar=label_ar,
                label_fr=label_fr,
                label_en=label_en,
                article=article,
                sort_order=order,
            )
        for order, (code, name_ar, name_fr, name_en, file_within, answer_within, unit) in enumerate(data["steps"]):
            AppealStep.objects.create(
                law=law,
                code=code,
                name_ar=name_ar,
                name_fr=name_fr,
                name_en=name_en,
                file_within_days=file_within,
                answer_within_days=answer_within,
                day_unit=unit,
                sort_order=order,
            )


def unload(apps, schema_editor):
    Law = apps.get_model("information_requests", "Law")
    laws = Law.objects.filter(code__in=[data["code"] for data in LAWS])
    apps.get_model("information_requests", "RefusalReason").objects.filter(law__in=laws).delete()
    apps.get_model("information_requests", "AppealStep").objects.filter(law__in=laws).delete()
    laws.delete()


class Migration(migrations.Migration):
    dependencies = [("information_requests", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
