"""DCAT-AP 3 descriptions of the catalogue, built with rdflib: /catalog.ttl|.jsonld|.rdf and one file per dataset.

URIs are the site's own absolute addresses, so they stay stable as long as the site's host and the dataset's
name do: the catalogue is `<site>/catalog`, a dataset `<site>/catalog/datasets/<name>` (both answer with the
description in the format asked for), a distribution a fragment of its dataset's URI
(`…/<name>#resource-<uuid>`, `…#resource-<uuid>-rows-csv` for the DataStore rows).

The catalogue is paged with Hydra (`hydra:PartialCollectionView` with first/previous/next/last links and
`hydra:totalItems`) in the order datasets were created, so a harvester walking the pages sees each dataset once
even while others are edited.
"""

from pathlib import PurePath

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Max, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from portal.bodies.models import PublicBody
from portal.ratelimits import limit

from .catalogue import published_datasets, with_related
from .downloads import MEDIA_TYPES
from .models import Dataset, Licence, Resource, ResourceVersion

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
# DCAT 3 terms that rdflib's closed DCAT namespace (DCAT 2) does not know yet.
DCAT_VERSION = URIRef(f"{DCAT}version")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
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

PREFIXES = {
    "dcat": DCAT,
    "dct": DCTERMS,
    "foaf": FOAF,
    "vcard": VCARD,
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
        graph.add((distribution, DCTERMS.format, URIRef(f"{EU}file-type/{code}")))
    if media_type:
        graph.add((distribution, DCAT.mediaType, URIRef(f"{IANA_MEDIA_TYPES}{media_type}")))


def add_agent(graph: Graph, uris: Uris, body: PublicBody) -> URIRef:
    """The public body as a foaf:Agent (DCAT-AP's publisher), named in each language."""
    node = uris.body(body)
    graph.add((node, RDF.type, FOAF.Agent))
    graph.add((node, RDF.type, FOAF.Organization))
    add_translations(graph, node, FOAF.name, body, "name")
    if body.website:
        graph.add((node, FOAF.homepage, URIRef(body.website)))
    return node


def add_licence(graph: Graph, uris: Uris, licence: Licence) -> URIRef:
    node = uris.licence(licence)
    graph.add((node, RDF.type, DCTERMS.LicenseDocument))
    add_translations(graph, node, DCTERMS.title, licence, "title")
    return node


def add_distribution(graph: Graph, uris: Uris, dataset: Dataset, resource: Resource, licence: URIRef):
    """Describe the resource's current file (or link); DataStore rows add one distribution per format."""
    node = uris.distribution(dataset, resource)
    graph.add((node, RDF.type, DCAT.Distribution))
    add_translations(graph, node, DCTERMS.title, resource, "name")
    add_translations(graph, node, DCTERMS.description, resource, "description")
    graph.add((node, DCTERMS.license, licence))
    graph.add((node, DCTERMS.issued, Literal(resource.created_at)))
    graph.add((node, DCTERMS.modified, Literal(resource.modified_at)))
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
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((checksum, SPDX.checksumValue, Literal(version.sha256, datatype=XSD.hexBinary)))
    distributions = [node]

    if resource.datastore_active:
        for format, media_type in (("csv", "text/csv"), ("json", "application/json")):
            rows = uris.distribution(dataset, resource, f"-rows-{format}")
            graph.add((rows, RDF.type, DCAT.Distribution))
            for code, _name in settings.LANGUAGES:
                if name := getattr(resource, f"name_{code}"):
                    graph.add((rows, DCTERMS.title, Literal(f"{name} ({format.upper()})", lang=code)))
            graph.add((rows, DCAT.accessURL, URIRef(uris.resource_page(resource, dataset))))
            graph.add((rows, DCAT.downloadURL, URIRef(uris.rows(resource, format))))
            graph.add((rows, DCTERMS.license, licence))
            add_format(graph, rows, format, media_type)
            distributions.append(rows)
    return distributions


def add_dataset(graph: Graph, uris: Uris, dataset: Dataset) -> URIRef:
    """Add the dataset's DCAT-AP description; reads only what `with_related` prefetched."""
    node = uris.dataset(dataset)
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.identifier, Literal(str(dataset.uuid))))
    add_translations(graph, node, DCTERMS.title, dataset, "title")
    add_translations(graph, node, DCTERMS.description, dataset, "notes")
    if not any(graph.objects(node, DCTERMS.title)):
        graph.add((node, DCTERMS.title, Literal(dataset.name)))
    graph.add((node, DCAT.landingPage, URIRef(uris.landing_page(dataset))))
    if dataset.published_at:
        graph.add((node, DCTERMS.issued, Literal(dataset.published_at)))
    graph.add((node, DCTERMS.modified, Literal(dataset.modified_at)))
    if dataset.version:
        graph.add((node, DCAT_VERSION, Literal(dataset.version)))

    body = dataset.body
    graph.add((node, DCTERMS.publisher, add_agent(graph, uris, body)))

    if email := dataset.contact_email or body.email:
        contact = BNode()
        graph.add((node, DCAT.contactPoint, contact))
        graph.add((contact, RDF.type, VCARD.Organization))
        add_translations(graph, contact, VCARD.fn, body, "name")
        graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{email}")))

    for theme in dataset.themes.all():
        graph.add((node, DCAT.theme, URIRef(theme.uri)))
    for tag in dataset.tags.all():
        graph.add((node, DCAT.keyword, Literal(tag.name)))
    licence = add_licence(graph, uris, dataset.licence)
    graph.add((node, DCTERMS.license, licence))
    graph.add((node, DCTERMS.accrualPeriodicity, URIRef(f"{EU}frequency/{dataset.frequency}")))

    if dataset.temporal_start or dataset.temporal_end:
        period = BNode()
        graph.add((node, DCTERMS.temporal, period))
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if dataset.temporal_start:
            graph.add((period, DCAT.startDate, Literal(dataset.temporal_start, datatype=XSD.date)))
        if dataset.temporal_end:
            graph.add((period, DCAT.endDate, Literal(dataset.temporal_end, datatype=XSD.date)))

    # An empty `spatial` means the whole territory of the body: the location is named after it.
    location = BNode()
    graph.add((node, DCTERMS.spatial, location))
    graph.add((location, RDF.type, DCTERMS.Location))
    if dataset.spatial:
        graph.add((location, SKOS.prefLabel, Literal(dataset.spatial)))
    else:
        add_translations(graph, location, SKOS.prefLabel, body, "name")

    for resource in dataset.resources.all():
        if resource.url or resource.current_version is not None:
            for distribution in add_distribution(graph, uris, dataset, resource, licence):
                graph.add((node, DCAT.distribution, distribution))
    return node


def add_catalog(graph: Graph, uris: Uris, datasets: QuerySet[Dataset]) -> URIRef:
    node = uris.catalog()
    graph.add((node, RDF.type, DCAT.Catalog))
    graph.add((node, DCTERMS.title, Literal(settings.WAGTAIL_SITE_NAME)))
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            description = _("Open data published by the public bodies of %(site)s.") % {
                "site": settings.WAGTAIL_SITE_NAME
            }
        graph.add((node, DCTERMS.description, Literal(description, lang=code)))
    # The catalogue's publisher is the top of the bodies' tree (the region or the commune the site serves).
    if root := PublicBody.get_root_nodes().first():
        graph.add((node, DCTERMS.publisher, add_agent(graph, uris, root)))
    graph.add((node, FOAF.homepage, URIRef(uris.absolute("/"))))
    graph.add((node, DCAT.themeTaxonomy, URIRef(f"{EU}data-theme")))
    for code, _name in settings.LANGUAGES:
        if code in EU_LANGUAGES:
            graph.add((node, DCTERMS.language, URIRef(f"{EU}language/{EU_LANGUAGES[code]}")))
    if modified := datasets.aggregate(modified=Max("modified_at"))["modified"]:
        graph.add((node, DCTERMS.modified, Literal(modified)))
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
    for dataset in page.object_list:
        graph.add((catalog, DCAT.dataset, add_dataset(graph, uris, dataset)))

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
    add_dataset(graph, uris, dataset)
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
