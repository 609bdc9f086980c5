"""Participatory budgeting as a catalogue dataset per body: projects with their review, results per budget, the
anonymised ballots' .pb files with their SHA-256, and the works; no personal data in any file; a new version of a
file only when it changed."""

import csv
import hashlib
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from opendata.models import Dataset
from participation.budgeting import services
from participation.budgeting.models import Cycle, Phase, Project, ProjectStatus, Result, Stage
from participation.budgeting.open_data import dataset_name, publish_budgeting
from participation.budgeting.tasks import publish_open_data
from portal.accounts.models import Membership
from tests.factories import OrganisationFactory

from .conftest import project

PB_FILE = b"META\nkey;value\nbudget;300000\nPROJECTS\nproject_id;cost;votes\n1;100000;1\nVOTES\nvoter_id;vote\n%s;1\n"


def version_of(dataset, filename: str):
    resource = dataset.resources.filter(versions__original_name=filename).distinct().get()
    return resource.versions.order_by("-number").first()


def content(dataset, filename: str) -> bytes:
    with version_of(dataset, filename).file.open("rb") as handle:
        return handle.read()


def rows(dataset, filename: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content(dataset, filename).decode("utf-8"))))


@pytest.fixture
def counted(voting, projects, voter, south_voter, manager, body):
    """Two ballots cast, the results published as results.publish_results leaves them, the north's winner followed."""
    voter.first_name, voter.last_name = "Zoubir", "Hamidi"
    voter.save()
    receipts = [
        services.cast_ballot(
            voting, voter, {"nord": {projects["nord"][0].pk: 1}, "ville": {projects["ville"][0].pk: 1}}
        ),
        services.cast_ballot(voting, south_voter, {"sud": {projects["sud"][1].pk: 1}}),
    ]
    association = OrganisationFactory(name="Association El Amel", slug="el-amel", body=body)
    Membership.objects.create(organisation=association, user=voter, role=Membership.Role.ADMIN)
    Project.objects.filter(pk=projects["nord"][1].pk).update(author=voter)
    Project.objects.filter(pk=projects["nord"][2].pk).update(author=south_voter, organisation=association)
    Cycle.objects.filter(pk=voting.pk).update(phase=Phase.BALLOT_REVIEW)
    winner = projects["nord"][0]
    digest = services.receipt_digest(receipts[0])[:16].encode()
    for budget in voting.budgets.all():
        chosen = [winner] if budget.slug == "nord" else []
        data = PB_FILE % digest
        result = Result(
            cycle=voting,
            budget=budget,
            rule=voting.counting_rule,
            money_used=sum((p.cost for p in chosen), Decimal(0)),
            ballots=budget.ballots.count(),
            rounds=[{"code": "funded", "project": str(winner.pk)}] if chosen else [],
            pb_sha256=hashlib.sha256(data).hexdigest(),
        )
        result.pb_file.save(f"{voting.slug}-{budget.slug}.pb", ContentFile(data), save=False)
        result.save()
        result.selected.set(chosen)
        for item in budget.projects.all():
            status = ProjectStatus.SELECTED if item in chosen else ProjectStatus.NOT_SELECTED
            Project.objects.filter(pk=item.pk).update(status=status, votes=1 if item in chosen else 0)
    Cycle.objects.filter(pk=voting.pk).update(phase=Phase.RESULTS)
    voting.refresh_from_db()
    winner.refresh_from_db()
    update = services.Progress(Stage.WORKS, 40, "Début des travaux.", "fr", on=date(2026, 10, 1))
    services.record_progress(winner, manager, update)
    return {"cycle": voting, "winner": winner, "receipts": receipts, "association": association}


class BudgetingDatasetTestCase:
    def test_one_published_dataset_per_body_with_projects_results_ballots_and_works(self, counted, body):
        [dataset] = publish_budgeting()
        assert dataset.name == dataset_name(body) == "participatory-budgeting-commune-blida-pb"
        assert dataset.status == Dataset.Status.PUBLISHED
        names = set(dataset.resources.values_list("versions__original_name", flat=True))
        assert {"projects.csv", "results.csv", "implementation.csv"} <= names
        assert {f"blida-2027-{slug}.pb" for slug in ("nord", "sud", "ville")} <= names

    def test_projects_carry_costs_review_and_votes_once_published(self, counted, cycle, budgets, manager):
        [dataset] = publish_budgeting()
        table = {row["id"]: row for row in rows(dataset, "projects.csv")}
        winner = table[str(counted["winner"].uuid)]
        assert (winner["cost"], winner["currency"], winner["district"]) == ("100000.00", "DZD", "nord")
        assert (winner["status"], winner["review_outcome"], winner["votes"]) == ("selected", "feasible", "1")
        assert (winner["stage"], winner["progress"]) == ("works", "40")
        assert {row["association"] for row in table.values()} == {"", "Association El Amel"}

    def test_reasons_of_projects_set_aside_and_no_votes_before_the_results(self, cycle, projects, budgets, manager):
        aside = project(cycle, budgets["sud"], "Piscine", None, status=ProjectStatus.SUBMITTED)
        services.review_project(aside, manager, feasible=False, cost=None, note="Hors du domaine communal.")
        Project.objects.filter(pk=projects["nord"][0].pk).update(votes=12)  # as if counted early
        [dataset] = publish_budgeting()
        table = {row["title"]: row for row in rows(dataset, "projects.csv")}
        assert table["Piscine"]["review_outcome"] == "set_aside"
        assert table["Piscine"]["review_reasons"] == "Hors du domaine communal."
        assert {row["votes"] for row in table.values()} == {""}
        assert rows(dataset, "results.csv") == [] and rows(dataset, "implementation.csv") == []

    def test_results_per_budget_with_rule_votes_and_the_files_sha256(self, counted):
        [dataset] = publish_budgeting()
        results = rows(dataset, "results.csv")
        nord = [row for row in results if row["budget"] == "nord"]
        assert [(row["funded"], row["votes"]) for row in nord] == [("yes", "1"), ("no", "0"), ("no", "0")]
        assert {row["rule"] for row in results} == {"mes-add1"}
        result = Result.objects.get(budget__slug="nord", cycle=counted["cycle"])
        assert nord[0]["ballots_file_sha256"] == result.pb_sha256 == version_of(dataset, "blida-2027-nord.pb").sha256

    def test_implementation_has_a_row_per_milestone(self, counted):
        [dataset] = publish_budgeting()
        [row] = rows(dataset, "implementation.csv")
        assert row["project_id"] == str(counted["winner"].uuid)
        assert (row["milestone_date"], row["milestone_stage"], row["milestone_progress"]) == (
            "2026-10-01",
            "works",
            "40",
        )
        assert row["milestone_note"] == "Début des travaux."

    def test_no_personal_data_in_any_file(self, counted, voter, south_voter, manager):
        [dataset] = publish_budgeting()
        files = [
            content(dataset, version.original_name).decode("utf-8")
            for version in (resource.versions.order_by("-number").first() for resource in dataset.resources.all())
        ]
        assert len(files) == 6
        for person in (voter, south_voter, manager):
            verification = getattr(person, "verification", None)
            for text in files:
                assert person.email not in text
                if person.get_full_name():
                    assert person.get_full_name() not in text and person.last_name not in text
                if verification is not None:
                    assert verification.identity_hash not in text
                    assert "VOTER000" not in text  # the identity numbers
        for text in files:
            for receipt in counted["receipts"]:
                assert receipt not in text and services.receipt_digest(receipt) not in text

    def test_a_new_version_only_when_a_file_changed(self, counted, manager):
        [dataset] = publish_budgeting()
        versions = {version.original_name: version.number for version in _latest(dataset)}
        publish_budgeting()
        assert {version.original_name: version.number for version in _latest(dataset)} == versions
        update = services.Progress(Stage.WORKS, 70, "Pose des bordures.", "fr", on=date(2026, 11, 1))
        services.record_progress(counted["winner"], manager, update)
        publish_budgeting()
        after = {version.original_name: version.number for version in _latest(dataset)}
        assert after["implementation.csv"] == versions["implementation.csv"] + 1
        assert after["projects.csv"] == versions["projects.csv"] + 1  # its progress
        assert after["results.csv"] == versions["results.csv"]

    def test_bodies_without_public_projects_get_no_dataset(self, cycle):
        assert publish_budgeting() == []
        assert not Dataset.objects.filter(name__startswith="participatory-budgeting-").exists()

    def test_the_daily_task_publishes(self, counted):
        [pk] = publish_open_data()
        assert Dataset.objects.get(pk=pk).name == "participatory-budgeting-commune-blida-pb"


def _latest(dataset):
    return [resource.versions.order_by("-number").first() for resource in dataset.resources.all()]
