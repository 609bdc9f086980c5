"""DCAT catalogues (RDF/XML, Turtle, JSON-LD), paged with Hydra, as DCAT-AP 2/3 and its national profiles write them.

What DCAT-AP defines is read and the rest ignored, so GeoDCAT-AP, DCAT-AP-FR and other profiles harvest as
plain DCAT-AP. The whole description of each dataset is in the catalogue, so `gather` hands the runner a plain
dict (`dataset_to_record`) to hash and import, and `fetch` is only called for a dataset the catalogue merely
names (`dcat:dataset <uri>` without a title): its own URI is then read.

Identity: a dataset's remote identifier and guid are its URI. A blank node has none, so its `dct:identifier`
stands in; a blank node without one gets `sha256:` and a hash of its titles and landing page, stable while they
do not change (when they do, it counts as a new dataset and the old one is withdrawn after the source's
`withdraw_after` runs).

The pages of a Hydra-paged catalogue (`hydra:next` of a `hydra:PartialCollectionView`, or the older
`hydra:nextPage` of a `hydra:PagedCollection`, as ckanext-dcat writes it) are followed up to the source's
`max_pages` option; a next page already read ends the walk, so a server whose pages loop is read once. The
whole catalogue is read on every run (DCAT has no "changed since"): the runner's hashes skip what is unchanged,
and a dataset left out of a run would count as gone from the source.
"""

import copy
import datetime
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit
from xml.sax import SAXParseException

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from opendata.downloads import MEDIA_TYPES
from opendata.importing import DatasetRecord, ResourceRecord

from .. import network, safety
from . import register
from .base import Gathered, Imported, NetworkFailure, ObjectFailure, SourceFailure, SourceKind
from .datasets import import_record, withdraw_record

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
SCHEMAS = (Namespace("http://schema.org/"), Namespace("https://schema.org/"))
DCAT_VERSION = URIRef(f"{DCAT}version")  # DCAT 3, not in rdflib's closed DCAT 2 namespace

EU = ("http://publications.europa.eu/resource/authority/", "https://publications.europa.eu/resource/authority/")
THEME_PREFIXES = tuple(f"{base}data-theme/" for base in EU)
FREQUENCY_PREFIXES = tuple(f"{base}frequency/" for base in EU)
FILE_TYPE_PREFIXES = tuple(f"{base}file-type/" for base in EU)
CLD_FREQUENCY = "http://purl.org/cld/freq/"  # the Dublin Core frequencies DCAT-AP 1 and ckanext-dcat used
# Media type URIs: IANA's (DCAT-AP) and the older purl.org/NET/mediatypes (ckanext-dcat).
MEDIA_TYPE_URI = re.compile(r"^https?://(?:www\.iana\.org/assignments/media-types|purl\.org/NET/mediatypes)/(.+)$")

# Parsers by media type and by file extension (rdflib's names), and how messages name them.
SYNTAX_NAMES = {"xml": "RDF/XML", "turtle": "Turtle", "json-ld": "JSON-LD"}
MEDIA_SYNTAXES = {
    "application/rdf+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/turtle": "turtle",
    "application/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/json": "json-ld",
}
SUFFIX_SYNTAXES = {
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
    ".ttl": "turtle",
    ".jsonld": "json-ld",
    ".json": "json-ld",
}
ACCEPT = "text/turtle, application/ld+json;q=0.9, application/rdf+xml;q=0.9, application/xml;q=0.5, */*;q=0.1"
# Pages of a catalogue read at most, unless the source's `max_pages` option says otherwise: 100,000 datasets at
# ckanext-dcat's 100 a page.
MAX_PAGES = 1000
# Remote JSON-LD contexts a document may pull in (each is fetched through harvesters.network, never by rdflib).
MAX_CONTEXTS = 10
# The longest remote identifier HarvestObject.remote_id holds; a longer URI is hashed.
MAX_REMOTE_ID = 500

# Dataset.Frequency values, from the EU frequency codes and the Dublin Core ones; other codes pass as their URI.
FREQUENCIES = {
    "UPDATE_CONT": "UPDATE_CONT",
    "CONT": "UPDATE_CONT",
    "DAILY": "DAILY",
    "WEEKLY": "WEEKLY",
    "MONTHLY": "MONTHLY",
    "QUARTERLY": "QUARTERLY",
    "ANNUAL": "ANNUAL",
    "IRREG": "IRREG",
    "NEVER": "NEVER",
    "UNKNOWN": "UNKNOWN",
    "continuous": "UPDATE_CONT",
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "quarterly": "QUARTERLY",
    "annual": "ANNUAL",
    "irregular": "IRREG",
}
# EU file-type codes whose format the portal names otherwise (opendata.dcat.FILE_TYPES the other way round).
FILE_TYPE_FORMATS = {"RDF_XML": "RDF", "RDF_TURTLE": "TTL", "JSON_LD": "JSONLD"}
# Media type → format: the portal's own list (opendata.downloads), then what catalogues also write.
MEDIA_FORMATS = {media_type: suffix[1:].upper() for suffix, media_type in reversed(MEDIA_TYPES.items())} | {
    "application/ld+json": "JSONLD",
    "text/xml": "XML",
    "application/vnd.geo+json": "GEOJSON",
    "text/html": "HTML",
}
KNOWN_FORMATS = set(MEDIA_FORMATS.values())
ADDRESS_SCHEMES = ("http", "https", "ftp")


# Reading the catalogue ---------------------------------------------------------------------------------


def page_key(url: str) -> str:
    """The address of a page without its fragment, to notice a page read before."""
    return urldefrag(url)[0]


def is_web_address(value: str) -> bool:
    return urlsplit(value).scheme in ("http", "https")


def looks_like_html(data: bytes) -> bool:
    start = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html"))


def sniff(data: bytes) -> str:
    """Return the syntax the bytes look like: JSON starts with a brace, XML with a declaration or an element."""
    start = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith((b"{", b"[")):
        return "json-ld"
    if start.startswith((b"<?xml", b"<!")) or re.match(rb"<[A-Za-z_][\w.-]*(:[\w.-]+)?[\s>/]", start):
        return "xml"
    return "turtle"  # Turtle starts with @prefix, PREFIX, a comment or <uri>


def choose_syntax(content_type: str, url: str, data: bytes) -> str:
    """Return rdflib's name of the parser: from the Content-Type, else the address's extension, else the bytes."""
    media_type = content_type.split(";")[0].strip().lower()
    if media_type in MEDIA_SYNTAXES:
        return MEDIA_SYNTAXES[media_type]
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    return SUFFIX_SYNTAXES.get(suffix) or sniff(data)


def parser_reason(error: Exception) -> str:
    """The parser's line and reason, in the words of the parser (they are technical, and the only precise ones)."""
    if isinstance(error, SAXParseException):
        return _("line %(line)s: %(reason)s") % {"line": error.getLineNumber(), "reason": error.getMessage()}
    if isinstance(error, json.JSONDecodeError):
        return _("line %(line)s: %(reason)s") % {"line": error.lineno, "reason": error.msg}
    lines, why = getattr(error, "lines", None), getattr(error, "_why", None)  # rdflib's Turtle BadSyntax
    if isinstance(lines, int) and why:
        return _("line %(line)s: %(reason)s") % {"line": lines + 1, "reason": why}
    return str(error)[:300] or type(error).__name__


def inline_contexts(document: Any, base: str) -> Any:
    """Return the JSON-LD document with each remote context (`"@context": "https://…"`, `@import`) replaced by
    the context it names, read through harvesters.network.

    rdflib would otherwise open those addresses itself, around the network guard. Raises SourceFailure past
    MAX_CONTEXTS or for a context that is not a JSON-LD context.
    """
    fetched: dict[str, Any] = {}

    def load(reference: str) -> Any:
        url = urljoin(base, reference)
        if url not in fetched:
            if len(fetched) >= MAX_CONTEXTS:
                raise SourceFailure(_("The catalogue at %(url)s names too many JSON-LD contexts.") % {"url": base})
            fetched[url] = None  # a context that names itself ends here
            response = network.get(url, accept="application/ld+json, application/json")
            try:
                remote = json.loads(response.content)
            except ValueError as error:
                reason = parser_reason(error)
                message = _("The JSON-LD context at %(url)s is not JSON: %(reason)s.")
                raise SourceFailure(message % {"url": url, "reason": reason}) from error
            if not isinstance(remote, dict) or "@context" not in remote:
                raise SourceFailure(_("The address %(url)s holds no JSON-LD context.") % {"url": url})
            fetched[url] = resolve_context(remote["@context"])
        return fetched[url] if fetched[url] is not None else {}

    def resolve_context(value: Any) -> Any:
        if isinstance(value, str):
            return load(value)
        if isinstance(value, list):
            return [resolve_context(item) for item in value]
        if isinstance(value, dict):
            return {
                key: load(item) if key == "@import" and isinstance(item, str) else walk(item)
                for key, item in value.items()
            }
        return value

    def walk(value: Any) -> Any:
        if isinstance(value, list):
            return [walk(item) for item in value]
        if isinstance(value, dict):
            return {key: resolve_context(item) if key == "@context" else walk(item) for key, item in value.items()}
        return value

    return walk(document)


def parse(data: bytes, syntax: str, url: str) -> Graph:
    """Return the graph of a document; SourceFailure naming the syntax tried and the parser's reason."""
    graph = Graph()
    try:
        if syntax == "xml":
            try:
                safety.check_xml(data)  # no DTD, no entity, no external reference reaches rdflib's SAX parser
            except SourceFailure as refused:
                message = _("The catalogue at %(url)s is not read: %(reason)s.")
                raise SourceFailure(message % {"url": url, "reason": refused}) from refused
            graph.parse(data=data, format="xml", publicID=url)
        elif syntax == "json-ld":
            document = inline_contexts(json.loads(data), url)
            graph.parse(data=json.dumps(document), format="json-ld", publicID=url)
        else:
            graph.parse(data=data, format="turtle", publicID=url)
    except SourceFailure:
        raise
    except Exception as error:  # rdflib's parsers raise what their input provokes (SyntaxError, KeyError…)
        message = _("The catalogue at %(url)s could not be read as %(syntax)s: %(reason)s.")
        reason = parser_reason(error)
        raise SourceFailure(message % {"url": url, "syntax": SYNTAX_NAMES[syntax], "reason": reason}) from error
    return graph


def read(url: str) -> tuple[Graph, str]:
    """Return the graph of the document at `url` and its final address (after redirects)."""
    response = network.get(url, accept=ACCEPT)
    content_type = response.headers.get("Content-Type", "")
    if content_type.split(";")[0].strip().lower() == "text/html" or looks_like_html(response.content):
        raise SourceFailure(_("The address %(url)s answers with a web page, not a DCAT catalogue.") % {"url": url})
    syntax = choose_syntax(content_type, response.url, response.content)
    return parse(response.content, syntax, response.url), response.url


def next_page(graph: Graph, page_url: str) -> str:
    """Return the address of the page after `page_url` (Hydra), or "" on the last page.

    Old Hydra (ckanext-dcat) gives it as a literal; a catalogue naming several views prefers the page's own.
    """
    links = []
    for predicate in (HYDRA.next, HYDRA.nextPage):
        for view, target in graph.subject_objects(predicate):
            if isinstance(target, URIRef | Literal) and str(target).strip():
                own = isinstance(view, URIRef) and page_key(str(view)) == page_key(page_url)
                links.append((not own, urljoin(page_url, str(target).strip())))
    return min(links)[1] if links else ""


def dataset_nodes(graph: Graph) -> list[Node]:
    """Every dataset the graph describes: typed dcat:Dataset or listed by dcat:dataset (not a nested catalogue)."""
    nodes = set(graph.subjects(RDF.type, DCAT.Dataset))
    nodes.update(node for node in graph.objects(None, DCAT.dataset) if isinstance(node, URIRef | BNode))
    nodes.difference_update(graph.subjects(RDF.type, DCAT.Catalog))
    return sorted(nodes, key=lambda node: (isinstance(node, BNode), str(node)))


# Values ------------------------------------------------------------------------------------------------


def site_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def language_of(literal: Literal) -> str:
    return (literal.language or "").split("-")[0].lower()


def texts(graph: Graph, node: Node, predicate: URIRef) -> dict[str, str]:
    """Return `{language: text}` of the literals: the site's languages, "" for untagged ones.

    A text in another language stands in for the untagged one when there is none, rather than being lost.
    Of two texts in one language, the first in sorted order is kept, so a graph reads the same every time.
    """
    known = site_languages()
    found: dict[str, str] = {}
    others = []
    literals = [value for value in graph.objects(node, predicate) if isinstance(value, Literal)]
    for literal in sorted(literals, key=lambda literal: (literal.language or "", str(literal))):
        text, language = str(literal).strip(), language_of(literal)
        if not text:
            continue
        if language in known or not language:
            found.setdefault(language, text)
        else:
            others.append(text)
    if others and "" not in found:
        found[""] = others[0]
    return found


def one_text(graph: Graph, node: Node, predicates: Iterable[URIRef]) -> str:
    """The text of the first of `predicates` that has one, in the site's language if it can."""
    for predicate in predicates:
        if found := texts(graph, node, predicate):
            for language in [settings.LANGUAGE_CODE, *site_languages(), ""]:
                if language in found:
                    return found[language]
    return ""


def first_literal(graph: Graph, node: Node, predicates: Iterable[URIRef]) -> str:
    for predicate in predicates:
        values = sorted(str(value).strip() for value in graph.objects(node, predicate) if isinstance(value, Literal))
        if values := [value for value in values if value]:
            return values[0]
    return ""


def first_address(graph: Graph, node: Node, predicate: URIRef) -> str:
    """The first address the node gives (as a URI or, tolerated, as a literal), "" when none."""
    values = sorted(str(value).strip() for value in graph.objects(node, predicate) if not isinstance(value, BNode))
    return next((value for value in values if urlsplit(value).scheme in ADDRESS_SCHEMES), "")


def parse_date(text: str, end: bool = False) -> str | None:
    """Return the ISO date of an xsd:date, xsd:dateTime, xsd:gYear or xsd:gYearMonth, None when it is none.

    A year or a month stands for its first day, or its last one when `end`.
    """
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}", text):
            return f"{text}-12-31" if end else f"{text}-01-01"
        if match := re.fullmatch(r"(\d{4})-(\d{2})", text):
            first = datetime.date(int(match[1]), int(match[2]), 1)
            if end:
                following = (first + datetime.timedelta(days=32)).replace(day=1)
                return (following - datetime.timedelta(days=1)).isoformat()
            return first.isoformat()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?", text):
            return datetime.date.fromisoformat(text[:10]).isoformat()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?", text):
            return datetime.datetime.fromisoformat(text).date().isoformat()
    except ValueError:
        return None
    return None


def parse_timestamp(text: str) -> str | None:
    """Return an xsd:dateTime or xsd:date as ISO text (the change marker), None when it is neither."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?", text):
        try:
            return datetime.datetime.fromisoformat(text).isoformat()
        except ValueError:
            return None
    return parse_date(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None


def email_of(value: str) -> str:
    """The address of a `mailto:` URI (or of a bare address), without its `?subject=…`."""
    if value.lower().startswith("mailto:"):
        value = value[len("mailto:") :]
    return unquote(value.split("?")[0]).strip()


def tail(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


def format_from_text(text: str) -> tuple[str, str]:
    """Return (format, media type) of a format written as text: "CSV", ".csv", "text/csv"."""
    text = text.strip()
    if "/" in text:
        media_type = text.split(";")[0].strip().lower()
        return MEDIA_FORMATS.get(media_type, ""), media_type
    return text.lstrip(".").upper(), ""


def format_from_node(graph: Graph, value: Node) -> tuple[str, str]:
    """Return (format, media type) of a dct:format or dcat:mediaType value, ("", "") when it names none."""
    if isinstance(value, Literal):
        return format_from_text(str(value))
    if isinstance(value, BNode):  # a dct:MediaTypeOrExtent described in place
        return format_from_text(one_text(graph, value, (RDFS.label, RDF.value, DCTERMS.title, SKOS.prefLabel)))
    uri = str(value)
    if uri.startswith(FILE_TYPE_PREFIXES):
        code = tail(uri).upper()
        return FILE_TYPE_FORMATS.get(code, code), ""
    if match := MEDIA_TYPE_URI.match(uri):
        media_type = match[1].lower()
        return MEDIA_FORMATS.get(media_type, ""), media_type
    return format_from_text(one_text(graph, value, (RDFS.label, SKOS.prefLabel, DCTERMS.title)))


# Records -----------------------------------------------------------------------------------------------


def display_name(graph: Graph, node: Node) -> str:
    """How messages name a dataset: its title, else its URI or identifier."""
    return one_text(graph, node, (DCTERMS.title,)) or first_literal(graph, node, (DCTERMS.identifier,)) or str(node)


def remote_id_of(graph: Graph, node: Node) -> str:
    """Return the dataset's identity in the source: its URI, else its dct:identifier, else a hash (module doc)."""
    if isinstance(node, URIRef):
        uri = str(node)
        return uri if len(uri) <= MAX_REMOTE_ID else f"sha256:{hashlib.sha256(uri.encode()).hexdigest()}"
    if (identifier := first_literal(graph, node, (DCTERMS.identifier,))) and len(identifier) <= MAX_REMOTE_ID:
        return identifier
    titles = sorted(f"{language}:{text}" for language, text in texts(graph, node, DCTERMS.title).items())
    landing_page = first_address(graph, node, DCAT.landingPage)
    key = json.dumps([titles, landing_page], ensure_ascii=False)
    return f"sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def name_of(graph: Graph, node: Node, remote_id: str) -> str:
    """The remote's name for the dataset: its URI's fragment or last path segment, else its dct:identifier."""
    if isinstance(node, URIRef) and is_web_address(str(node)):
        parts = urlsplit(str(node))
        if segment := parts.fragment or tail(parts.path):
            return unquote(segment)
    return first_literal(graph, node, (DCTERMS.identifier,)) or remote_id


def term_name(predicate: URIRef) -> str:
    """A property as DCAT-AP's documents write it (dct:modified), for messages."""
    for prefix, namespace in (("dcat", DCAT), ("dct", DCTERMS), ("schema", SCHEMAS[0]), ("schema", SCHEMAS[1])):
        if predicate.startswith(str(namespace)):
            return f"{prefix}:{predicate[len(str(namespace)) :]}"
    return str(predicate)


def dated(graph: Graph, node: Node, predicates: Iterable[URIRef], name: str, problems: list[str], end=False) -> str:
    """The ISO date the first of `predicates` gives; a value that is not a date is reported in `problems`."""
    for predicate in predicates:
        for value in sorted(str(value) for value in graph.objects(node, predicate) if isinstance(value, Literal)):
            if (date := parse_date(value, end=end)) is not None:
                return date
            message = _("The date “%(value)s” (%(property)s) of dataset “%(dataset)s” is not a date: left out.")
            problems.append(message % {"value": value, "property": term_name(predicate), "dataset": name})
    return ""


def themes_of(graph: Graph, node: Node) -> list[str]:
    """EU data-theme codes (ECON, GOVE…), also of a national theme matched to one; themes given as text."""
    themes = set()
    for theme in graph.objects(node, DCAT.theme):
        if isinstance(theme, Literal):
            if text := str(theme).strip():
                themes.add(text)
            continue
        candidates = [theme]
        for predicate in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch):
            candidates.extend(graph.objects(theme, predicate))
        if code := next((tail(str(uri)).upper() for uri in candidates if str(uri).startswith(THEME_PREFIXES)), ""):
            themes.add(code)
    return sorted(themes)


def licence_of(graph: Graph, nodes: Iterable[Node]) -> str:
    """The first licence of the dataset, else of one of its distributions: a URI, else a title or identifier."""
    for node in nodes:
        for licence in sorted(
            graph.objects(node, DCTERMS.license), key=lambda value: (isinstance(value, BNode), str(value))
        ):
            if isinstance(licence, URIRef | Literal) and str(licence).strip():
                return str(licence).strip()
            predicates = (DCTERMS.identifier, DCTERMS.title, RDFS.label, SKOS.prefLabel)
            if text := first_literal(graph, licence, predicates[:1]) or one_text(graph, licence, predicates[1:]):
                return text
    return ""


def frequency_of(graph: Graph, node: Node) -> str:
    """A Dataset.Frequency value for the EU and Dublin Core frequencies it knows, else the frequency's URI."""
    for value in sorted(str(value).strip() for value in graph.objects(node, DCTERMS.accrualPeriodicity)):
        if value.startswith(FREQUENCY_PREFIXES + (CLD_FREQUENCY,)) or value in FREQUENCIES:
            return FREQUENCIES.get(tail(value), value)
        if value:
            return value
    return ""


def temporal_of(graph: Graph, node: Node, name: str, problems: list[str]) -> tuple[str, str]:
    """The start and end of dct:temporal (dcat:startDate/endDate, or schema:startDate/endDate as DCAT-AP 1.1)."""
    starts = [DCAT.startDate, *(schema.startDate for schema in SCHEMAS)]
    ends = [DCAT.endDate, *(schema.endDate for schema in SCHEMAS)]
    for period in sorted(graph.objects(node, DCTERMS.temporal), key=str):
        start = dated(graph, period, starts, name, problems)
        end = dated(graph, period, ends, name, problems, end=True)
        if start or end:
            return start, end
    return "", ""


def spatial_of(graph: Graph, node: Node) -> str:
    """The name of the dataset's place: a text, or the label of a dct:Location (a URI alone names nothing here)."""
    predicates = (SKOS.prefLabel, RDFS.label, DCTERMS.title, LOCN.geographicName, SKOS.altLabel)
    for place in sorted(
        graph.objects(node, DCTERMS.spatial), key=lambda value: (not isinstance(value, Literal), str(value))
    ):
        text = str(place).strip() if isinstance(place, Literal) else one_text(graph, place, predicates)
        if text:
            return text
    return ""


def contact_email_of(graph: Graph, node: Node, name: str, problems: list[str]) -> str:
    """The first valid email of the dataset's contact points; a bad one is reported in `problems`."""
    for contact in sorted(graph.objects(node, DCAT.contactPoint), key=str):
        for value in sorted(graph.objects(contact, VCARD.hasEmail), key=str):
            text = first_literal(graph, value, (VCARD.value,)) if isinstance(value, BNode) else str(value)
            email = email_of(text)
            try:
                validate_email(email)
            except ValidationError:
                message = _("The contact email “%(value)s” of dataset “%(dataset)s” is not an email address: left out.")
                problems.append(message % {"value": text, "dataset": name})
                continue
            return email
    return ""


def resources_of(graph: Graph, node: Node, name: str, problems: list[str]) -> list[ResourceRecord]:
    """The dataset's distributions, as links: the download address, else the access address."""
    resources = []
    for distribution in graph.objects(node, DCAT.distribution):
        url = first_address(graph, distribution, DCAT.downloadURL) or first_address(graph, distribution, DCAT.accessURL)
        if not url:
            message = _(
                "A distribution of dataset “%(dataset)s” has no address (dcat:downloadURL, dcat:accessURL): left out."
            )
            problems.append(message % {"dataset": name})
            continue
        format, media_type = "", ""
        for predicate in (DCAT.mediaType, DCTERMS.format):
            for value in sorted(graph.objects(distribution, predicate), key=str):
                found_format, found_media_type = format_from_node(graph, value)
                format, media_type = format or found_format, media_type or found_media_type
        if not format:
            suffix = PurePosixPath(urlsplit(url).path).suffix.lstrip(".").upper()
            format = suffix if suffix in KNOWN_FORMATS else ""
        resources.append(
            ResourceRecord(
                url=url,
                name=texts(graph, distribution, DCTERMS.title),
                description=texts(graph, distribution, DCTERMS.description),
                format=format,
                media_type=media_type,
            )
        )
    return sorted(resources, key=lambda resource: (resource.url, json.dumps(asdict(resource), sort_keys=True)))


def dataset_to_record(graph: Graph, node: Node) -> DatasetRecord:
    """Return the DCAT-AP description of `node` in the portal's terms.

    A value that is malformed (a date that is not one, a bad email) is left out and said in `record.problems`;
    the rest of the dataset is still read. The record reads the same for the same description, whatever the
    order of the triples, so that its hash does not change between runs.
    """
    problems: list[str] = []
    name = display_name(graph, node)
    distributions = sorted(graph.objects(node, DCAT.distribution), key=str)
    dated(graph, node, (DCTERMS.modified,), name, problems)  # reported; the change marker is Gathered.modified
    start, end = temporal_of(graph, node, name, problems)
    return DatasetRecord(
        name=name_of(graph, node, remote_id_of(graph, node)),
        title=texts(graph, node, DCTERMS.title),
        notes=texts(graph, node, DCTERMS.description),
        licence=licence_of(graph, [node, *distributions]),
        tags=sorted({str(keyword).strip() for keyword in graph.objects(node, DCAT.keyword) if str(keyword).strip()}),
        themes=themes_of(graph, node),
        frequency=frequency_of(graph, node),
        temporal_start=start,
        temporal_end=end,
        spatial=spatial_of(graph, node),
        version=first_literal(graph, node, (OWL.versionInfo, DCAT_VERSION, ADMS.version)),
        contact_email=contact_email_of(graph, node, name, problems),
        resources=resources_of(graph, node, name, problems),
        problems=problems,
    )


def record_from_content(content: dict[str, Any]) -> DatasetRecord:
    """The DatasetRecord a gathered (or fetched) dict was made from."""
    fields = copy.deepcopy(content)  # the import adds to its problems: the gathered content stays as hashed
    fields["resources"] = [ResourceRecord(**resource) for resource in content.get("resources", [])]
    return DatasetRecord(**fields)


def gathered_of(graph: Graph, node: Node) -> Gathered:
    remote_id = remote_id_of(graph, node)
    uri = str(node) if isinstance(node, URIRef) else ""
    modified = next(
        (
            marker
            for value in sorted(str(value) for value in graph.objects(node, DCTERMS.modified))
            if (marker := parse_timestamp(value))
        ),
        "",
    )
    landing_page = next(
        (page for page in [first_address(graph, node, DCAT.landingPage), uri] if page and is_web_address(page)), ""
    )
    # A dataset the catalogue only names is read from its own URI by `fetch`.
    described = (node, DCTERMS.title, None) in graph or not is_web_address(uri)
    return Gathered(
        remote_id=remote_id,
        guid=uri or remote_id,
        remote_url=landing_page,
        modified=modified,
        content=asdict(dataset_to_record(graph, node)) if described else None,
    )


# The kind ----------------------------------------------------------------------------------------------


@register
class DcatKind(SourceKind):
    name = "dcat"
    label = gettext_lazy("DCAT catalogue (RDF/XML, Turtle, JSON-LD)")
    targets = ("datasets",)

    def check(self, source) -> None:
        if not source.url:
            raise ValidationError({"url": _("A DCAT catalogue is read from its address.")})
        max_pages = source.options.get("max_pages", MAX_PAGES)
        if not isinstance(max_pages, int) or isinstance(max_pages, bool) or max_pages < 1:
            raise ValidationError({"options": _("“max_pages” must be a whole number from 1.")})

    def gather(self, source, since: str) -> Iterator[Gathered]:
        """Every dataset of every page, each once; `since` is not used (module doc)."""
        max_pages = source.options.get("max_pages", MAX_PAGES)
        read_pages: set[str] = set()
        seen: set[str] = set()
        url = source.url
        while url:
            if len(read_pages) >= max_pages:
                message = _("The catalogue at %(url)s has more than %(count)s pages: nothing was harvested.")
                raise SourceFailure(message % {"url": source.url, "count": max_pages})
            graph, final_url = read(url)
            read_pages.update({page_key(url), page_key(final_url)})
            for node in dataset_nodes(graph):
                gathered = gathered_of(graph, node)
                if gathered.remote_id not in seen:
                    seen.add(gathered.remote_id)
                    yield gathered
            url = next_page(graph, final_url)
            if page_key(url) in read_pages:
                url = ""
        if not seen:
            raise SourceFailure(_("The catalogue at %(url)s describes no dataset.") % {"url": source.url})

    def fetch(self, source, gathered: Gathered) -> dict[str, Any]:
        """Read a dataset the catalogue only named from its own URI (a network failure stops the job)."""
        try:
            graph, final_url = read(gathered.guid)
        except NetworkFailure:
            raise
        except SourceFailure as error:
            raise ObjectFailure(str(error)) from error
        node = next((node for node in dataset_nodes(graph) if str(node) in (gathered.guid, final_url)), None)
        if node is None or (node, DCTERMS.title, None) not in graph:
            raise ObjectFailure(_("The address %(url)s does not describe the dataset.") % {"url": gathered.guid})
        return asdict(dataset_to_record(graph, node))

    def import_object(self, source, obj, content) -> Imported:
        """Write the record through opendata.importing; what it left out (and what gather did) is reported."""
        if not isinstance(content, dict):
            raise ObjectFailure(_("The dataset %(id)s was not read as a description.") % {"id": obj.remote_id})
        return import_record(source, obj, record_from_content(content))

    def withdraw(self, source, obj) -> None:
        withdraw_record(obj)
