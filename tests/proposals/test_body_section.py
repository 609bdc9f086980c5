"""A body's page shows its participatory spaces and what became of the proposals it received."""

from participation.proposals import services
from participation.proposals.body_section import body_figures
from participation.proposals.models import Status
from tests.factories import PublicBodyFactory

from .conftest import write


def test_the_figures_count_public_proposals_only(space, author, publisher, body):
    write(space, author, publish=False)
    accepted = write(space, author, title="حديقة")
    services.answer(accepted, publisher, Status.ACCEPTED, "مقبول", language="ar")
    write(space, author, title="ممر")
    assert body_figures(body) == {"published": 2, "awaiting_answer": 0, "overdue": 0, "answered": 1, "accepted": 1}
    assert body_figures(PublicBodyFactory(slug="ailleurs"))["published"] == 0


def test_the_body_page_lists_its_spaces(client, space, body):
    page = client.get(f"/fr/bodies/{body.slug}/")
    assert page.status_code == 200
    assert "Idées pour Blida" in page.content.decode()


def test_a_body_without_space_has_no_proposals_section(client, db):
    quiet = PublicBodyFactory(slug="sans-espace")
    assert 'id="proposals-title"' not in client.get(f"/fr/bodies/{quiet.slug}/").content.decode()
