import pytest

from cms.models import ProjectMapPage
from tests.cms.builders import home_page, publish


@pytest.fixture
def map_page(db):
    projects = [
        (
            "project",
            {"title": "Éclairage <b>public</b>", "status": "in_progress", "latitude": "36.47", "longitude": "2.83"},
        ),
        ("project", {"title": "Jardin", "status": "planned", "latitude": "36.48", "longitude": "2.84"}),
    ]
    return publish(
        home_page("ar").add_child(instance=ProjectMapPage(title="Projets", slug="projets", projects=projects))
    )


class ProjectMapTestCase:
    def test_it_draws_the_projects_on_a_map_with_a_table_fallback(self, client, map_page):
        content = client.get(map_page.url.replace("/ar/", "/fr/")).content.decode()
        assert 'id="projects-geojson"' in content
        assert "leaflet.js" in content
        table = content.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
        assert "<td>En cours</td>" in table  # the status's label in the page's language, not its code
        assert "Éclairage &lt;b&gt;public&lt;/b&gt;" in content

    def test_it_exposes_geojson_points_in_longitude_latitude_order(self, map_page):
        feature = map_page.geojson()["features"][0]
        assert feature["geometry"] == {"type": "Point", "coordinates": [2.83, 36.47]}
        assert feature["properties"]["status"] == "in_progress"
