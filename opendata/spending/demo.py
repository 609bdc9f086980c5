"""Demo spending figures: the communes of Blida (DZD) and Salé (MAD), 2022–2025, with charts that tell something.

Investment is voted generously and executed at little more than half, operating spending almost wholly; water
and sanitation grow every year; Blida's 2025 supplementary budget (decision 01/2025) amends the year and its LED
lighting contract (decision 02/2025) is paid and amended. Salé shows payments to private persons only as totals
(SpendingPolicy AGGREGATE), Blida lists them with the name withheld. Records are written with the models, as an
import would; a body that already has budget lines is left as it is, so a second run adds nothing.
"""

import datetime
from decimal import Decimal
from pathlib import Path

from portal.bodies.models import PublicBody

from .models import (
    Award,
    BudgetLine,
    ClassificationCode,
    Contract,
    ContractingProcess,
    Payment,
    Scheme,
    SpendingPolicy,
    Supplier,
)
from .ocds import import_contracts
from .publishing import publish_spending_datasets

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"
YEARS = (2022, 2023, 2024, 2025)
CURRENT_YEAR = 2025  # voted and amended, not executed yet

# code, parent, Arabic, French, English
FUNCTIONS = [
    ("01", "", "الإدارة العامة", "Administration générale", "General administration"),
    ("02", "", "الطرق والشبكات", "Voirie et réseaux", "Roads and networks"),
    ("03", "", "الماء والتطهير", "Eau et assainissement", "Water and sanitation"),
    ("031", "03", "الماء الشروب", "Eau potable", "Drinking water"),
    ("032", "03", "التطهير", "Assainissement", "Sanitation"),
    ("04", "", "التعليم", "Enseignement", "Education"),
    ("05", "", "النشاط الاجتماعي", "Action sociale", "Social action"),
    ("06", "", "الثقافة والشباب والرياضة", "Culture, jeunesse et sports", "Culture, youth and sport"),
    ("07", "", "النظافة والنفايات", "Hygiène et déchets", "Cleanliness and waste"),
    ("08", "", "الإنارة العمومية", "Éclairage public", "Street lighting"),
]
ECONOMIC = [
    ("71", "", "الجباية المحلية", "Fiscalité locale", "Local taxes"),
    ("74", "", "مخصصات الدولة", "Dotations de l'État", "State allocations"),
    ("13", "", "إعانات التجهيز", "Subventions d'équipement", "Capital grants"),
]
# Per function: the 2022 operating and investment expenditure, in millions of the body's currency, and the
# yearly growth (water grows fastest).
PLAN = {
    "01": (420, 40, Decimal("1.03")),
    "02": (90, 260, Decimal("1.04")),
    "031": (60, 150, Decimal("1.18")),
    "032": (35, 110, Decimal("1.15")),
    "04": (140, 80, Decimal("1.05")),
    "05": (75, 10, Decimal("1.02")),
    "06": (55, 45, Decimal("1.03")),
    "07": (160, 35, Decimal("1.06")),
    "08": (40, 30, Decimal("1.10")),
}
BODIES = {
    # slug: currency, scale of PLAN (Salé is larger), policy for private persons
    "commune-blida": ("DZD", Decimal("1"), SpendingPolicy.Individuals.WITHHOLD_NAME),
    "commune-sale": ("MAD", Decimal("0.12"), SpendingPolicy.Individuals.AGGREGATE),
}
# name, kind, identifier, the function its payments are charged to
SUPPLIERS = {
    "commune-blida": [
        ("SARL Hydro-Mitidja", Supplier.Kind.COMPANY, "NIF 000916001234567", "031"),
        ("مؤسسة الأشغال العمومية للبليدة", Supplier.Kind.COMPANY, "", "02"),
        ("EURL Lumière LED Atlas", Supplier.Kind.COMPANY, "NIF 001609002345678", "08"),
        ("SPA Net-Propreté", Supplier.Kind.COMPANY, "", "07"),
        ("Papeterie El Wouroud", Supplier.Kind.COMPANY, "", "01"),
    ],
    "commune-sale": [
        ("Société Bouregreg Travaux SARL", Supplier.Kind.COMPANY, "ICE 001524873000054", "02"),
        ("شركة سلا للنظافة", Supplier.Kind.COMPANY, "", "07"),
        ("Atlas Eau Services", Supplier.Kind.COMPANY, "", "031"),
        ("Imprimerie Al Andalous", Supplier.Kind.COMPANY, "", "01"),
    ],
}
ASSOCIATIONS = {
    "commune-blida": [
        ("جمعية الأمل لرعاية الطفولة", "05"),
        ("Association sportive Ouled Soltane", "06"),
        ("جمعية أصدقاء البيئة", "07"),
        ("Association culturelle El Mouloudia", "06"),
    ],
    "commune-sale": [
        ("جمعية أبي رقراق للتنمية", "05"),
        ("Association Salé Jeunesse et Sport", "06"),
        ("جمعية النور لمحاربة الأمية", "04"),
    ],
}
PRIVATE_PERSONS = {
    "commune-blida": ["Karim Demo-Benali", "Nadia Demo-Haddad"],
    "commune-sale": ["Youssef Demo-Alaoui"],
}
MILLION = Decimal(1_000_000)


def load(stdout) -> None:
    _codes()
    loaded = []
    for slug, (currency, scale, individuals) in BODIES.items():
        body = PublicBody.objects.filter(slug=slug).first()
        if body is None or BudgetLine.objects.filter(body=body).exists():
            continue
        SpendingPolicy.objects.update_or_create(body=body, defaults={"currency": currency, "individuals": individuals})
        _budget(body, currency, scale)
        _payments(body, currency, scale)
        loaded.append(slug)
    _contracts()
    load_contracts(stdout)
    for slug in BODIES:
        if body := PublicBody.objects.filter(slug=slug).first():
            publish_spending_datasets(body)
    stdout.write(
        f"  bodies loaded: {', '.join(loaded) or 'none (already there)'}; {BudgetLine.objects.count()} budget lines, "
        f"{Payment.objects.count()} payments and subsidies, {ContractingProcess.objects.count()} contracting processes"
    )


def _codes() -> None:
    for scheme, codes in ((Scheme.FUNCTIONAL, FUNCTIONS), (Scheme.ECONOMIC, ECONOMIC)):
        for code, parent, arabic, french, english in codes:
            ClassificationCode.objects.update_or_create(
                body=None, scheme=scheme, code=code,
                defaults={"parent_code": parent, "level": 2 if parent else 1, "label_ar": arabic, "label_fr": french,
                          "label_en": english},
            )  # fmt: skip


def _line(body, year, stage, direction, section, amount, currency, *, function="", economic="", label="", decision=""):
    line = BudgetLine(
        body=body, fiscal_year=year, stage=stage, direction=direction, section=section, function_code=function,
        economic_code=economic, label=label, amount=amount.quantize(Decimal("0.01")), currency=currency,
        decision_reference=decision,
    )  # fmt: skip
    line.key = line.identity()
    return line


def _budget(body: PublicBody, currency: str, scale: Decimal) -> None:
    lines = []
    for offset, year in enumerate(YEARS):
        spent = {"operating": Decimal(0), "investment": Decimal(0)}
        for position, (function, (operating, investment, growth)) in enumerate(PLAN.items()):
            for section, base in (("operating", operating), ("investment", investment)):
                voted = Decimal(base) * scale * MILLION * growth**offset
                lines.append(_line(body, year, "voted", "expenditure", section, voted, currency, function=function))
                spent[section] += voted
                if year == CURRENT_YEAR and body.slug == "commune-blida":
                    # The supplementary budget adds to investment in water and lighting.
                    extra = Decimal("1.25") if function in ("031", "032", "08") and section == "investment" else 1
                    lines.append(
                        _line(body, year, "amended", "expenditure", section, voted * extra, currency,
                              function=function, decision="01/2025")
                    )  # fmt: skip
                if year < CURRENT_YEAR:
                    # Operating spending is executed almost wholly; investment at little more than half.
                    rate = (
                        Decimal("0.94") + Decimal(position % 4) / 100
                        if section == "operating"
                        else (Decimal("0.48") + Decimal((position + offset) % 5) * Decimal("0.05"))
                    )
                    lines.append(
                        _line(body, year, "executed", "expenditure", section, voted * rate, currency, function=function)
                    )
        # Revenue balances the voted budget: local taxes and state allocations for operating, grants for investment.
        revenue = [
            ("71", "operating", spent["operating"] * Decimal("0.45")),
            ("74", "operating", spent["operating"] * Decimal("0.58")),
            ("13", "investment", spent["investment"]),
        ]
        for economic, section, amount in revenue:
            lines.append(_line(body, year, "voted", "revenue", section, amount, currency, economic=economic))
            if year < CURRENT_YEAR:
                executed = amount * (Decimal("0.97") if section == "operating" else Decimal("0.6"))
                lines.append(_line(body, year, "executed", "revenue", section, executed, currency, economic=economic))
    BudgetLine.objects.bulk_create(lines)


def _supplier(name: str, kind: str, identifier: str = "") -> Supplier:
    supplier, _created = Supplier.objects.get_or_create(
        key=Supplier.key_for(name, identifier), defaults={"name": name, "kind": kind, "identifier": identifier}
    )
    return supplier


def _payments(body: PublicBody, currency: str, scale: Decimal) -> None:
    companies = [
        (_supplier(name, kind, identifier), function) for name, kind, identifier, function in SUPPLIERS[body.slug]
    ]
    purposes = {
        "031": "Réparation de conduites d'eau potable",
        "02": "Réfection de chaussée",
        "08": "Fourniture de lampes",
        "07": "Collecte des déchets ménagers",
        "01": "Fournitures de bureau",
    }
    payments = []
    number = 0
    for offset, year in enumerate(YEARS):
        for month in range(1, 13, 2):
            for position, (company, function) in enumerate(companies):
                purpose = purposes[function]
                amount = Decimal(1_200_000 + 350_000 * position + 90_000 * month) * scale * (1 + Decimal(offset) / 10)
                number += 1
                payments.append(
                    Payment(
                        body=body, kind=Payment.Kind.PAYMENT, fiscal_year=year,
                        date=datetime.date(year, month, 10 + position), supplier=company,
                        amount=amount.quantize(Decimal("0.01")), currency=currency, purpose=purpose,
                        function_code=function, reference=f"MDT-{year}-{number:05d}",
                    )
                )  # fmt: skip
        for position, (name, function) in enumerate(ASSOCIATIONS[body.slug]):
            association = _supplier(name, Supplier.Kind.ASSOCIATION)
            number += 1
            payments.append(
                Payment(
                    body=body, kind=Payment.Kind.SUBSIDY, fiscal_year=year, date=datetime.date(year, 4, 1 + position),
                    supplier=association, amount=(Decimal(800_000 + 250_000 * position) * scale).quantize(Decimal("1")),
                    currency=currency, purpose="Subvention de fonctionnement", function_code=function,
                    reference=f"SUB-{year}-{number:05d}", decision_reference="03/2025" if year == 2025 else "",
                )
            )  # fmt: skip
        for position, name in enumerate(PRIVATE_PERSONS[body.slug]):
            person = _supplier(name, Supplier.Kind.INDIVIDUAL)
            number += 1
            payments.append(
                Payment(
                    body=body, kind=Payment.Kind.PAYMENT, fiscal_year=year, date=datetime.date(year, 6, 5 + position),
                    supplier=person, amount=(Decimal(45_000 + 5_000 * position) * scale).quantize(Decimal("1")),
                    currency=currency, purpose="Indemnité d'expropriation partielle", function_code="02",
                    reference=f"IND-{year}-{number:05d}",
                )
            )  # fmt: skip
    if body.slug == "commune-blida":
        # The LED lighting contract of decision 02/2025, paid in two instalments.
        led = _supplier("EURL Lumière LED Atlas", Supplier.Kind.COMPANY, "NIF 001609002345678")
        for instalment, (month, amount) in enumerate(((5, "62133333.33"), (9, "31066666.67")), start=1):
            payments.append(
                Payment(
                    body=body, kind=Payment.Kind.PAYMENT, fiscal_year=2025, date=datetime.date(2025, month, 15),
                    supplier=led, amount=Decimal(amount), currency=currency, function_code="08",
                    purpose=f"Éclairage public LED, situation n° {instalment}", reference=f"LED-2025-{instalment}",
                    decision_reference="02/2025",
                )
            )  # fmt: skip
    for payment in payments:
        payment.key = payment.identity()
    Payment.objects.bulk_create(payments)


def _contracts() -> None:
    blida, sale = (
        PublicBody.objects.filter(slug="commune-blida").first(),
        PublicBody.objects.filter(slug="commune-sale").first(),
    )
    if blida and not ContractingProcess.objects.filter(ocid="ocds-demo01-blida-2025-led").exists():
        process = ContractingProcess.objects.create(
            body=blida, ocid="ocds-demo01-blida-2025-led", fiscal_year=2025, decision_reference="02/2025",
            title="Maintenance et modernisation de l'éclairage public en LED",
            description="Remplacement de 3 200 points lumineux par des lampes LED et maintenance pendant trois ans.",
            status=ContractingProcess.Status.COMPLETE, method=ContractingProcess.Method.OPEN,
            value=Decimal("190000000.00"), currency="DZD", tender_start=datetime.date(2025, 1, 12),
            tender_end=datetime.date(2025, 2, 20),
        )  # fmt: skip
        supplier = _supplier("EURL Lumière LED Atlas", Supplier.Kind.COMPANY, "NIF 001609002345678")
        Award.objects.create(
            process=process,
            award_id="A1",
            supplier=supplier,
            status="active",
            date=datetime.date(2025, 3, 30),
            value=Decimal("186400000.00"),
            currency="DZD",
            title="Lot unique",
        )
        Contract.objects.create(
            process=process, contract_id="C1", award_id="A1", title="Marché n° 07/2025", status="active",
            date_signed=datetime.date(2025, 4, 10), start_date=datetime.date(2025, 5, 1),
            end_date=datetime.date(2028, 4, 30), value=Decimal("195720000.00"), currency="DZD",
            amendments=[{"id": "AM1", "date": "2025-09-01T00:00:00Z",
                         "description": "Avenant n° 1 : 160 points lumineux de plus, cité Ben Boulaïd (+5 %)."}],
        )  # fmt: skip
    if sale and not ContractingProcess.objects.filter(ocid="ocds-demo01-sale-2024-voirie").exists():
        process = ContractingProcess.objects.create(
            body=sale, ocid="ocds-demo01-sale-2024-voirie", fiscal_year=2024,
            title="Réhabilitation de la voirie du quartier Tabriquet",
            status=ContractingProcess.Status.COMPLETE, method=ContractingProcess.Method.OPEN,
            value=Decimal("12500000.00"), currency="MAD", tender_start=datetime.date(2024, 2, 5),
            tender_end=datetime.date(2024, 3, 15),
        )  # fmt: skip
        supplier = _supplier("Société Bouregreg Travaux SARL", Supplier.Kind.COMPANY, "ICE 001524873000054")
        Award.objects.create(
            process=process,
            award_id="A1",
            supplier=supplier,
            status="active",
            date=datetime.date(2024, 4, 2),
            value=Decimal("11870000.00"),
            currency="MAD",
        )
        Contract.objects.create(
            process=process, contract_id="C1", award_id="A1", title="Marché n° 12/2024/CS", status="terminated",
            date_signed=datetime.date(2024, 4, 20), start_date=datetime.date(2024, 5, 1),
            end_date=datetime.date(2024, 12, 31), value=Decimal("11870000.00"), currency="MAD",
        )  # fmt: skip


def load_contracts(stdout) -> None:
    """The contracts of `demo_data/contracts-<body slug>.json`, OCDS 1.1 release packages (amounts written as
    text, as some systems write them), imported as `manage.py import_contracts` would."""
    for path in sorted(DEMO_DATA.glob("contracts-*.json")):
        body = PublicBody.objects.get(slug=path.stem.removeprefix("contracts-"))
        report = import_contracts(path, body=body)
        stdout.write(f"  contracts of {body.slug}: {report.summary()}")
