"""Council assemblies, their sessions and the decisions (deliberations) taken in them."""

import re
import uuid

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageViewRestriction, ReferenceIndex, TranslatableMixin
from wagtail.search import index

from portal.analysis import search_terms
from portal.i18n import TranslatedField

from ..blocks import AgendaBlock, BodyBlock
from ..forms import CouncilPageForm, DecisionPageForm, ParentAwarePageForm
from ..routing import LocaleFallbackRouteMixin


def parent_of(page: Page) -> Page | None:
    """Return the specific parent of `page`, also while the admin creates it (before it has a path).

    Wagtail validates a new page before placing it in the tree; its form hands us the
    parent through `_parent_page` (see cms.forms.ParentAwarePageForm).
    """
    parent = getattr(page, "_parent_page", None) or (page.get_parent() if page.path else None)
    return parent.specific if parent is not None else None


class Topic(TranslatableMixin, models.Model):
    """A theme of council decisions (budget, urbanism, water…); translated per locale, same slug."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100)

    panels = [FieldPanel("name"), FieldPanel("slug")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CouncilMember(models.Model):
    """An elected member of a body's assembly, so that roll-call votes can name them."""

    body = models.ForeignKey(
        "bodies.PublicBody", on_delete=models.PROTECT, related_name="council_members", verbose_name=_("public body")
    )
    name_ar = models.CharField(_("name (Arabic)"), max_length=255)
    name_fr = models.CharField(_("name (French)"), max_length=255, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    party = models.CharField(_("party or list"), max_length=255, blank=True)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"), null=True, blank=True)

    name = TranslatedField("name")
    panels = [
        FieldPanel("body"),
        FieldRowPanel([FieldPanel("name_ar"), FieldPanel("name_fr"), FieldPanel("name_en")]),
        FieldPanel("party"),
        FieldRowPanel([FieldPanel("term_start"), FieldPanel("term_end")]),
    ]

    class Meta:
        verbose_name = _("council member")
        verbose_name_plural = _("council members")
        ordering = ["name_ar"]

    def __str__(self):
        return self.name


class CouncilIndexPage(LocaleFallbackRouteMixin, Page):
    """The assembly of one public body: its sessions, and the decisions taken in them."""

    body = models.ForeignKey(
        "bodies.PublicBody", on_delete=models.PROTECT, related_name="council_pages", verbose_name=_("public body")
    )
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    members_in_office = models.PositiveSmallIntegerField(
        _("members in office"), help_text=_("The number of seats of the assembly.")
    )

    content_panels = [*Page.content_panels, FieldPanel("body"), FieldPanel("members_in_office"), FieldPanel("intro")]
    base_form_class = CouncilPageForm
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.CouncilSessionPage", "cms.ProjectMapPage"]

    class Meta:
        verbose_name = _("council")

    def specific_children(self):
        return CouncilSessionPage.objects.all()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["sessions"] = CouncilSessionPage.objects.live().child_of(self).order_by("-session_date")[:20]
        context["latest_decisions"] = (
            DecisionPage.objects.live().descendant_of(self).order_by("-decision_date").select_related("locale")[:10]
        )
        return context


class CouncilSessionPage(LocaleFallbackRouteMixin, Page):
    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("Ordinary session")
        EXTRAORDINARY = "extraordinary", _("Extraordinary session")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    session_date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ORDINARY)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    location = models.CharField(_("place"), max_length=255, blank=True)
    members_present = models.PositiveSmallIntegerField(_("members present"), null=True, blank=True)
    agenda = StreamField(AgendaBlock(), verbose_name=_("agenda"), blank=True)
    minutes = models.ForeignKey(
        "cms.CouncilDocument",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("minutes"),
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("session_date"), FieldPanel("kind"), FieldPanel("status")]),
                FieldPanel("location"),
                FieldPanel("members_present"),
            ],
            heading=_("Session"),
        ),
        FieldPanel("agenda"),
        FieldPanel("minutes"),
    ]
    search_fields = [*Page.search_fields, index.FilterField("session_date")]
    parent_page_types = ["cms.CouncilIndexPage"]
    subpage_types = ["cms.DecisionPage"]

    class Meta:
        verbose_name = _("council session")

    base_form_class = ParentAwarePageForm

    def specific_children(self):
        """A session's children are decisions; the decision page shows its language and body."""
        return DecisionPage.objects.select_related("locale", "body")

    def clean(self):
        super().clean()
        errors = {}
        if self.status == self.Status.HELD and self.session_date and self.session_date > timezone.localdate():
            errors["status"] = _("A session dated in the future cannot be marked as held.")
        council = parent_of(self)
        if (
            self.members_present is not None
            and isinstance(council, CouncilIndexPage)
            and self.members_present > council.members_in_office
        ):
            errors["members_present"] = _("More members present than seats in the assembly (%(seats)d).") % {
                "seats": council.members_in_office
            }
        if errors:
            raise ValidationError(errors)


class DecisionPage(Page):
    """A deliberation: what the assembly decided, by how many votes, on what legal basis, with its documents."""

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", _("Adopted")
        REJECTED = "rejected", _("Rejected")
        POSTPONED = "postponed", _("Postponed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Execution(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        EXECUTED = "executed", _("Executed")
        CANCELLED = "cancelled", _("Cancelled")

    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    body = models.ForeignKey(
        "bodies.PublicBody",
        on_delete=models.PROTECT,
        related_name="decisions",
        editable=False,
        verbose_name=_("public body"),
    )
    reference = models.CharField(
        _("reference number"), max_length=50, help_text=_("The deliberation's number, unique per body and year.")
    )
    year = models.PositiveSmallIntegerField(_("year"), editable=False, db_index=True)
    # A copy of locale's language: the database constraint below cannot reach the parent Page table.
    language = models.CharField(_("language"), max_length=10, editable=False)
    decision_date = models.DateField(_("date of the decision"))
    full_title = models.TextField(
        _("full title"),
        blank=True,
        help_text=_("The whole title, when it is longer than the page title may be (255 characters)."),
    )
    agenda_item = models.CharField(_("agenda item"), max_length=20, blank=True)
    summary = models.TextField(_("summary"), max_length=1000)
    full_text = StreamField(BodyBlock(), verbose_name=_("full text"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    # Empty when the count is not known (an import without votes): unknown is not zero.
    votes_for = models.PositiveSmallIntegerField(_("for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("against"), null=True, blank=True)
    votes_abstain = models.PositiveSmallIntegerField(_("abstentions"), null=True, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    topics = ParentalManyToManyField(Topic, blank=True, related_name="decisions", verbose_name=_("topics"))
    execution_status = models.CharField(
        _("execution"), max_length=20, choices=Execution.choices, default=Execution.NOT_STARTED
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("reference"), FieldPanel("decision_date"), FieldPanel("agenda_item")]),
                FieldPanel("full_title"),
                FieldPanel("summary"),
                FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
            ],
            heading=_("Decision"),
        ),
        FieldPanel("full_text"),
        MultiFieldPanel(
            [
                FieldPanel("outcome"),
                FieldRowPanel([FieldPanel("votes_for"), FieldPanel("votes_against"), FieldPanel("votes_abstain")]),
                InlinePanel("member_votes", label=_("Roll-call votes")),
            ],
            heading=_("Vote"),
        ),
        FieldPanel("legal_basis"),
        FieldPanel("execution_status"),
        InlinePanel("attachments", label=_("Attachments")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("reference", boost=4),
        index.SearchField("full_title", boost=2),
        # The same words folded (portal.analysis): "ميزانية" finds "الميزانية", "depenses" finds "dépenses".
        index.SearchField("search_terms"),
        index.SearchField("summary", boost=2),
        index.SearchField("full_text"),
        index.SearchField("legal_basis"),
        index.FilterField("year"),
        index.FilterField("outcome"),
        index.FilterField("body"),
        index.FilterField("decision_date"),
    ]
    parent_page_types = ["cms.CouncilSessionPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("council decision")
        constraints = [
            # A reference number names one deliberation of a body in a year; its translations share it.
            models.UniqueConstraint(fields=["body", "year", "reference", "language"], name="decision_unique_reference"),
        ]
        indexes = [
            # The listing (cms.listing), newest or oldest first, a year being a range of dates: the whole order
            # of SORTS, id included, so that a page or a cursor (`after=`) reads 20 index entries, not a sort.
            models.Index(fields=["decision_date", "reference", "page_ptr"], name="decision_date_reference"),
            # The listing of one body (`?body=`), with or without a year, in the same order.
            models.Index(fields=["body", "decision_date", "reference", "page_ptr"], name="decision_body_date_ref"),
            # The feeds (cms.feeds): one language's newest. A language of few decisions among many (French in an
            # Arabic-speaking commune) is found without reading the others (3.3 against 0.2 ms at 100,000).
            models.Index(fields=["language", "decision_date"], name="decision_language_date"),
        ]

    base_form_class = DecisionPageForm

    @cached_property
    def session(self) -> CouncilSessionPage | None:
        if self.path and not hasattr(self, "_cached_parent_obj") and not hasattr(self, "_parent_page"):
            # One query for the specific parent, where get_parent() and .specific take two.
            return CouncilSessionPage.objects.filter(path=self.path[: -self.steplen]).first()
        return parent_of(self)

    def get_view_restrictions(self):
        """Return the view restrictions of this page and its ancestors, as Wagtail's Page does (aliases read
        their source's), in one query: the ancestors' paths are prefixes of this page's own."""
        paths = [self.path[:end] for end in range(self.steplen, len(self.path) + 1, self.steplen)]
        pages = Page.objects.filter(path__in=paths)
        return PageViewRestriction.objects.filter(
            Q(page__in=pages.filter(alias_of__isnull=True).values("pk"))
            | Q(page__in=pages.filter(alias_of__isnull=False).values("alias_of"))
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The template and its JSON-LD read topics and attachments twice, votes once: one query each. A preview
        # shows the edited, unsaved relations instead, which the database does not hold.
        if not getattr(request, "is_preview", False):
            prefetch_related_objects(
                [self],
                "topics",
                Prefetch("attachments", queryset=DecisionAttachment.objects.select_related("document")),
                Prefetch("member_votes", queryset=MemberVote.objects.select_related("member")),
            )
        # The budget lines, payments and subsidies that name this decision (opendata.spending.links).
        from opendata.spending.links import money_authorised_by

        if self.body_id and self.year:  # a new page's preview has neither yet
            context["money"] = money_authorised_by(self.body_id, self.reference, self.year)
        return context

    def search_terms(self) -> str:
        """What the decision says, folded as searches fold the words people type (portal.analysis)."""
        texts = [self.reference, self.title, self.full_title, self.summary, self.legal_basis]
        texts += [str(block.value) for block in self.full_text if block.block_type in ("heading", "paragraph")]
        text = " ".join(texts)
        # Wagtail's search backend asks for it several times while it indexes a page: folded once per text.
        if self.__dict__.get("_search_terms", (None,))[0] != text:
            self.__dict__["_search_terms"] = (text, search_terms(strip_tags(text)))
        return self.__dict__["_search_terms"][1]

    def mentions(self) -> list[Page]:
        """The live pages that link to this decision (news, project maps…), from Wagtail's reference index."""
        references = ReferenceIndex.get_references_to(self).filter(
            base_content_type=ContentType.objects.get_for_model(Page)
        )
        ids = {int(object_id) for object_id in references.values_list("object_id", flat=True)}
        return list(
            Page.objects.live()
            .filter(pk__in=ids, locale_id=self.locale_id)
            .exclude(pk=self.pk)
            .order_by("-first_published_at")
        )

    @staticmethod
    def slug_for(reference: str) -> str:
        """The address of a decision: its reference in ASCII ("2025/014" → "2025-014")."""
        return slugify(re.sub(r"\W+", "-", reference)) or "decision"

    @property
    def votes_known(self) -> bool:
        return None not in (self.votes_for, self.votes_against, self.votes_abstain)

    @property
    def votes_cast(self) -> int | None:
        """For, against and abstentions together; None unless all three are known."""
        if not self.votes_known:
            return None
        return (self.votes_for or 0) + (self.votes_against or 0) + (self.votes_abstain or 0)

    @property
    def whole_title(self) -> str:
        """The deliberation's title in full: a page title stops at 255 characters, a legal title may not."""
        return self.full_title or self.title

    def full_clean(self, *args, **kwargs):
        self._derive_body_and_year()
        super().full_clean(*args, **kwargs)

    def save(self, *args, **kwargs):
        self._derive_body_and_year()
        super().save(*args, **kwargs)

    def _derive_body_and_year(self) -> None:
        """The year comes from the date, the body from the council the session belongs to."""
        if self.decision_date:
            self.year = self.decision_date.year
        if self.locale_id:
            self.language = self.locale.language_code
        if self.body_id:
            return  # the parents' lookup costs two queries a level, on every save
        session = parent_of(self)
        if isinstance(session, CouncilSessionPage):
            council = parent_of(session)
            if isinstance(council, CouncilIndexPage):
                self.body_id = council.body_id

    def clean(self):
        super().clean()
        errors = {}
        present = getattr(parent_of(self), "members_present", None)
        voted = self.outcome in {self.Outcome.ADOPTED, self.Outcome.REJECTED}
        if present is not None and voted and self.votes_known and self.votes_cast != present:
            errors["votes_for"] = _(
                "For, against and abstentions add up to %(cast)d, but %(present)d members were present."
            ) % {"cast": self.votes_cast, "present": present}
        if self.body_id and self.decision_date and self.reference:
            clash = DecisionPage.objects.filter(
                body_id=self.body_id, year=self.decision_date.year, reference=self.reference, language=self.language
            ).exclude(pk=self.pk)
            if clash.exists():
                errors["reference"] = _("Decision %(reference)s already exists for this body in %(year)d.") % {
                    "reference": self.reference,
                    "year": self.decision_date.year,
                }
        if errors:
            raise ValidationError(errors)


class MemberVote(Orderable):
    class Vote(models.TextChoices):
        FOR = "for", _("For")
        AGAINST = "against", _("Against")
        ABSTAIN = "abstain", _("Abstained")
        ABSENT = "absent", _("Absent")

    page = ParentalKey(DecisionPage, on_delete=models.CASCADE, related_name="member_votes")
    member = models.ForeignKey(CouncilMember, on_delete=models.PROTECT, related_name="votes", verbose_name=_("member"))
    vote = models.CharField(_("vote"), max_length=10, choices=Vote.choices)

    panels = [FieldPanel("member"), FieldPanel("vote")]

    class Meta(Orderable.Meta):
        verbose_name = _("roll-call vote")


class DecisionAttachment(Orderable):
    class Kind(models.TextChoices):
        SIGNED = "signed", _("Signed deliberation")
        ANNEX = "annex", _("Annex")
        OTHER = "other", _("Other document")

    page = ParentalKey(DecisionPage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "cms.CouncilDocument", on_delete=models.PROTECT, related_name="+", verbose_name=_("document")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SIGNED)

    panels = [FieldPanel("document"), FieldPanel("kind")]

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")
