"""What a body's money did: budget lines (voted, amended, executed), payments and subsidies, public contracts.

Every figure is a `Decimal` with its ISO 4217 currency and its fiscal year. Classification codes are text, so
that `007` and `02100` keep their leading zeros; the labels a body loads live in `ClassificationCode`, the
label a file gave a line stays on the line. Imports find records by a stable `key` (the line's identity, or a
payment's reference or content), so that re-importing a file changes nothing.
"""

import hashlib
import json
import re
import uuid
from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from portal.analysis import search_terms
from portal.bodies.models import PublicBody
from portal.i18n import TranslatedField

from .exactjson import DecimalJSONDecoder, ExactJSONEncoder

CURRENCY_CODE = RegexValidator(r"^[A-Z]{3}$", _("Use the three capital letters of ISO 4217, e.g. DZD, MAD, EUR."))
# The currency of a body's figures when neither the file nor staff name one, from the body's country.
COUNTRY_CURRENCIES = {"DZ": "DZD", "MA": "MAD", "TN": "TND", "MR": "MRU", "LY": "LYD", "EG": "EGP", "FR": "EUR"}
# Amounts up to a thousand billion with cents: the budget of a large region in its smallest-valued currency.
AMOUNT_DIGITS = 17


def amount_field(verbose_name, **options) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=AMOUNT_DIGITS, decimal_places=2, **options)


def currency_field(**options) -> models.CharField:
    return models.CharField(_("currency"), max_length=3, validators=[CURRENCY_CODE], **options)


def currency_of(body: PublicBody) -> str:
    """Return the currency a body's figures are in unless a file says otherwise."""
    policy = SpendingPolicy.objects.filter(body=body).first()
    if policy and policy.currency:
        return policy.currency
    return COUNTRY_CURRENCIES.get(body.country.upper(), "")


def without_name(text: str, name: str) -> str:
    """Return `text` with each word of `name` replaced by "…": a payment's purpose may name the private person paid
    ("Indemnité d'expropriation de M. Benali"), whose name the public never sees."""
    words = sorted({re.escape(word) for word in name.split() if len(word) > 1}, key=len, reverse=True)
    if not words or not text:
        return text
    return re.sub(rf"(?<!\w)(?:{'|'.join(words)})(?!\w)", "…", text, flags=re.IGNORECASE)


def content_key(*parts) -> str:
    """A record's identity as 40 hex characters: the same parts always give the same key."""
    text = json.dumps([str(part) if part is not None else "" for part in parts], ensure_ascii=False)
    return hashlib.sha1(text.encode()).hexdigest()  # noqa: S324 (an identity, not a secret)


class Direction(models.TextChoices):
    EXPENDITURE = "expenditure", _("Expenditure")
    REVENUE = "revenue", _("Revenue")


class Section(models.TextChoices):
    OPERATING = "operating", _("Operating")
    INVESTMENT = "investment", _("Investment")


class Stage(models.TextChoices):
    """Where in the year a budget figure stands."""

    VOTED = "voted", _("Voted")
    AMENDED = "amended", _("Amended")
    EXECUTED = "executed", _("Executed")


class Scheme(models.TextChoices):
    FUNCTIONAL = "functional", _("By function")
    ECONOMIC = "economic", _("By economic nature")


class SpendingPolicy(models.Model):
    """A body's choices for its spending figures: their currency, and what the public sees of private persons."""

    class Individuals(models.TextChoices):
        WITHHOLD_NAME = "withhold", _("List each payment, with the person's name withheld")
        AGGREGATE = "aggregate", _("Show only totals of the payments to private persons")

    body = models.OneToOneField(
        PublicBody, on_delete=models.CASCADE, related_name="spending_policy", verbose_name=_("public body")
    )
    currency = currency_field(blank=True, help_text=_("When empty, the currency of the body's country."))
    individuals = models.CharField(
        _("payments to private persons"),
        max_length=20,
        choices=Individuals.choices,
        default=Individuals.WITHHOLD_NAME,
        help_text=_("Companies and associations are always named; private persons never are."),
    )

    class Meta:
        verbose_name = _("spending policy")
        verbose_name_plural = _("spending policies")

    def __str__(self):
        return str(self.body)


class ClassificationCode(models.Model):
    """One code of a functional or economic classification, with its labels: shared (no body) or a body's own.

    A body's own codes extend or relabel the shared list; `level` is 1 for the top (a chapter), 2 below it…
    """

    body = models.ForeignKey(
        PublicBody,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="classification_codes",
        verbose_name=_("public body"),
        help_text=_("Empty for the codes every body shares."),
    )
    scheme = models.CharField(_("classification"), max_length=20, choices=Scheme.choices)
    code = models.CharField(_("code"), max_length=30, help_text=_("As written, leading zeros included."))
    parent_code = models.CharField(_("parent code"), max_length=30, blank=True)
    level = models.PositiveSmallIntegerField(_("level"), default=1, validators=[MinValueValidator(1)])
    label_ar = models.CharField(_("label (Arabic)"), max_length=500, blank=True)
    label_fr = models.CharField(_("label (French)"), max_length=500, blank=True)
    label_en = models.CharField(_("label (English)"), max_length=500, blank=True)

    label = TranslatedField("label")

    class Meta:
        verbose_name = _("classification code")
        verbose_name_plural = _("classification codes")
        ordering = ["scheme", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code"], condition=Q(body=None), name="classification_unique_shared_code"
            ),
            models.UniqueConstraint(fields=["body", "scheme", "code"], name="classification_unique_body_code"),
        ]

    def __str__(self):
        return f"{self.code} {self.label}".strip()


class BudgetLine(models.Model):
    """One line of a body's budget for a fiscal year, at one stage (voted, amended or executed)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    body = models.ForeignKey(
        PublicBody, on_delete=models.PROTECT, related_name="budget_lines", verbose_name=_("public body")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    direction = models.CharField(_("direction"), max_length=20, choices=Direction.choices)
    section = models.CharField(_("section"), max_length=20, choices=Section.choices, blank=True)
    function_code = models.CharField(_("function"), max_length=30, blank=True)
    economic_code = models.CharField(_("economic nature"), max_length=30, blank=True)
    label = models.CharField(_("label"), max_length=500, blank=True)
    amount = amount_field(_("amount"))
    currency = currency_field()
    decision_reference = models.CharField(
        _("decision"), max_length=50, blank=True, help_text=_("The reference of the council decision that voted it.")
    )
    # The line's identity within its body, year and stage (content_key of its direction, section and codes,
    # or of its label when it has no code): what a re-import finds it by.
    key = models.CharField(max_length=40, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["body", "-fiscal_year", "stage", "direction", "section", "function_code", "economic_code"]
        constraints = [
            models.UniqueConstraint(fields=["body", "fiscal_year", "stage", "key"], name="budgetline_unique_key"),
        ]
        indexes = [
            # The overview of a body's year and the REST listing filtered by body and year.
            models.Index(fields=["body", "fiscal_year", "stage"], name="budgetline_body_year"),
        ]

    def __str__(self):
        return f"{self.fiscal_year} {self.function_code or self.economic_code} {self.label}".strip()

    def identity(self) -> str:
        codes = (self.function_code, self.economic_code)
        return content_key(self.direction, self.section, *(codes if any(codes) else ("", self.label.strip())))


class SupplierQuerySet(models.QuerySet):
    def public(self):
        """The suppliers the public may look up by name: private persons are never among them."""
        return self.exclude(kind=Supplier.Kind.INDIVIDUAL)


class Supplier(models.Model):
    """Whoever a body pays: a company, an association, a private person or another public body.

    One record across bodies and years, found by its official identifier when a file gives one, else by its
    folded name (portal.analysis), so that a journalist follows it everywhere.
    """

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        ASSOCIATION = "association", _("Association")
        INDIVIDUAL = "individual", _("Private person")
        PUBLIC_BODY = "public_body", _("Public body")
        UNKNOWN = "unknown", _("Not known")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=500)
    identifier = models.CharField(
        _("official identifier"), max_length=100, blank=True, help_text=_("Tax or trade register number (NIF, ICE…).")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.UNKNOWN)
    key = models.CharField(max_length=200, unique=True, editable=False)

    objects = SupplierQuerySet.as_manager()

    class Meta:
        verbose_name = _("supplier or beneficiary")
        verbose_name_plural = _("suppliers and beneficiaries")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_private_person(self) -> bool:
        return self.kind == self.Kind.INDIVIDUAL

    @property
    def public_name(self) -> str:
        """The name pages, APIs and exports show: never a private person's."""
        return str(_("Private person (name withheld)")) if self.is_private_person else self.name

    @staticmethod
    def key_for(name: str, identifier: str = "") -> str:
        """Return the key a supplier is found by: its identifier without spaces or punctuation, else its
        folded name (case, accents, hamza forms, the Arabic article and word order of letters aside)."""
        identifier = re.sub(r"[\s.\-/]", "", identifier).upper()
        if identifier:
            return f"id:{identifier}"[:200]
        return f"name:{search_terms(name)}"[:200]


class PaymentQuerySet(models.QuerySet):
    def listed(self):
        """The payments the public sees one by one (pages, APIs, exports).

        A payment to a private person is listed with the name withheld (Supplier.public_name), unless its body
        shows such payments only as totals (SpendingPolicy.Individuals.AGGREGATE): then it counts in sums only.
        """
        return self.exclude(
            supplier__kind=Supplier.Kind.INDIVIDUAL,
            body__spending_policy__individuals=SpendingPolicy.Individuals.AGGREGATE,
        )

    def listed_for(self, body: PublicBody):
        """`listed()` for the payments of one body, its rule read once: no join in the query, so that counting
        and paging a body's million payments read only the index."""
        policy = SpendingPolicy.objects.filter(body=body).values_list("individuals", flat=True).first()
        payments = self.filter(body=body)
        if policy == SpendingPolicy.Individuals.AGGREGATE:
            payments = payments.exclude(supplier__kind=Supplier.Kind.INDIVIDUAL)
        return payments

    def payments(self):
        return self.filter(kind=Payment.Kind.PAYMENT)

    def subsidies(self):
        return self.filter(kind=Payment.Kind.SUBSIDY)


class Payment(models.Model):
    """A payment by a body, or a subsidy it granted: who received how much, when, for what, on which line."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        SUBSIDY = "subsidy", _("Subsidy")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    body = models.ForeignKey(
        PublicBody, on_delete=models.PROTECT, related_name="payments", verbose_name=_("public body")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PAYMENT)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    date = models.DateField(_("date"), null=True, blank=True)
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="payments", verbose_name=_("supplier or beneficiary")
    )
    amount = amount_field(_("amount"))
    currency = currency_field()
    purpose = models.TextField(_("purpose"), blank=True)
    function_code = models.CharField(_("function"), max_length=30, blank=True)
    economic_code = models.CharField(_("economic nature"), max_length=30, blank=True)
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("The payment order or mandate number.")
    )
    decision_reference = models.CharField(
        _("decision"),
        max_length=50,
        blank=True,
        help_text=_("The reference of the council decision that authorised it."),
    )
    # The reference when the file gives one, else a content_key of the payment's values: what a re-import
    # finds it by.
    key = models.CharField(max_length=100, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["body", "kind", "key"], name="payment_unique_key")]
        indexes = [
            # A body's year: totals by function, top suppliers; the REST listing by body and year.
            models.Index(fields=["body", "kind", "fiscal_year"], name="payment_body_year"),
            # Everything paid to a supplier, across bodies and years.
            models.Index(fields=["supplier", "fiscal_year"], name="payment_supplier_year"),
            # The money a decision authorised.
            models.Index(fields=["body", "decision_reference"], name="payment_decision"),
            # The public listing of a body's year, newest first (a page of 50 reads 50 entries), and the year's
            # top recipients summed from the index alone (opendata.spending.summaries.top_recipients).
            models.Index(
                fields=["body", "kind", "fiscal_year", "-date", "-id"],
                include=["supplier", "amount", "currency"],
                name="payment_listing",
            ),
        ]

    def __str__(self):
        return f"{self.date or self.fiscal_year} {self.supplier_id} {self.amount} {self.currency}"

    @property
    def public_purpose(self) -> str:
        """The purpose pages, APIs and exports show: a private person's name taken out of it."""
        if self.supplier.is_private_person:
            return without_name(self.purpose, self.supplier.name)
        return self.purpose

    def identity(self) -> str:
        if self.reference.strip():
            return f"ref:{self.reference.strip()}"[:100]
        return content_key(
            self.fiscal_year, self.date, self.supplier.key, Decimal(self.amount), self.currency, self.purpose.strip(),
            self.function_code, self.economic_code,
        )  # fmt: skip


class ContractingProcess(ClusterableModel):
    """A public contracting process as the Open Contracting Data Standard (1.1) sees it: one per `ocid`.

    `releases` keeps the releases an OCDS file gave, as given, for the record package; the fields hold the
    compiled state that pages, the API and the releases the portal writes itself are made from.
    """

    class Status(models.TextChoices):
        """OCDS tender status (codelist tenderStatus)."""

        PLANNING = "planning", _("Planning")
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Open for tenders")
        CANCELLED = "cancelled", _("Cancelled")
        UNSUCCESSFUL = "unsuccessful", _("Unsuccessful")
        COMPLETE = "complete", _("Complete")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Method(models.TextChoices):
        """OCDS procurement method (codelist method)."""

        OPEN = "open", _("Open")
        SELECTIVE = "selective", _("Selective")
        LIMITED = "limited", _("Limited")
        DIRECT = "direct", _("Direct")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    body = models.ForeignKey(
        PublicBody, on_delete=models.PROTECT, related_name="contracting_processes", verbose_name=_("public body")
    )
    ocid = models.CharField(_("OCID"), max_length=200, unique=True, help_text=_("Open Contracting identifier."))
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, blank=True)
    method = models.CharField(_("procurement method"), max_length=20, choices=Method.choices, blank=True)
    value = amount_field(_("estimated value"), null=True, blank=True)
    currency = currency_field(blank=True)
    tender_start = models.DateField(_("tender opens"), null=True, blank=True)
    tender_end = models.DateField(_("tender closes"), null=True, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), null=True, blank=True)
    decision_reference = models.CharField(_("decision"), max_length=50, blank=True)
    releases = models.JSONField(
        _("releases"),
        default=list,
        blank=True,
        editable=False,
        encoder=ExactJSONEncoder,
        decoder=DecimalJSONDecoder,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("contracting process")
        verbose_name_plural = _("contracting processes")
        ordering = ["-tender_start", "-id"]

    def __str__(self):
        return self.title


class Award(models.Model):
    process = ParentalKey(
        ContractingProcess, on_delete=models.CASCADE, related_name="awards", verbose_name=_("contracting process")
    )
    award_id = models.CharField(_("award identifier"), max_length=200)
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="awards", verbose_name=_("supplier")
    )
    title = models.CharField(_("title"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=20, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    value = amount_field(_("value"), null=True, blank=True)
    currency = currency_field(blank=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [models.UniqueConstraint(fields=["process", "award_id"], name="award_unique_id")]

    def __str__(self):
        return self.title or self.award_id


class Contract(models.Model):
    process = ParentalKey(
        ContractingProcess, on_delete=models.CASCADE, related_name="contracts", verbose_name=_("contracting process")
    )
    contract_id = models.CharField(_("contract identifier"), max_length=200)
    award_id = models.CharField(_("award identifier"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=20, blank=True)
    date_signed = models.DateField(_("signed on"), null=True, blank=True)
    start_date = models.DateField(_("starts"), null=True, blank=True)
    end_date = models.DateField(_("ends"), null=True, blank=True)
    value = amount_field(_("value"), null=True, blank=True)
    currency = currency_field(blank=True)
    # OCDS amendments and implementation (transactions, milestones) as the standard writes them.
    amendments = models.JSONField(
        _("amendments"), default=list, blank=True, encoder=ExactJSONEncoder, decoder=DecimalJSONDecoder
    )
    implementation = models.JSONField(
        _("implementation"), default=dict, blank=True, encoder=ExactJSONEncoder, decoder=DecimalJSONDecoder
    )

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [models.UniqueConstraint(fields=["process", "contract_id"], name="contract_unique_id")]

    def __str__(self):
        return self.title or self.contract_id
