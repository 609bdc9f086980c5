"""The whole catalogue validates against the official DCAT-AP 3 SHACL shapes (tests/opendata/shapes/)."""

import time
from pathlib import Path

import pyshacl
import pytest
from django.test import override_settings
from rdflib import Graph, Namespace, URIRef

from opendata.models import Dataset, Licence
from tests.factories import PublicBodyFactory
from tests.opendata.factories import DatasetFactory, ResourceFactory, add_file, loaded_resource

# DCAT-AP 3.0.1's shapes, its range shapes and the recommended properties (warnings); see the README there.
SHAPES = Path(__file__).parent / "shapes" / "dcat-ap-3.0.1"
SH = Namespace("http://www.w3.org/ns/shacl#")
SITE = "http://testserver"
PARSERS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}


@pytest.fixture(scope="module")
def shapes() -> Graph:
    graph = Graph()
    for name in ("dcat-ap-SHACL.ttl", "range.ttl", "shapes_recommended.ttl"):
        graph.parse(SHAPES / name, format="turtle")
    return graph


def validate(data: Graph, shapes: Graph) -> Graph:
    """Return pySHACL's report on `data`. No inference: harvesters read what we write, not what follows from it."""
    started = time.perf_counter()
    _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    print(f"DCAT-AP 3 validation of {len(data)} triples: {time.perf_counter() - started:.3f} s")
    return report


def results(report: Graph, severity: URIRef) -> list[str]:
    """One line per result of `severity`: the focus node, the path and the message."""
    lines = []
    for result in report.subjects(SH.resultSeverity, severity):
        focus, path = report.value(result, SH.focusNode), report.value(result, SH.resultPath)
        lines.append(f"{focus} {path}: {report.value(result, SH.resultMessage)}")
    return sorted(lines)


@pytest.fixture
def catalogue(region, commune, department):
    """Demo-like content: bodies with and without contacts, Arabic and French keywords, several formats."""
    region.email, region.phone, region.website = "contact@wilaya.example", "+213 25 41 00 00", "https://wilaya.example"
    region.save()
    commune.email = "data@commune.example"
    commune.save()
    elsewhere = PublicBodyFactory(name_ar="بلدية الساحل", name_fr="Commune du Littoral", name_en="")

    budget = DatasetFactory(
        name="budget-2025",
        body=commune,
        themes=["economy", "government"],
        tags=["budget", "ميزانية", "dépenses"],
        temporal_start="2025-01-01",
        temporal_end="2025-12-31",
        version="1.0",
    )
    loaded_resource([{"poste": "Voirie", "montant": "1200.50"}], dataset=budget, description_fr="Lignes du budget")
    ResourceFactory(dataset=budget, url="https://data.example.org/budget.pdf", format="PDF", position=2)

    works = DatasetFactory(
        name="travaux", body=department, tags=["أشغال", "voirie"], licence=Licence.objects.get(slug="other-closed")
    )
    add_file(ResourceFactory(dataset=works, format="XLSX"), b"PK\x03\x04", filename="travaux.xlsx")
    ResourceFactory(dataset=works, url="https://data.example.org/travaux.geojson", format="GEOJSON")
    ResourceFactory(dataset=works, url="https://data.example.org/travaux", format="")

    DatasetFactory(name="marches", body=region, title_ar="", notes_ar="", title_en="Markets", contact_email="")
    DatasetFactory(name="plages", body=elsewhere, tags=["شواطئ"], spatial="Plage centrale")
    DatasetFactory(name="brouillon", body=commune, status=Dataset.Status.DRAFT)
    DatasetFactory(name="retire", body=commune, status=Dataset.Status.WITHDRAWN)


@pytest.mark.django_db
class DcatApShapesTestCase:
    @pytest.mark.parametrize("format", ["ttl", "jsonld", "rdf"])
    @override_settings(PORTAL_CONTACT_EMAIL="opendata@portal.example", PORTAL_CONTACT_PHONE="+213 21 00 00 00")
    def test_the_catalogue_has_no_violation(self, client, catalogue, shapes, format):
        response = client.get(f"/catalog.{format}")
        assert response.status_code == 200
        text = response.content.decode()
        assert "brouillon" not in text and "retire" not in text
        data = Graph().parse(data=response.content, format=PARSERS[format], publicID=SITE)
        report = validate(data, shapes)
        for line in results(report, SH.Warning) + results(report, SH.Info):
            print("warning:", line)
        assert results(report, SH.Violation) == []

    def test_a_dataset_without_any_contact_has_no_violation(self, client, department, shapes):
        """Without PORTAL_CONTACT_EMAIL, the portal's card still names it and links its home page."""
        DatasetFactory(name="seul", body=department, tags=[])
        response = client.get("/catalog/datasets/seul.ttl")
        data = Graph().parse(data=response.content, format="turtle", publicID=SITE)
        assert results(validate(data, shapes), SH.Violation) == []
