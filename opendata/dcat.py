"""DCAT-AP 3 descriptions of the catalogue, built with rdflib: /catalog.ttl|.jsonld|.rdf and one file per dataset.

URIs are the site's own absolute addresses, so they stay stable as long as the site's host and the dataset's
name do: the catalogue is `<site>/catalog`, a dataset `<site>/catalog/datasets/<name>` (both answer with the
description in the format asked for), a distribution a fragment of its dataset's URI
(`…/<name>#resource-<uuid>`, `…#resource-<uuid>-rows-csv` for the DataStore rows).

The catalogue is paged with Hydra (`hydra:PartialCollectionView` with first/previous/next/last links and
`hydra:totalItems`) in the order datasets were created, so a harvester walking the pages sees each dataset once
even while others are edited.
"""

import datetime
import re
from collections.abc import Callable
from pathlib import PurePath

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Max, Min, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from portal.bodies.models import PublicBody
from portal.files import ARABIC_LETTER
from portal.models import Provenance
from portal.ratelimits import limit

from .catalogue import published_datasets, with_related
from .downloads import MEDIA_TYPES
from .importing import provenances
from .models import Dataset, Licence, Resource, ResourceVersion

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
# DCAT 3 terms that rdflib's closed DCAT namespace (DCAT 2) does not know yet.
DCAT_VERSION = URIRef(f"{DCAT}version")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
EU = "http://publications.europa.eu/resource/authority/"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"

# Our extension → (rdflib serializer, media type of the answer).
FORMATS = {
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "jsonld": ("json-ld", "application/ld+json"),
    "rdf": ("pretty-xml", "application/rdf+xml"),
}
# Accept header media type → extension, for the format-neutral URIs.
NEGOTIATED = {
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/rdf+xml": "rdf",
    "application/xml": "rdf",
}
# Datasets per catalogue page: ckanext-dcat's default (ckanext.dcat.datasets_per_page).
PAGE_SIZE = 100
RATE_GROUP = "opendata.dcat"

# Codes of the EU file-type vocabulary (http://publications.europa.eu/resource/authority/file-type) for the
# formats staff type; a format outside this list gets no dct:format, rather than an invented URI.
FILE_TYPES = {
    "CSV": "CSV",
    "TSV": "TSV",
    "TXT": "TXT",
    "JSON": "JSON",
    "GEOJSON": "GEOJSON",
    "XML": "XML",
    "RDF": "RDF_XML",
    "TTL": "RDF_TURTLE",
    "JSONLD": "JSON_LD",
    "KML": "KML",
    "XLSX": "XLSX",
    "XLS": "XLS",
    "ODS": "ODS",
    "DOCX": "DOCX",
    "DOC": "DOC",
    "ODT": "ODT",
    "PDF": "PDF",
    "ZIP": "ZIP",
    "PARQUET": "PARQUET",
    "SHP": "SHP",
    "GPKG": "GPKG",
    "HTML": "HTML",
    "PNG": "PNG",
    "JPEG": "JPEG",
    "JPG": "JPEG",
}
# ISO 639 codes of our languages in the EU language vocabulary.
EU_LANGUAGES = {"ar": "ARA", "fr": "FRA", "en": "ENG"}
# DCAT-AP's recommended value of dcatap:availability: our addresses stay as long as the dataset's name does.
STABLE = URIRef(f"{EU}planned-availability/STABLE")
ADMS_PUBLISHER_TYPE = "http://purl.org/adms/publishertype/"
# The ADMS publisher type of each kind of body (DCAT-AP recommends dct:type on a publisher).
PUBLISHER_TYPES = {
    PublicBody.Kind.REGION: "RegionalAuthority",
    PublicBody.Kind.PROVINCE: "RegionalAuthority",
    PublicBody.Kind.COMMUNE: "LocalAuthority",
    PublicBody.Kind.DEPARTMENT: "LocalAuthority",
}
# The English labels the vocabularies give the concepts we name (a skos:Concept needs a skos:prefLabel in
# DCAT-AP); they are the vocabularies' words, not ours, so they are not translated here.
CONCEPT_LABELS = {
    STABLE: "stable",
    URIRef(f"{ADMS_PUBLISHER_TYPE}RegionalAuthority"): "Regional authority",
    URIRef(f"{ADMS_PUBLISHER_TYPE}LocalAuthority"): "Local authority",
}
THEME_SCHEME_TITLE = "Data theme"
# Letters that French writes and English does not: a keyword with one of them is French.
FRENCH_LETTER = re.compile(r"[àâæçéèêëîïôœùûüÿ]", re.IGNORECASE)

PREFIXES = {
    "dcat": DCAT,
    "dct": DCTERMS,
    "foaf": FOAF,
    "dcatap": DCATAP,
    "vcard": VCARD,
    "adms": ADMS,
    "hydra": HYDRA,
    "spdx": SPDX,
    "skos": SKOS,
    "xsd": XSD,
}


def limited(view):
    return require_safe(limit("api", group=RATE_GROUP)(view))


# URIs -----------------------------------------------------------------------------------------------


class Uris:
    """The absolute addresses a description names, all from one request's host and scheme."""

    def __init__(self, request: HttpRequest):
        self.request = request

    def absolute(self, path: str) -> str:
        return self.request.build_absolute_uri(path)

    def catalog(self) -> URIRef:
        return URIRef(self.absolute(reverse("dcat:catalog-uri")))

    def catalog_page(self, format: str, number: int) -> URIRef:
        return URIRef(self.absolute(f"{reverse('dcat:catalog', kwargs={'format': format})}?page={number}"))

    def dataset(self, dataset: Dataset) -> URIRef:
        return URIRef(self.absolute(reverse("dcat:dataset-uri", args=[dataset.name])))

    def distribution(self, dataset: Dataset, resource: Resource, suffix: str = "") -> URIRef:
        return URIRef(f"{self.dataset(dataset)}#resource-{resource.uuid}{suffix}")

    def landing_page(self, dataset: Dataset) -> str:
        # One landing page, in the site's first language; its language switcher leads to the others.
        with translation.override(settings.LANGUAGE_CODE):
            return self.absolute(reverse("opendata:dataset", args=[dataset.name]))

    def resource_page(self, resource: Resource, dataset: Dataset) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            return self.absolute(reverse("opendata:resource", args=[dataset.name, resource.uuid]))

    def body(self, body: PublicBody) -> URIRef:
        with translation.override(settings.LANGUAGE_CODE):
            return URIRef(self.absolute(reverse("bodies:detail", args=[body.slug])))

    def licence(self, licence: Licence) -> URIRef:
        """The licence's own text when it has one, else its record in the REST API."""
        if licence.url:
            return URIRef(licence.url)
        return URIRef(self.absolute(reverse("opendata_api:licence-detail", args=[licence.slug])))

    def download(self, resource: Resource) -> str:
        return self.absolute(reverse("downloads:file", args=[resource.uuid]))

    def rows(self, resource: Resource, format: str) -> str:
        return self.absolute(reverse("downloads:rows", kwargs={"resource": resource.uuid, "format": format}))


# Graph ----------------------------------------------------------------------------------------------


def new_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def add_translations(graph: Graph, subject, predicate, instance, field: str) -> None:
    """One literal per language that has a value, tagged with its language."""
    for code, _name in settings.LANGUAGES:
        if value := getattr(instance, f"{field}_{code}", ""):
            graph.add((subject, predicate, Literal(value, lang=code)))


def add_message(graph: Graph, subject, predicate, message: Promise, values: Callable[[], dict]) -> None:
    """One literal per language that `message` (a gettext_lazy string) is translated into, tagged with it.

    English, the language of the source, always has one; a language whose translation is still missing gets
    none rather than English text tagged as that language. `values` runs in each language, so translated
    fields read in it.
    """
    with translation.override(None):
        source = str(message)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            text = str(message)
            if text != source or code == "en":
                graph.add((subject, predicate, Literal(text % values(), lang=code)))


def add_typed(graph: Graph, node: URIRef, kind: URIRef) -> URIRef:
    """Say what a node of a vocabulary is, as DCAT-AP's ranges ask: harvesters don't load the vocabularies."""
    graph.add((node, RDF.type, kind))
    return node


def add_concept(graph: Graph, concept: URIRef) -> URIRef:
    """A concept of an EU or ADMS vocabulary, typed and labelled as DCAT-AP asks."""
    add_typed(graph, concept, SKOS.Concept)
    graph.add((concept, SKOS.prefLabel, Literal(CONCEPT_LABELS[concept], lang="en")))
    return concept


def add_date(graph: Graph, subject, predicate, value: datetime.datetime | datetime.date) -> None:
    datatype = XSD.dateTime if isinstance(value, datetime.datetime) else XSD.date
    graph.add((subject, predicate, Literal(value, datatype=datatype)))


def version_media_type(version: ResourceVersion) -> str:
    """The media type we serve the file with (opendata.downloads), else what the upload found."""
    suffix = PurePath(version.original_name).suffix.lower()
    return MEDIA_TYPES.get(suffix) or version.mimetype.split(";")[0].strip()


def media_type_of(resource: Resource) -> str:
    if not resource.url and resource.current_version is not None:
        return version_media_type(resource.current_version)
    return MEDIA_TYPES.get(f".{resource.format.lower()}", "") if resource.format else ""


def add_format(graph: Graph, distribution, format: str, media_type: str) -> None:
    if code := FILE_TYPES.get(format.upper()):
        file_type = add_typed(graph, URIRef(f"{EU}file-type/{code}"), DCTERMS.MediaTypeOrExtent)
        graph.add((distribution, DCTERMS.format, file_type))
    if media_type:
        media = add_typed(graph, URIRef(f"{IANA_MEDIA_TYPES}{media_type}"), DCTERMS.MediaType)
        graph.add((distribution, DCAT.mediaType, media))


def add_languages(graph: Graph, subject, codes) -> None:
    """dct:language in the EU language vocabulary, for those of `codes` it has."""
    for code in codes:
        if code in EU_LANGUAGES:
            language = URIRef(f"{EU}language/{EU_LANGUAGES[code]}")
            graph.add((subject, DCTERMS.language, add_typed(graph, language, DCTERMS.LinguisticSystem)))


def dataset_texts(dataset: Dataset) -> dict[str, str]:
    """`{language: title and description}` for the languages the dataset is described in, in the site's order."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        if text := " ".join(filter(None, (getattr(dataset, f"title_{code}"), getattr(dataset, f"notes_{code}")))):
            texts[code] = text
    return texts


def keyword_language(keyword: str, texts: dict[str, str]) -> str | None:
    """Return the language of a keyword, or None when nothing tells.

    Arabic letters make it Arabic. A keyword in Latin letters is French or English: the one of the two that the
    dataset is described in (`texts`, from `dataset_texts`); else French when it has letters that only French
    writes (é, ç…); else the one whose title and description use the word, when only one does.
    """
    if ARABIC_LETTER.search(keyword):
        return "ar"
    latin = [code for code in ("fr", "en") if code in texts]
    if len(latin) == 1:
        return latin[0]
    if FRENCH_LETTER.search(keyword) and "fr" in latin:
        return "fr"
    word = re.compile(rf"\b{re.escape(keyword.casefold())}\b")
    using = [code for code in latin if word.search(texts[code].casefold())]
    return using[0] if len(using) == 1 else None


def telephone_uri(phone: str) -> URIRef | None:
    """A tel: URI (RFC 3966) of a number as staff typed it, without its spaces, dots and brackets."""
    number = re.sub(r"[^\d+]", "", phone)
    if not re.fullmatch(r"\+?\d{3,}", number):
        return None
    return URIRef(f"tel:{number}")


def add_agent(graph: Graph, uris: Uris, body: PublicBody) -> URIRef:
    """The public body as a foaf:Agent (DCAT-AP's publisher), named in each language."""
    node = uris.body(body)
    graph.add((node, RDF.type, FOAF.Agent))
    graph.add((node, RDF.type, FOAF.Organization))
    add_translations(graph, node, FOAF.name, body, "name")
    if publisher_type := PUBLISHER_TYPES.get(body.kind):
        graph.add((node, DCTERMS.type, add_concept(graph, URIRef(f"{ADMS_PUBLISHER_TYPE}{publisher_type}"))))
    if body.website:
        graph.add((node, FOAF.homepage, add_typed(graph, URIRef(body.website), FOAF.Document)))
    return node


def add_portal_agent(graph: Graph, uris: Uris) -> URIRef:
    """The portal itself as an agent: the catalogue's publisher while no body exists yet."""
    node = URIRef(uris.absolute("/") + "#publisher")
    graph.add((node, RDF.type, FOAF.Agent))
    graph.add((node, FOAF.name, Literal(settings.WAGTAIL_SITE_NAME)))
    return node


def add_contact_point(graph: Graph, uris: Uris, dataset: Dataset) -> BNode:
    """Who answers questions on the dataset, as a vCard: its body (with the dataset's own email when it has one),
    or the portal (PORTAL_CONTACT_EMAIL, PORTAL_CONTACT_PHONE) when no email is known for the body.

    DCAT-AP 3 wants a contact point on every dataset; harvesters show its email.
    """
    node = BNode()
    graph.add((node, RDF.type, VCARD.Kind))
    graph.add((node, RDF.type, VCARD.Organization))
    body = dataset.body
    if email := dataset.contact_email or body.email:
        add_translations(graph, node, VCARD.fn, body, "name")
        phone = body.phone
    else:
        graph.add((node, VCARD.fn, Literal(settings.WAGTAIL_SITE_NAME)))
        graph.add((node, VCARD.hasURL, URIRef(uris.absolute("/"))))
        email, phone = settings.PORTAL_CONTACT_EMAIL, settings.PORTAL_CONTACT_PHONE
    if email:
        graph.add((node, VCARD.hasEmail, URIRef(f"mailto:{email}")))
    if phone and (telephone := telephone_uri(phone)):
        graph.add((node, VCARD.hasTelephone, telephone))
    return node


def add_location(graph: Graph, body: PublicBody, name: str = "") -> BNode:
    """A place named `name`, or the whole territory of `body`, named after it, when `name` is empty."""
    location = BNode()
    graph.add((location, RDF.type, DCTERMS.Location))
    if name:
        graph.add((location, SKOS.prefLabel, Literal(name)))
    else:
        add_translations(graph, location, SKOS.prefLabel, body, "name")
    return location


def add_licence(graph: Graph, uris: Uris, licence: Licence) -> URIRef:
    node = uris.licence(licence)
    graph.add((node, RDF.type, DCTERMS.LicenseDocument))
    add_translations(graph, node, DCTERMS.title, licence, "title")
    return node


def add_distribution_basics(graph: Graph, node, resource: Resource, licence: URIRef) -> None:
    """What every distribution of a resource says: dates, licence and availability."""
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCTERMS.license, licence))
    add_date(graph, node, DCTERMS.issued, resource.created_at)
    add_date(graph, node, DCTERMS.modified, resource.modified_at)
    graph.add((node, DCATAP.availability, add_concept(graph, STABLE)))


def add_distribution(graph: Graph, uris: Uris, dataset: Dataset, resource: Resource, licence: URIRef):
    """Describe the resource's current file (or link); DataStore rows add one distribution per format."""
    node = uris.distribution(dataset, resource)
    add_distribution_basics(graph, node, resource, licence)
    add_translations(graph, node, DCTERMS.title, resource, "name")
    if any(getattr(resource, f"description_{code}") for code, _name in settings.LANGUAGES):
        add_translations(graph, node, DCTERMS.description, resource, "description")
    else:
        add_message(
            graph,
            node,
            DCTERMS.description,
            gettext_lazy("“%(resource)s”, a resource of the dataset “%(dataset)s”."),
            lambda: {"resource": str(resource), "dataset": str(dataset)},
        )
    if resource.url:
        graph.add((node, DCAT.accessURL, URIRef(resource.url)))
        graph.add((node, DCAT.downloadURL, URIRef(resource.url)))
    else:
        graph.add((node, DCAT.accessURL, URIRef(uris.resource_page(resource, dataset))))
        graph.add((node, DCAT.downloadURL, URIRef(uris.download(resource))))
    add_format(graph, node, resource.format, media_type_of(resource))
    if (version := resource.current_version) is not None and not resource.url:
        graph.add((node, DCAT.byteSize, Literal(version.size, datatype=XSD.nonNegativeInteger)))
        checksum = BNode()
        graph.add((node, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        algorithm = add_typed(graph, SPDX.checksumAlgorithm_sha256, SPDX.ChecksumAlgorithm)
        graph.add((checksum, SPDX.algorithm, algorithm))
        graph.add((checksum, SPDX.checksumValue, Literal(version.sha256, datatype=XSD.hexBinary)))
    distributions = [node]

    if resource.datastore_active:
        for format, media_type in (("csv", "text/csv"), ("json", "application/json")):
            rows = uris.distribution(dataset, resource, f"-rows-{format}")
            add_distribution_basics(graph, rows, resource, licence)
            for code, _name in settings.LANGUAGES:
                if name := getattr(resource, f"name_{code}"):
                    graph.add((rows, DCTERMS.title, Literal(f"{name} ({format.upper()})", lang=code)))
            add_message(
                graph,
                rows,
                DCTERMS.description,
                gettext_lazy("Every row of “%(resource)s” as %(format)s, read from the portal's DataStore."),
                lambda format=format: {"resource": str(resource), "format": format.upper()},
            )
            graph.add((rows, DCAT.accessURL, URIRef(uris.resource_page(resource, dataset))))
            graph.add((rows, DCAT.downloadURL, URIRef(uris.rows(resource, format))))
            add_format(graph, rows, format, media_type)
            distributions.append(rows)
    return distributions


def add_provenance(graph: Graph, node: URIRef, provenance: Provenance) -> None:
    """Where a harvested dataset came from, as DCAT-AP says it: dct:source the remote dataset (its page), and
    adms:identifier its identifier there (an adms:Identifier whose skos:notation it is)."""
    if provenance.remote_url:
        graph.add((node, DCTERMS.source, URIRef(provenance.remote_url)))
    identifier = BNode()
    graph.add((node, ADMS.identifier, identifier))
    graph.add((identifier, RDF.type, ADMS.Identifier))
    graph.add((identifier, SKOS.notation, Literal(provenance.remote_id)))
    if provenance.source_name:
        graph.add((identifier, ADMS.schemaAgency, Literal(provenance.source_name)))


def add_dataset(graph: Graph, uris: Uris, dataset: Dataset, provenance: Provenance | None = None) -> URIRef:
    """Add the dataset's DCAT-AP description (with its `provenance` when harvested); reads only what
    `with_related` prefetched."""
    node = uris.dataset(dataset)
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.identifier, Literal(str(dataset.uuid))))
    add_translations(graph, node, DCTERMS.title, dataset, "title")
    add_translations(graph, node, DCTERMS.description, dataset, "notes")
    if not any(graph.objects(node, DCTERMS.title)):
        graph.add((node, DCTERMS.title, Literal(dataset.name)))
    texts = dataset_texts(dataset)
    add_languages(graph, node, texts)
    graph.add((node, DCAT.landingPage, add_typed(graph, URIRef(uris.landing_page(dataset)), FOAF.Document)))
    if dataset.published_at:
        add_date(graph, node, DCTERMS.issued, dataset.published_at)
    add_date(graph, node, DCTERMS.modified, dataset.modified_at)
    if dataset.version:
        graph.add((node, DCAT_VERSION, Literal(dataset.version)))

    graph.add((node, DCTERMS.publisher, add_agent(graph, uris, dataset.body)))
    graph.add((node, DCAT.contactPoint, add_contact_point(graph, uris, dataset)))

    for theme in dataset.themes.all():
        concept = add_typed(graph, URIRef(theme.uri), SKOS.Concept)
        add_translations(graph, concept, SKOS.prefLabel, theme, "name")
        graph.add((node, DCAT.theme, concept))
    for tag in dataset.tags.all():
        graph.add((node, DCAT.keyword, Literal(tag.name, lang=keyword_language(tag.name, texts))))
    licence = add_licence(graph, uris, dataset.licence)
    graph.add((node, DCTERMS.license, licence))
    frequency = add_typed(graph, URIRef(f"{EU}frequency/{dataset.frequency}"), DCTERMS.Frequency)
    graph.add((node, DCTERMS.accrualPeriodicity, frequency))

    if dataset.temporal_start or dataset.temporal_end:
        period = BNode()
        graph.add((node, DCTERMS.temporal, period))
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if dataset.temporal_start:
            add_date(graph, period, DCAT.startDate, dataset.temporal_start)
        if dataset.temporal_end:
            add_date(graph, period, DCAT.endDate, dataset.temporal_end)

    # An empty `spatial` means the whole territory of the body.
    graph.add((node, DCTERMS.spatial, add_location(graph, dataset.body, dataset.spatial)))

    for resource in dataset.resources.all():
        if resource.url or resource.current_version is not None:
            for distribution in add_distribution(graph, uris, dataset, resource, licence):
                graph.add((node, DCAT.distribution, distribution))
    if provenance is not None:
        add_provenance(graph, node, provenance)
    return node


def add_catalog(graph: Graph, uris: Uris, datasets: QuerySet[Dataset]) -> URIRef:
    node = uris.catalog()
    graph.add((node, RDF.type, DCAT.Catalog))
    site = {"site": settings.WAGTAIL_SITE_NAME}
    add_message(graph, node, DCTERMS.title, gettext_lazy("Open data of %(site)s"), lambda: site)
    description = gettext_lazy("Open data published by the public bodies of %(site)s.")
    add_message(graph, node, DCTERMS.description, description, lambda: site)
    # The catalogue's publisher is the top of the bodies' tree (the region or the commune the site serves), and
    # its territory what the catalogue covers.
    if root := PublicBody.get_root_nodes().first():
        graph.add((node, DCTERMS.publisher, add_agent(graph, uris, root)))
        graph.add((node, DCTERMS.spatial, add_location(graph, root)))
    else:
        graph.add((node, DCTERMS.publisher, add_portal_agent(graph, uris)))
    graph.add((node, FOAF.homepage, add_typed(graph, URIRef(uris.absolute("/")), FOAF.Document)))
    themes = add_typed(graph, URIRef(f"{EU}data-theme"), SKOS.ConceptScheme)
    graph.add((themes, DCTERMS.title, Literal(THEME_SCHEME_TITLE, lang="en")))
    graph.add((node, DCAT.themeTaxonomy, themes))
    add_languages(graph, node, [code for code, _name in settings.LANGUAGES])
    dates = datasets.aggregate(issued=Min("published_at"), modified=Max("modified_at"))
    if dates["issued"]:
        add_date(graph, node, DCTERMS.issued, dates["issued"])
    if dates["modified"]:
        add_date(graph, node, DCTERMS.modified, dates["modified"])
    return node


def catalog_graph(uris: Uris, format: str, page_number) -> Graph:
    """The catalogue's page `page_number` (a string from the address, or None for the first).

    Raises PageNotAnInteger for a page that is not a positive whole number and EmptyPage past the last page.
    """
    datasets = published_datasets()
    paginator = Paginator(with_related(datasets.order_by("pk")), PAGE_SIZE, allow_empty_first_page=True)
    if page_number is None:
        page_number = "1"
    if not str(page_number).isdigit() or int(page_number) < 1:
        raise PageNotAnInteger(page_number)
    page = paginator.page(int(page_number))  # EmptyPage past the end

    graph = new_graph()
    catalog = add_catalog(graph, uris, datasets)
    datasets_here = list(page.object_list)
    harvested = provenances(datasets_here)
    for dataset in datasets_here:
        graph.add((catalog, DCAT.dataset, add_dataset(graph, uris, dataset, harvested.get(dataset.pk))))

    view = uris.catalog_page(format, page.number)
    graph.add((catalog, RDF.type, HYDRA.Collection))
    graph.add((catalog, HYDRA.totalItems, Literal(paginator.count, datatype=XSD.nonNegativeInteger)))
    graph.add((catalog, HYDRA.view, view))
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, HYDRA.first, uris.catalog_page(format, 1)))
    graph.add((view, HYDRA.last, uris.catalog_page(format, paginator.num_pages)))
    if page.has_previous():
        graph.add((view, HYDRA.previous, uris.catalog_page(format, page.previous_page_number())))
    if page.has_next():
        graph.add((view, HYDRA.next, uris.catalog_page(format, page.next_page_number())))
    return graph


def dataset_graph(uris: Uris, dataset: Dataset) -> Graph:
    graph = new_graph()
    add_dataset(graph, uris, dataset, provenances([dataset]).get(dataset.pk))
    return graph


def serialize(graph: Graph, format: str) -> bytes:
    serializer = FORMATS[format][0]
    if serializer == "json-ld":
        context = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
        return graph.serialize(format="json-ld", context=context, encoding="utf-8")
    return graph.serialize(format=serializer, encoding="utf-8")


def rdf_response(graph: Graph, format: str) -> HttpResponse:
    response = HttpResponse(serialize(graph, format), content_type=FORMATS[format][1])
    response["X-Content-Type-Options"] = "nosniff"
    response["Access-Control-Allow-Origin"] = "*"
    return response


# Views ----------------------------------------------------------------------------------------------


def negotiated_format(request: HttpRequest) -> str:
    """The extension for the request's Accept header; Turtle when it names none of ours."""
    accepted = [part.split(";")[0].strip().lower() for part in request.headers.get("Accept", "").split(",")]
    return next((NEGOTIATED[media] for media in accepted if media in NEGOTIATED), "ttl")


def see_other(request: HttpRequest, url: str) -> HttpResponse:
    """A 303 to the description in the format asked for: the URI names the thing, not a document."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    patch_vary_headers(response, ("Accept",))
    return response


@limited
def catalog(request, format):
    """A page of the DCAT-AP catalogue of published datasets (`?page=N`, 100 a page)."""
    if format not in FORMATS:
        raise Http404
    try:
        graph = catalog_graph(Uris(request), format, request.GET.get("page"))
    except PageNotAnInteger:
        return HttpResponseBadRequest("page must be a whole number from 1", content_type="text/plain; charset=utf-8")
    except EmptyPage:
        raise Http404 from None
    return rdf_response(graph, format)


@limited
def catalog_uri(request):
    url = reverse("dcat:catalog", kwargs={"format": negotiated_format(request)})
    if page := request.GET.get("page"):
        url = f"{url}?page={page}" if page.isdigit() else url
    return see_other(request, url)


def get_public_dataset(name: str) -> Dataset:
    """Return the published dataset `name` with what its description reads; 404 for drafts and withdrawn ones."""
    return get_object_or_404(with_related(published_datasets()), name=name)


@limited
def dataset(request, name, format):
    """One dataset's DCAT-AP description."""
    if format not in FORMATS:
        raise Http404
    return rdf_response(dataset_graph(Uris(request), get_public_dataset(name)), format)


@limited
def dataset_uri(request, name):
    get_public_dataset(name)
    return see_other(request, reverse("dcat:dataset", kwargs={"name": name, "format": negotiated_format(request)}))
