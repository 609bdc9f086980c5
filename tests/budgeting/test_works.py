"""The works of funded projects in public: the page (map with the districts, list, filters), its GeoJSON, the feed of
milestones newest first, a milestone's photo, and a cycle's projects as GeoJSON."""

import io
from datetime import date

import pytest
from defusedxml import ElementTree
from django.urls import reverse
from django.utils import translation
from PIL import Image

from participation.budgeting import services
from participation.budgeting.models import Cycle, Phase, Project, ProjectStatus, Stage

from .conftest import INSIDE_NORTH, INSIDE_SOUTH, project

pytestmark = pytest.mark.usefixtures("no_page_cache")

ATOM = "{http://www.w3.org/2005/Atom}"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def fund(item: Project, point=None) -> Project:
    fields: dict = {"status": ProjectStatus.SELECTED}
    if point:
        fields.update(longitude=point[0], latitude=point[1])
    Project.objects.filter(pk=item.pk).update(**fields)
    item.refresh_from_db()
    return item


def step(item, by, stage, progress, note, on, photo=False):
    update = services.Progress(
        stage=stage,
        progress=progress,
        note=note,
        language="fr",
        on=on,
        photo=services.Upload("chantier.png", png()) if photo else None,
    )
    return services.record_progress(item, by, update)


@pytest.fixture
def built(voting, projects, manager):
    """The cycle counted: north's first project funded with two milestones (one with a photo), the city's first
    funded with none, the rest not funded."""
    Cycle.objects.filter(pk=voting.pk).update(phase=Phase.IMPLEMENTATION)
    Project.objects.filter(cycle=voting).update(status=ProjectStatus.NOT_SELECTED)
    square = fund(projects["nord"][0], INSIDE_NORTH)
    hall = fund(projects["ville"][0], INSIDE_SOUTH)
    step(square, manager, Stage.DESIGN, 10, "Études terminées.", date(2026, 9, 1))
    latest = step(square, manager, Stage.WORKS, 60, "Pose des bancs et des jeux.", date(2026, 11, 2), photo=True)
    return {"square": square, "hall": hall, "latest": latest}


class WorksPageTestCase:
    def test_it_shows_funded_projects_with_stage_progress_latest_milestone_and_photo(self, client, built):
        response = client.get(reverse("budgeting:works"))
        assert response.status_code == 200
        text = response.content.decode()
        assert built["square"].title in text and built["hall"].title in text
        assert "مشروع nord 1" not in text  # not funded
        assert 'value="60"' in text and "Pose des bancs" in text
        assert reverse("budgeting:milestone_photo", args=[built["latest"].pk]) in text
        assert 'id="districts-geojson"' in text and 'id="projects-geojson"' in text
        assert '"kind": "district"' in text  # the districts' boundaries

    def test_filters_by_body_cycle_and_stage(self, client, built, other_body):
        url = reverse("budgeting:works")
        text = client.get(url, {"stage": "works"}).content.decode()
        assert built["square"].title in text and built["hall"].title not in text
        assert built["hall"].title in client.get(url, {"cycle": "blida-2027", "stage": ""}).content.decode()
        assert built["square"].title in client.get(url, {"body": "commune-blida-pb"}).content.decode()
        assert client.get(url, {"stage": "nonsense"}).status_code == 200

    def test_the_geojson_has_the_placed_funded_projects(self, client, built):
        response = client.get(reverse("budgeting:works_geojson"))
        assert response["Content-Type"] == "application/geo+json"
        features = response.json()["features"]
        assert [feature["properties"]["id"] for feature in features] == [built["square"].pk, built["hall"].pk]
        square = features[0]
        assert square["geometry"] == {"type": "Point", "coordinates": list(INSIDE_NORTH)}
        assert (square["properties"]["stage"], square["properties"]["progress"]) == ("works", 60)
        only = client.get(reverse("budgeting:works_geojson"), {"stage": "not_started"}).json()["features"]
        assert [feature["properties"]["id"] for feature in only] == [built["hall"].pk]

    def test_a_photo_is_served_while_its_project_is_funded(self, client, built):
        url = reverse("budgeting:milestone_photo", args=[built["latest"].pk])
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
        first = built["square"].milestones.order_by("date").first()
        assert client.get(reverse("budgeting:milestone_photo", args=[first.pk])).status_code == 404  # no photo
        Project.objects.filter(pk=built["square"].pk).update(status=ProjectStatus.NOT_SELECTED)
        assert client.get(url).status_code == 404


class WorksFeedTestCase:
    def test_the_feed_lists_milestones_newest_first(self, client, built):
        response = client.get(reverse("budgeting:works_feed"))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/atom+xml")
        feed = ElementTree.fromstring(response.content)
        titles = [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]
        assert len(titles) == 2
        assert "60%" in titles[0] and "10%" in titles[1]
        assert "manager" not in response.content.decode() and "budget@example.org" not in response.content.decode()

    def test_milestones_of_projects_no_longer_funded_leave_the_feed(self, client, built):
        Project.objects.filter(pk=built["square"].pk).update(status=ProjectStatus.NOT_SELECTED)
        feed = ElementTree.fromstring(client.get(reverse("budgeting:works_feed")).content)
        assert list(feed.iter(f"{ATOM}entry")) == []


class ProjectsGeojsonTestCase:
    def test_a_cycles_public_placed_projects(self, client, cycle, budgets):
        placed = project(cycle, budgets["nord"], "Jardin", longitude=INSIDE_NORTH[0], latitude=INSIDE_NORTH[1])
        project(cycle, budgets["nord"], "Sans point")
        project(cycle, budgets["sud"], "Retiré", status=ProjectStatus.WITHDRAWN, longitude=3.03, latitude=36.41)
        with translation.override("ar"):
            response = client.get(reverse("budgeting:projects_geojson", args=[cycle.slug]))
        assert response.status_code == 200
        features = response.json()["features"]
        assert [feature["properties"]["id"] for feature in features] == [placed.pk]
        assert features[0]["properties"]["status_code"] == "feasible"
        assert features[0]["properties"]["url"] == f"/ar/budgeting/{cycle.slug}/projects/{placed.pk}/"

    def test_a_draft_or_unknown_cycle_is_a_404(self, client, cycle):
        Cycle.objects.filter(pk=cycle.pk).update(phase=Phase.DRAFT)
        assert client.get(reverse("budgeting:projects_geojson", args=[cycle.slug])).status_code == 404
        assert client.get(reverse("budgeting:projects_geojson", args=["nothing"])).status_code == 404
