"""What each kind of public record gives the search: which records are public, and their words per language.

A module that publishes records adds its `Source` to SOURCES: the model, the public ones, and a function that
returns a `Document` per language the record is published in. search.indexing keeps the entries in step.
"""

import datetime
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Max, prefetch_related_objects
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import strip_tags
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from cms.models import DecisionPage, NewsArticlePage, ProjectMapPage, StandardPage
from opendata.models import Dataset
from opendata.spending.models import ContractingProcess, Payment, Supplier
from participation.budgeting.models import Project as BudgetingProject
from participation.proposals.models import Proposal
from participation.requests.models import Case, Message


@dataclass(frozen=True)
class Document:
    """A record as one language shows it: what SearchEntry stores, less the folded words it derives."""

    language: str
    title: str
    url: str
    summary: str = ""
    text: str = ""
    body_id: int | None = None
    year: int | None = None
    date: datetime.date | None = None
    topic: str = ""
    format: str = ""


@dataclass(frozen=True)
class Source:
    kind: str
    label: str | Promise
    models: tuple[type[models.Model], ...]
    # The public records, for rebuilding; a record outside it has no entry.
    public: Callable[[], models.QuerySet]
    documents: Callable[[models.Model], list[Document]]
    # Relations that `documents` reads, prefetched for many records at once (a batch, a rebuild).
    related: tuple[str, ...] = ()

    def find(self, record_id: str):
        """Return the public record `record_id` of this source, or None (gone, draft, withdrawn, restricted)."""
        return self.public().filter(pk=record_id).first()


def stream_text(stream) -> str:
    """The words of a StreamField's headings and paragraphs, without markup."""
    return strip_tags(" ".join(str(block.value) for block in stream if block.block_type in ("heading", "paragraph")))


def public_pages(*page_models: type[Page]) -> Callable[[], models.QuerySet]:
    """Live pages nobody needs a password or a login to read."""
    return lambda: Page.objects.live().public().type(*page_models).specific()


def decision_documents(decision: DecisionPage) -> list[Document]:
    # The first topic by key, from the topics prefetched with the batch's other decisions (Source.related).
    topic = min(decision.topics.all(), key=lambda each: each.pk, default=None)
    return [
        Document(
            language=decision.language,  # its locale's, copied on the page: no query per decision of a batch
            title=decision.whole_title,
            url=decision.get_url(),
            summary=decision.summary,
            text=" ".join([decision.reference, stream_text(decision.full_text), decision.legal_basis]),
            body_id=decision.body_id,
            year=decision.year,
            date=decision.decision_date,
            topic=topic.slug if topic else "",
        )
    ]


def news_documents(article: NewsArticlePage) -> list[Document]:
    return [
        Document(
            language=article.locale.language_code,
            title=article.title,
            url=article.get_url(),
            summary=article.intro,
            text=stream_text(article.body),
            year=article.date.year,
            date=article.date,
        )
    ]


def page_documents(page: Page) -> list[Document]:
    texts = []
    if isinstance(page, StandardPage):
        texts.append(stream_text(page.body))
    elif isinstance(page, ProjectMapPage):
        texts += [f"{project.value['title']}." for project in page.projects]
    published = page.last_published_at or page.first_published_at
    return [
        Document(
            language=page.locale.language_code,
            title=page.title,
            url=page.get_url(),
            summary=getattr(page, "intro", ""),
            text=" ".join(texts),
            date=timezone.localdate(published) if published else None,
        )
    ]


def dataset_documents(dataset: Dataset) -> list[Document]:
    """One document per language the dataset has a title in; its resources' names and keywords join the text."""
    resources = list(dataset.resources.all())
    formats = [resource.format for resource in resources if resource.format]
    theme = dataset.themes.order_by("pk").values_list("slug", flat=True).first()
    covered = dataset.temporal_end or dataset.temporal_start
    keywords = " ".join(dataset.tags.names())
    documents = []
    for code, _name in settings.LANGUAGES:
        title = getattr(dataset, f"title_{code}")
        if not title:
            continue
        names = " ".join(getattr(resource, f"name_{code}") or resource.name for resource in resources)
        with override(code):
            url = dataset.get_absolute_url()
        documents.append(
            Document(
                language=code,
                title=title,
                url=url,
                summary=getattr(dataset, f"notes_{code}") or dataset.notes,
                # The identifier once, in the first language: "depenses-2024" finds one entry, not each translation.
                text=f"{'' if documents else dataset.name} {names} {keywords}",
                body_id=dataset.body_id,
                year=covered.year if covered else timezone.localdate(dataset.published_at or dataset.created_at).year,
                date=timezone.localdate(dataset.modified_at),
                topic=theme or "",
                format=max(set(formats), key=formats.count) if formats else "",
            )
        )
    return documents


ARABIC_LETTER = re.compile("[\u0600-\u06ff]")


def language_of_name(text: str) -> str:
    """The language a name is written in, by its script: Arabic letters, else the portal's first other language.

    A supplier's name or a contract's title has no translations: its one entry goes where its readers are."""
    if ARABIC_LETTER.search(text):
        return "ar"
    return next((code for code, _name in settings.LANGUAGES if code != "ar"), settings.LANGUAGE_CODE)


def public_suppliers() -> models.QuerySet:
    """Companies, associations and bodies; never a private person (Supplier.objects.public)."""
    # Not "those paid": an import saves a supplier before its payments, and the entry is written after the commit.
    return Supplier.objects.public()


def supplier_documents(supplier: Supplier) -> list[Document]:
    language = language_of_name(supplier.name)
    paid = Payment.objects.filter(supplier=supplier)
    bodies = sorted(
        set(paid.values_list("body", flat=True)) | set(supplier.awards.values_list("process__body", flat=True))
    )
    latest = paid.aggregate(year=Max("fiscal_year"))["year"]
    with override(language):
        url = reverse("spending:supplier", args=[supplier.uuid])
        summary = str(supplier.get_kind_display())
    return [
        Document(
            language=language,
            title=supplier.name,
            url=url,
            summary=summary,
            text=supplier.identifier,
            body_id=bodies[0] if len(bodies) == 1 else None,
            year=latest,
        )
    ]


def contract_documents(process: ContractingProcess) -> list[Document]:
    language = language_of_name(process.title)
    # The awarded suppliers' names find the contract too, a private person's never (public_name).
    suppliers = " ".join(award.supplier.public_name for award in process.awards.all() if award.supplier_id)
    with override(language):
        url = reverse("spending:contract", args=[process.uuid])
        method = str(process.get_method_display()) if process.method else gettext("Public contract")
    year = process.fiscal_year or (process.tender_start.year if process.tender_start else None)
    return [
        Document(
            language=language,
            title=process.title,
            url=url,
            summary=process.description or method,
            text=" ".join([process.ocid, process.decision_reference, suppliers]),
            body_id=process.body_id,
            year=year,
            date=process.tender_start,
        )
    ]


def public_cases() -> models.QuerySet:
    return Case.objects.public().select_related("refusal_reason").prefetch_related("messages")


def case_documents(case: Case) -> list[Document]:
    """A public request or complaint: what was asked and what the body answered, as the public page shows them
    (the requester's identity removed), never the requester's name."""
    texts = [message.public_text for message in case.messages.all() if message.kind != Message.Kind.NOTE]
    with override(case.language):
        url = case.get_absolute_url()
    return [
        Document(
            language=case.language,
            title=case.public_subject,
            url=url,
            summary=texts[0][:500] if texts else "",
            text=" ".join([case.reference, *texts[1:], case.refusal_reason.label if case.refusal_reason else ""]),
            body_id=case.body_id,
            year=case.received_on.year if case.received_on else None,
            date=case.received_on,
            topic=case.kind,
        )
    ]


def public_proposals() -> models.QuerySet:
    return Proposal.objects.public().select_related("space", "category").prefetch_related("answers")


def proposal_documents(proposal: Proposal) -> list[Document]:
    """A public proposal in the language it was written in: its title, description and the council's answers;
    never its author (a pseudonym hides the person, and the signature is no word to search for)."""
    answers = [answer.text for answer in proposal.answers.all()]
    published = timezone.localdate(proposal.published_at or proposal.created_at)
    with override(proposal.language):
        url = proposal.get_absolute_url()
    return [
        Document(
            language=proposal.language,
            title=proposal.title,
            url=url,
            summary=proposal.text[:500],
            text=" ".join([proposal.reference, proposal.text[500:], *answers]),
            body_id=proposal.space.body_id,
            year=published.year,
            date=published,
            topic=proposal.category.slug if proposal.category else "",
        )
    ]


def public_budgeting_projects() -> models.QuerySet:
    return BudgetingProject.objects.public().select_related("cycle", "district")


def budgeting_project_documents(project: BudgetingProject) -> list[Document]:
    """A project of a published budgeting cycle in the language it was written in: its title, description, district,
    status and published review; never who proposed it (the signature is no word to search for)."""
    created = timezone.localdate(project.created_at)
    with override(project.language):
        try:
            url = project.get_absolute_url()
        except NoReverseMatch:  # the cycles' pages not wired: the project's entry among the works
            url = f"{reverse('budgeting:works')}#project-{project.pk}"
        facts = [str(project.get_status_display()), project.district.name if project.district_id else ""]
    return [
        Document(
            language=project.language,
            title=project.title,
            url=url,
            summary=project.description[:500],
            text=" ".join([project.reference, project.description[500:], *facts, project.review_note]),
            body_id=project.cycle.body_id,
            year=timezone.localdate(project.cycle.voting_opens_at).year,
            date=created,
        )
    ]


SOURCES: dict[str, Source] = {
    source.kind: source
    for source in (
        Source(
            "decision",
            _("Council decisions"),
            (DecisionPage,),
            public_pages(DecisionPage),
            decision_documents,
            related=("topics",),
        ),
        Source("news", _("News"), (NewsArticlePage,), public_pages(NewsArticlePage), news_documents),
        Source(
            "page",
            _("Pages"),
            (StandardPage, ProjectMapPage),
            public_pages(StandardPage, ProjectMapPage),
            page_documents,
        ),
        Source(
            "dataset",
            _("Datasets"),
            (Dataset,),
            lambda: Dataset.objects.published().prefetch_related("resources", "themes"),
            dataset_documents,
        ),
        Source("supplier", _("Suppliers and associations"), (Supplier,), public_suppliers, supplier_documents),
        Source(
            "contract",
            _("Public contracts"),
            (ContractingProcess,),
            lambda: ContractingProcess.objects.prefetch_related("awards__supplier"),
            contract_documents,
        ),
        Source(
            "information_request",
            _("Information requests and complaints"),
            (Case,),
            public_cases,
            case_documents,
        ),
        Source("proposal", _("Citizen proposals"), (Proposal,), public_proposals, proposal_documents),
        Source(
            "budgeting_project",
            _("Participatory budgeting projects"),
            (BudgetingProject,),
            public_budgeting_projects,
            budgeting_project_documents,
        ),
    )
}


def source_of(model: type[models.Model]) -> Source | None:
    """The source whose records are `model`'s, or None."""
    return next((source for source in SOURCES.values() if issubclass(model, source.models)), None)


# Records whose relations (Source.related) are read at a time.
DOCUMENTS_CHUNK = 500


def documents_of(kind: str, records: Iterable[models.Model]) -> Iterable[tuple[str, list[Document]]]:
    source = SOURCES[kind]
    records = iter(records)
    while chunk := list(itertools.islice(records, DOCUMENTS_CHUNK)):
        if source.related:
            prefetch_related_objects(chunk, *source.related)
        for record in chunk:
            yield str(record.pk), source.documents(record)
