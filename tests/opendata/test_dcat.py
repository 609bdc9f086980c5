"""The DCAT-AP 3 catalogue (/catalog.ttl|.jsonld|.rdf, paged with Hydra) and each dataset's description."""

import datetime

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib import namespace as vocabularies

from opendata import dcat
from opendata.dcat import DCATAP, HYDRA, SKOS, SPDX, VCARD
from opendata.models import Dataset, Licence
from tests.opendata.factories import DatasetFactory, ResourceFactory, add_file, loaded_resource
from tests.ratelimits import rate_limits

# Plain namespaces: pytest's collection probes module attributes, which rdflib's closed ones warn about.
DCAT, DCTERMS, FOAF, RDF, XSD = (
    Namespace(str(vocabulary))
    for vocabulary in (vocabularies.DCAT, vocabularies.DCTERMS, vocabularies.FOAF, vocabularies.RDF, vocabularies.XSD)
)
SITE = "http://testserver"
EU = "http://publications.europa.eu/resource/authority/"
PARSERS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}
CONTENT_TYPES = {"ttl": "text/turtle", "jsonld": "application/ld+json", "rdf": "application/rdf+xml"}


def parse(response, format: str) -> Graph:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].split(";")[0] == CONTENT_TYPES[format]
    graph = Graph()
    graph.parse(data=response.content, format=PARSERS[format], publicID=SITE)
    return graph


def dataset_uri(name: str) -> URIRef:
    return URIRef(f"{SITE}/catalog/datasets/{name}")


def page_uri(number: int, format: str = "ttl") -> URIRef:
    return URIRef(f"{SITE}/catalog.{format}?page={number}")


@pytest.fixture
def budget(commune):
    commune.email = "data@commune.example"
    commune.save()
    dataset = DatasetFactory(
        name="budget-2025",
        body=commune,
        title_ar="ميزانية البلدية 2025",
        title_fr="Budget de la commune 2025",
        title_en="",
        notes_ar="الميزانية المفصلة",
        notes_fr="Le budget détaillé",
        themes=["economy", "government"],
        tags=["budget", "ميزانية"],
        frequency=Dataset.Frequency.ANNUAL,
        temporal_start=datetime.date(2025, 1, 1),
        temporal_end=datetime.date(2025, 12, 31),
    )
    upload = loaded_resource(
        [{"poste": "Voirie", "montant": "1200.50"}, {"poste": "Eclairage", "montant": "300"}],
        [{"name": "poste", "type": "string"}, {"name": "montant", "type": "number"}],
        dataset=dataset,
    )
    link = ResourceFactory(dataset=dataset, url="https://data.example.org/budget.pdf", format="pdf", position=2)
    return {"dataset": dataset, "upload": upload, "link": link}


@pytest.mark.django_db
class DatasetDescriptionTestCase:
    @pytest.mark.parametrize("format", ["ttl", "jsonld", "rdf"])
    def test_it_describes_the_dataset_in_each_format(self, client, budget, format):
        graph = parse(client.get(f"/catalog/datasets/budget-2025.{format}"), format)
        node = dataset_uri("budget-2025")
        assert (node, RDF.type, DCAT.Dataset) in graph
        assert set(graph.objects(node, DCTERMS.title)) == {
            Literal("ميزانية البلدية 2025", lang="ar"),
            Literal("Budget de la commune 2025", lang="fr"),
        }
        assert set(graph.objects(node, DCTERMS.description)) == {
            Literal("الميزانية المفصلة", lang="ar"),
            Literal("Le budget détaillé", lang="fr"),
        }
        assert graph.value(node, DCTERMS.identifier) == Literal(str(budget["dataset"].uuid))

    def test_it_names_the_publisher_and_contact_point(self, client, budget, commune):
        graph = parse(client.get("/catalog/datasets/budget-2025.ttl"), "ttl")
        publisher = graph.value(dataset_uri("budget-2025"), DCTERMS.publisher)
        assert publisher == URIRef(f"{SITE}/ar/bodies/commune-test/")
        assert (publisher, RDF.type, FOAF.Agent) in graph
        assert Literal("بلدية الاختبار", lang="ar") in set(graph.objects(publisher, FOAF.name))
        assert Literal("Commune de Test", lang="fr") in set(graph.objects(publisher, FOAF.name))
        contact = graph.value(dataset_uri("budget-2025"), DCAT.contactPoint)
        assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:data@commune.example")

    def test_it_gives_the_body_phone_and_types_the_contact_point(self, client, budget, commune):
        commune.phone = "+213 (25) 41.00.00"
        commune.save()
        graph = parse(client.get("/catalog/datasets/budget-2025.ttl"), "ttl")
        contact = graph.value(dataset_uri("budget-2025"), DCAT.contactPoint)
        assert {VCARD.Kind, VCARD.Organization} <= set(graph.objects(contact, RDF.type))
        assert Literal("بلدية الاختبار", lang="ar") in set(graph.objects(contact, VCARD.fn))
        assert graph.value(contact, VCARD.hasTelephone) == URIRef("tel:+21325410000")

    @override_settings(PORTAL_CONTACT_EMAIL="opendata@portal.example", PORTAL_CONTACT_PHONE="021 00 00 00")
    def test_it_falls_back_on_the_portal_contact(self, client, department):
        DatasetFactory(name="no-contact", body=department)
        graph = parse(client.get("/catalog/datasets/no-contact.ttl"), "ttl")
        contact = graph.value(dataset_uri("no-contact"), DCAT.contactPoint)
        assert graph.value(contact, VCARD.fn) == Literal("Baladiya")
        assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:opendata@portal.example")
        assert graph.value(contact, VCARD.hasTelephone) == URIRef("tel:021000000")
        assert graph.value(contact, VCARD.hasURL) == URIRef(f"{SITE}/")

    def test_every_dataset_has_a_contact_point_even_without_a_portal_email(self, client, department):
        DatasetFactory(name="no-contact", body=department)
        graph = parse(client.get("/catalog/datasets/no-contact.ttl"), "ttl")
        contact = graph.value(dataset_uri("no-contact"), DCAT.contactPoint)
        assert graph.value(contact, VCARD.hasURL) == URIRef(f"{SITE}/")
        assert graph.value(contact, VCARD.hasEmail) is None

    def test_it_gives_the_languages_of_the_dataset(self, client, budget):
        graph = parse(client.get("/catalog/datasets/budget-2025.ttl"), "ttl")
        languages = set(graph.objects(dataset_uri("budget-2025"), DCTERMS.language))
        assert languages == {URIRef(f"{EU}language/ARA"), URIRef(f"{EU}language/FRA")}
        assert all((language, RDF.type, DCTERMS.LinguisticSystem) in graph for language in languages)

    def test_it_tags_keywords_with_their_language(self, client, commune):
        DatasetFactory(
            name="fr-en",
            body=commune,
            title_fr="La voirie",
            title_en="Roads and budget",
            notes_fr="Le budget de la voirie",
            tags=["voirie", "dépenses", "طرق", "roads", "budget", "DZD"],
        )
        DatasetFactory(
            name="en-only",
            body=commune,
            title_ar="",
            title_fr="",
            notes_ar="",
            notes_fr="",
            title_en="Roads",
            tags=["roads"],
        )
        graph = parse(client.get("/catalog.ttl"), "ttl")
        assert set(graph.objects(dataset_uri("fr-en"), DCAT.keyword)) == {
            Literal("voirie", lang="fr"),  # only the French text uses it
            Literal("dépenses", lang="fr"),  # a letter English doesn't write
            Literal("طرق", lang="ar"),
            Literal("roads", lang="en"),
            Literal("budget"),  # both texts use it
            Literal("DZD"),  # neither does
        }
        assert set(graph.objects(dataset_uri("en-only"), DCAT.keyword)) == {Literal("roads", lang="en")}

    def test_it_prefers_the_dataset_contact_email(self, client, budget):
        Dataset.objects.filter(pk=budget["dataset"].pk).update(contact_email="budget@commune.example")
        graph = parse(client.get("/catalog/datasets/budget-2025.ttl"), "ttl")
        contact = graph.value(dataset_uri("budget-2025"), DCAT.contactPoint)
        assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:budget@commune.example")

    def test_it_uses_the_eu_vocabularies(self, client, budget):
        graph = parse(client.get("/catalog/datasets/budget-2025.ttl"), "ttl")
        node = dataset_uri("budget-2025")
        assert set(graph.objects(node, DCAT.theme)) == {
            URIRef("http://publications.europa.eu/resource/authority/data-theme/ECON"),
            URIRef("http://publications.europa.eu/resource/authority/data-theme/GOVE"),
        }
        assert graph.value(node, DCTERMS.accrualPeriodicity) == URIRef(
            "http://publications.europa.eu/resource/authority/frequency/ANNUAL"
        )
        # DCAT-AP 3: keywords carry their language (Arabic letters → ar; Latin ones → the dataset's Latin language).
        assert set(graph.objects(node, DCAT.keyword)) == {Literal("budget", lang="fr"), Literal("ميزانية", lang="ar")}
        assert graph.value(node, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")

    def test_it_gives_a_local_uri_to_a_licence_without_a_text(self, client, budget):
        Dataset.objects.filter(pk=budget["dataset"].pk).update(licence=Licence.objects.get(slug="other-closed"))
        graph = parse(client.get("/catalog/datasets/budget-2025.ttl"), "ttl")
        licence = graph.value(dataset_uri("budget-2025"), DCTERMS.license)
        assert licence == URIRef(f"{SITE}/api/v1/licences/other-closed/")
        assert (licence, RDF.type, DCTERMS.LicenseDocument) in graph
        assert client.get(str(licence).removeprefix(SITE)).status_code == 200

    def test_it_types_dates_and_the_period_covered(self, client, budget):
        graph = parse(client.get("/catalog/datasets/budget-2025.ttl"), "ttl")
        node = dataset_uri("budget-2025")
        assert graph.value(node, DCTERMS.modified).datatype == XSD.dateTime
        assert graph.value(node, DCTERMS.issued).datatype == XSD.dateTime
        period = graph.value(node, DCTERMS.temporal)
        assert (period, RDF.type, DCTERMS.PeriodOfTime) in graph
        assert graph.value(period, DCAT.startDate) == Literal(datetime.date(2025, 1, 1), datatype=XSD.date)
        assert graph.value(period, DCAT.endDate) == Literal(datetime.date(2025, 12, 31), datatype=XSD.date)
        assert graph.value(node, DCTERMS.spatial) is not None

    def test_it_links_the_landing_page(self, client, budget):
        graph = parse(client.get("/catalog/datasets/budget-2025.ttl"), "ttl")
        landing = graph.value(dataset_uri("budget-2025"), DCAT.landingPage)
        assert landing == URIRef(f"{SITE}/ar/data/budget-2025/")
        assert (landing, RDF.type, FOAF.Document) in graph

    def test_every_distribution_says_what_dcat_ap_3_asks(self, client, budget):
        """Description, dates, availability, licence, access and download addresses, typed format and media type."""
        graph = parse(client.get("/catalog/datasets/budget-2025.ttl"), "ttl")
        distributions = set(graph.objects(dataset_uri("budget-2025"), DCAT.distribution))
        assert len(distributions) == 4  # the file, its rows as CSV and JSON, the link
        for node in distributions:
            assert graph.value(node, DCTERMS.description) is not None, node
            assert graph.value(node, DCTERMS.issued).datatype == XSD.dateTime
            assert graph.value(node, DCTERMS.modified).datatype == XSD.dateTime
            availability = graph.value(node, DCATAP.availability)
            assert availability == URIRef(f"{EU}planned-availability/STABLE")
            assert (availability, RDF.type, SKOS.Concept) in graph
            assert graph.value(node, DCAT.accessURL) is not None
            assert graph.value(node, DCAT.downloadURL) is not None
            assert (graph.value(node, DCTERMS["format"]), RDF.type, DCTERMS.MediaTypeOrExtent) in graph
            assert (graph.value(node, DCTERMS.license), RDF.type, DCTERMS.LicenseDocument) in graph
        rows = URIRef(f"{dataset_uri('budget-2025')}#resource-{budget['upload'].uuid}-rows-json")
        assert (graph.value(rows, DCAT.mediaType), RDF.type, DCTERMS.MediaType) in graph
        name = budget["upload"].name_fr  # English falls back on French (LANGUAGE_FALLBACKS)
        english = {str(text) for text in graph.objects(rows, DCTERMS.description) if text.language == "en"}
        assert english == {f"Every row of “{name}” as JSON, read from the portal's DataStore."}

    def test_it_describes_an_uploaded_file_as_a_distribution(self, client, budget):
        upload = budget["upload"]
        graph = parse(client.get("/catalog/datasets/budget-2025.ttl"), "ttl")
        node = URIRef(f"{dataset_uri('budget-2025')}#resource-{upload.uuid}")
        assert (dataset_uri("budget-2025"), DCAT.distribution, node) in graph
        assert graph.value(node, DCAT.downloadURL) == URIRef(f"{SITE}/download/{upload.uuid}/")
        assert graph.value(node, DCAT.accessURL) == URIRef(f"{SITE}/ar/data/budget-2025/resources/{upload.uuid}/")
        assert graph.value(node, DCTERMS["format"]) == URIRef(
            "http://publications.europa.eu/resource/authority/file-type/CSV"
        )
        assert graph.value(node, DCAT.mediaType) == URIRef("https://www.iana.org/assignments/media-types/text/csv")
        size = graph.value(node, DCAT.byteSize)
        assert size.datatype == XSD.nonNegativeInteger
        assert int(size) == upload.current_version.size
        checksum = graph.value(node, SPDX.checksum)
        assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(graph.value(checksum, SPDX.checksumValue)) == upload.current_version.sha256
        assert graph.value(node, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")

    def test_it_offers_datastore_rows_as_csv_and_json(self, client, budget):
        upload = budget["upload"]
        graph = parse(client.get("/catalog/datasets/budget-2025.ttl"), "ttl")
        downloads = {str(url) for url in graph.objects(None, DCAT.downloadURL)}
        assert f"{SITE}/download/{upload.uuid}/rows.csv" in downloads
        assert f"{SITE}/download/{upload.uuid}/rows.json" in downloads
        # And those addresses answer.
        assert client.get(f"/download/{upload.uuid}/rows.csv").status_code == 200

    def test_it_links_a_remote_resource_where_it_lives(self, client, budget):
        link = budget["link"]
        graph = parse(client.get("/catalog/datasets/budget-2025.ttl"), "ttl")
        node = URIRef(f"{dataset_uri('budget-2025')}#resource-{link.uuid}")
        assert graph.value(node, DCAT.downloadURL) == URIRef("https://data.example.org/budget.pdf")
        assert graph.value(node, DCAT.accessURL) == URIRef("https://data.example.org/budget.pdf")
        assert graph.value(node, DCAT.byteSize) is None

    def test_it_keeps_odd_characters_in_titles_literal(self, client, commune):
        title = "</script><script>alert(1)</script> \"quoted\" & 'more' <b>ü</b> ﷽"
        keyword = '<img src=x onerror="alert(1)">'
        dataset = DatasetFactory(
            name="odd", body=commune, title_ar="", title_fr=title, notes_fr="<![CDATA[ ]]> --> \\n ${x}", tags=[keyword]
        )
        link = ResourceFactory(dataset=dataset, name_ar="", name_fr=title, url="https://data.example.org/odd.csv")
        for format in ("ttl", "jsonld", "rdf"):
            graph = parse(client.get(f"/catalog/datasets/odd.{format}"), format)
            assert Literal(title, lang="fr") in set(graph.objects(dataset_uri("odd"), DCTERMS.title))
            assert Literal("<![CDATA[ ]]> --> \\n ${x}", lang="fr") in set(
                graph.objects(dataset_uri("odd"), DCTERMS.description)
            )
            assert Literal(keyword, lang="fr") in set(graph.objects(dataset_uri("odd"), DCAT.keyword))
            # The description made up for a resource without one keeps the names as they are, too.
            descriptions = set(graph.objects(URIRef(f"{dataset_uri('odd')}#resource-{link.uuid}"), DCTERMS.description))
            assert Literal(f"“{title}”, a resource of the dataset “{title}”.", lang="en") in descriptions
            assert Literal(f"« {title} », une ressource du jeu de données « {title} ».", lang="fr") in descriptions

    @pytest.mark.parametrize("status", [Dataset.Status.DRAFT, Dataset.Status.WITHDRAWN])
    def test_it_hides_unpublished_datasets(self, client, commune, status):
        DatasetFactory(name="hidden", body=commune, status=status)
        assert client.get("/catalog/datasets/hidden.ttl").status_code == 404
        assert client.get("/catalog/datasets/hidden").status_code == 404

    def test_it_refuses_an_unknown_format(self, client, budget):
        assert client.get("/catalog/datasets/budget-2025.html").status_code == 404

    def test_the_dataset_uri_redirects_to_the_format_asked_for(self, client, budget):
        response = client.get("/catalog/datasets/budget-2025", HTTP_ACCEPT="application/ld+json")
        assert response.status_code == 303
        assert response["Location"] == "/catalog/datasets/budget-2025.jsonld"
        assert client.get("/catalog/datasets/budget-2025")["Location"] == "/catalog/datasets/budget-2025.ttl"


@pytest.mark.django_db
class CatalogTestCase:
    @pytest.mark.parametrize("format", ["ttl", "jsonld", "rdf"])
    def test_it_lists_published_datasets_only(self, client, commune, format):
        DatasetFactory(name="public-one", body=commune)
        DatasetFactory(name="draft-one", body=commune, status=Dataset.Status.DRAFT)
        DatasetFactory(name="gone-one", body=commune, status=Dataset.Status.WITHDRAWN)
        graph = parse(client.get(f"/catalog.{format}"), format)
        catalog = URIRef(f"{SITE}/catalog")
        assert (catalog, RDF.type, DCAT.Catalog) in graph
        assert set(graph.objects(catalog, DCAT.dataset)) == {dataset_uri("public-one")}
        assert int(graph.value(catalog, HYDRA.totalItems)) == 1
        assert "draft-one" not in response_text(client.get(f"/catalog.{format}"))

    def test_it_describes_the_catalogue_in_each_language(self, client, commune, region):
        graph = parse(client.get("/catalog.ttl"), "ttl")
        catalog = URIRef(f"{SITE}/catalog")
        assert {literal.language for literal in graph.objects(catalog, DCTERMS.description)} == {"ar", "fr", "en"}
        assert "en" in {literal.language for literal in graph.objects(catalog, DCTERMS.title)}
        assert set(graph.objects(catalog, DCTERMS.language)) == {
            URIRef(f"{EU}language/{code}") for code in ("ARA", "FRA", "ENG")
        }
        assert (graph.value(catalog, FOAF.homepage), RDF.type, FOAF.Document) in graph
        assert graph.value(catalog, DCTERMS.publisher) == URIRef(f"{SITE}/ar/bodies/wilaya-test/")
        assert graph.value(catalog, DCAT.themeTaxonomy) == URIRef(
            "http://publications.europa.eu/resource/authority/data-theme"
        )

    def test_it_pages_with_hydra(self, client, commune, monkeypatch):
        monkeypatch.setattr(dcat, "PAGE_SIZE", 2)
        names = [DatasetFactory(body=commune).name for _index in range(5)]
        catalog = URIRef(f"{SITE}/catalog")

        first = parse(client.get("/catalog.ttl"), "ttl")
        view = first.value(catalog, HYDRA.view)
        assert view == page_uri(1)
        assert (view, RDF.type, HYDRA.PartialCollectionView) in first
        assert first.value(view, HYDRA.first) == page_uri(1)
        assert first.value(view, HYDRA.last) == page_uri(3)
        assert first.value(view, HYDRA.next) == page_uri(2)
        assert first.value(view, HYDRA.previous) is None
        assert int(first.value(catalog, HYDRA.totalItems)) == 5

        middle = parse(client.get("/catalog.ttl", {"page": 2}), "ttl")
        view = middle.value(catalog, HYDRA.view)
        assert middle.value(view, HYDRA.previous) == page_uri(1)
        assert middle.value(view, HYDRA.next) == page_uri(3)

        seen = []
        for number in (1, 2, 3):
            graph = parse(client.get("/catalog.ttl", {"page": number}), "ttl")
            seen += [str(uri).rpartition("/")[2] for uri in graph.objects(catalog, DCAT.dataset)]
        assert sorted(seen) == sorted(names)
        last = parse(client.get("/catalog.ttl", {"page": 3}), "ttl")
        assert last.value(last.value(catalog, HYDRA.view), HYDRA.next) is None

    def test_paging_links_keep_the_format(self, client, commune, monkeypatch):
        monkeypatch.setattr(dcat, "PAGE_SIZE", 1)
        DatasetFactory.create_batch(2, body=commune)
        graph = parse(client.get("/catalog.jsonld"), "jsonld")
        view = graph.value(URIRef(f"{SITE}/catalog"), HYDRA.view)
        assert graph.value(view, HYDRA.next) == page_uri(2, "jsonld")

    @pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "", "%00"])
    def test_it_refuses_a_malformed_page(self, client, commune, page):
        DatasetFactory(body=commune)
        assert client.get("/catalog.ttl", {"page": page}).status_code == 400

    def test_it_answers_404_past_the_last_page(self, client, commune):
        DatasetFactory(body=commune)
        assert client.get("/catalog.ttl", {"page": 2}).status_code == 404
        assert client.get("/catalog.ttl", {"page": 99999999999999999999}).status_code == 404

    def test_a_malformed_page_is_a_400(self, client, commune):
        assert client.get("/catalog.ttl", {"page": "abc"}).status_code == 400

    def test_an_empty_catalogue_has_one_empty_page(self, client, db):
        graph = parse(client.get("/catalog.ttl"), "ttl")
        assert int(graph.value(URIRef(f"{SITE}/catalog"), HYDRA.totalItems)) == 0

    def test_its_query_count_does_not_grow_with_the_datasets(self, client, commune, no_page_cache):
        def queries() -> int:
            with CaptureQueriesContext(connection) as context:
                assert client.get("/catalog.ttl").status_code == 200
            return len(context)

        def add_dataset():
            dataset = DatasetFactory(body=commune, themes=["economy"], tags=["a", "b"])
            resource = ResourceFactory(dataset=dataset)
            add_file(resource, b"a,b\n1,2\n")

        add_dataset()
        few = queries()
        for _index in range(6):
            add_dataset()
        assert queries() == few

    def test_the_catalog_uri_redirects_to_the_format_asked_for(self, client, db):
        response = client.get("/catalog", HTTP_ACCEPT="application/rdf+xml")
        assert response.status_code == 303
        assert response["Location"] == "/catalog.rdf"

    def test_it_refuses_an_unknown_format(self, client, db):
        assert client.get("/catalog.html").status_code == 404


@pytest.mark.django_db
class CatalogRateLimitTestCase:
    @rate_limits(api="2/h")
    def test_it_limits_requests_per_address(self, client, commune, no_page_cache):
        DatasetFactory(name="limited", body=commune)
        assert client.get("/catalog.ttl").status_code == 200
        assert client.get("/catalog/datasets/limited.ttl").status_code == 200
        response = client.get("/catalog.ttl")
        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0
        # Another address still gets its answer.
        assert client.get("/catalog.ttl", REMOTE_ADDR="10.0.0.2").status_code == 200

    def test_it_refuses_writes(self, client, db):
        assert client.post("/catalog.ttl").status_code == 405


def response_text(response) -> str:
    return response.content.decode()
