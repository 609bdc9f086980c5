"""The public proposals as a catalogue dataset per body ("Citizen proposals"): one row per public proposal, its
latest answer, no personal data; a new file version only when something changed."""

import csv
import io
from decimal import Decimal

import pytest

from opendata.models import Dataset
from participation.proposals import services
from participation.proposals.models import Space, Status
from participation.proposals.open_data import COLUMNS, dataset_name, publish_proposals
from participation.proposals.tasks import publish_open_data
from portal.accounts.models import Membership
from tests.factories import OrganisationFactory

from .conftest import INSIDE_NORTH, write


def read_csv(dataset) -> list[dict]:
    version = dataset.resources.get().versions.order_by("-number").first()
    with version.file.open("rb") as handle:
        return list(csv.DictReader(io.StringIO(handle.read().decode("utf-8"))))


@pytest.fixture
def proposals(space, author, category, residents, publisher, moderator):
    author.first_name, author.last_name = "Zoubir", "Hamidi"
    author.save()
    lighting = write(
        space,
        author,
        title="إنارة شارع الاستقلال",
        category=category,
        longitude=INSIDE_NORTH[0],
        latitude=INSIDE_NORTH[1],
        estimated_cost=Decimal("1500000.00"),
    )
    for resident in residents[:3]:
        services.support(lighting, resident)
    services.comment(lighting, residents[0], "Merci !", language="fr")
    services.answer(lighting, publisher, Status.EVALUATING, "Étude en cours.", language="fr")
    services.answer(lighting, publisher, Status.ACCEPTED, "Accepté pour 2027.", language="fr")
    association = OrganisationFactory(name="Association El Amel", slug="el-amel", body=space.body)
    Membership.objects.create(organisation=association, user=residents[1], role=Membership.Role.ADMIN)
    benches = write(
        space, residents[1], title="Des bancs au jardin", language="fr", organisation=association, pseudonym="x"
    )
    write(space, residents[2], title="Mon brouillon", publish=False)
    hidden = write(space, residents[3], title="Texte signalé", pseudonym="Le Masqué")
    services.hide_proposal(hidden, moderator, "Injurieux.")
    return {"lighting": lighting, "benches": benches}


class ProposalsDatasetTestCase:
    def test_it_publishes_one_dataset_per_body_with_a_row_per_public_proposal(self, proposals, space):
        [dataset] = publish_proposals()
        assert dataset.name == dataset_name(space.body) == f"citizen-proposals-{space.body.slug}"
        assert dataset.status == Dataset.Status.PUBLISHED
        assert dataset.body == space.body
        assert dataset.licence.is_open
        assert dataset.title_ar and dataset.title_fr and dataset.title_en
        assert "Commune de Blida" in dataset.title_fr
        rows = read_csv(dataset)
        assert list(rows[0]) == COLUMNS
        assert [row["title"] for row in rows] == ["إنارة شارع الاستقلال", "Des bancs au jardin"]

    def test_a_row_says_what_the_public_page_says(self, proposals, space):
        [dataset] = publish_proposals()
        lighting = read_csv(dataset)[0]
        proposal = proposals["lighting"]
        proposal.refresh_from_db()
        assert lighting["id"] == str(proposal.uuid)
        assert lighting["reference"] == proposal.reference
        assert (lighting["space"], lighting["body"]) == ("idees-blida", space.body.slug)
        assert (lighting["category"], lighting["district"], lighting["language"]) == ("eclairage", "nord", "ar")
        assert (float(lighting["longitude"]), float(lighting["latitude"])) == INSIDE_NORTH
        assert (lighting["estimated_cost"], lighting["currency"]) == ("1500000.00", "DZD")
        assert (lighting["status"], lighting["supports_count"], lighting["comments_count"]) == ("accepted", "3", "1")
        assert lighting["published_on"] and lighting["threshold_reached_on"] and lighting["answer_due"]
        assert (lighting["answer_outcome"], lighting["answer_text"]) == ("accepted", "Accepté pour 2027.")
        assert lighting["answer_date"]
        assert lighting["association"] == ""
        benches = read_csv(dataset)[1]
        assert benches["association"] == "Association El Amel"
        assert (
            benches["longitude"] == benches["estimated_cost"] == benches["currency"] == benches["answer_outcome"] == ""
        )

    def test_no_personal_data(self, proposals, author, residents):
        [dataset] = publish_proposals()
        with dataset.resources.get().versions.get().file.open("rb") as handle:
            text = handle.read().decode("utf-8")
        for person in [author, *residents]:
            assert person.email not in text
        for secret in ("Zoubir", "Hamidi", "Le Masqué", "Texte signalé", "Mon brouillon", "Merci"):
            assert secret not in text

    def test_publishing_again_without_a_change_adds_no_version(self, proposals):
        [dataset] = publish_proposals()
        publish_proposals()
        assert Dataset.objects.filter(name=dataset.name).count() == 1
        assert dataset.resources.get().versions.count() == 1

    def test_a_change_adds_a_version(self, proposals, residents):
        [dataset] = publish_proposals()
        services.support(proposals["benches"], residents[4])
        assert publish_open_data.delay().get() == [dataset.pk]
        assert dataset.resources.get().versions.count() == 2
        assert read_csv(dataset)[1]["supports_count"] == "1"

    def test_staff_who_withdraw_it_keep_it_withdrawn(self, proposals):
        [dataset] = publish_proposals()
        dataset.withdraw()
        assert publish_proposals()[0].status == Dataset.Status.WITHDRAWN

    def test_a_body_without_public_proposals_gets_no_dataset(self, space, author, other_body):
        Space.objects.create(body=other_body, slug="tipaza", title_ar="تيبازة")
        write(space, author, publish=False)
        assert publish_proposals() == []
        assert not Dataset.objects.exists()

    def test_each_body_has_its_own(self, proposals, other_body, author):
        other = Space.objects.create(body=other_body, slug="tipaza", title_ar="تيبازة", currency="DZD")
        write(other, author, title="Un port de plaisance", language="fr")
        datasets = publish_proposals()
        assert {dataset.body for dataset in datasets} == {proposals["lighting"].space.body, other_body}
        tipaza = next(dataset for dataset in datasets if dataset.body == other_body)
        assert [row["title"] for row in read_csv(tipaza)] == ["Un port de plaisance"]
