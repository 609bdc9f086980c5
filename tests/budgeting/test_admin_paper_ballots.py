"""Paper ballots in the admin: an officer types one in and reads the voter's receipt code once; a second officer
checks it (counted, or rejected with a reason, which frees the voter); one person votes once across paper and
online; every door closed to staff of another body."""

import pytest
from django.utils import translation

from participation.budgeting import services
from participation.budgeting.models import Ballot, BallotRule, Channel, Cycle, PaperBallot, VoterRecord
from portal.bodies.models import Role
from tests.factories import DistrictFactory, RoleGrantFactory, square

from .admin_support import errors_of, logged, queries_of, staff_client, successes_of, url


def ballot(district, choices: dict, *, number="VOTER0001", station="Mairie annexe 1") -> dict:
    """The entry form as an officer fills it: `choices` maps a budget slug to the projects ticked."""
    data = {"station": station, "identity_number": number, "district": district.pk if district else ""}
    for slug, projects in choices.items():
        for project in projects:
            data[f"budget-{slug}-{project.pk}"] = "on"
    return data


def enter(cycle, officer, district, choices, number="PAPER0001", station="Mairie annexe 1") -> PaperBallot:
    paper, _code = services.enter_paper_ballot(
        cycle,
        officer,
        identity_number=number,
        station=station,
        district=district,
        choices={slug: {project.pk: 1 for project in projects} for slug, projects in choices.items()},
    )
    return paper


@pytest.fixture
def other_officer(other_body):
    return RoleGrantFactory(body=other_body, role=Role.POLLING_OFFICER, user__email="officer-b@example.org").user


@pytest.mark.django_db
class PaperEntryTestCase:
    def test_an_officer_enters_a_ballot_and_reads_the_receipt_once(self, officer, voting, projects, north):
        client = staff_client(officer)
        data = ballot(north, {"nord": projects["nord"][:2], "ville": projects["ville"][:1]}, number="AB 123-456")

        response = client.post(url("paper_entry", voting.pk), data)

        assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
        code = response.context["code"]
        assert code in response.content.decode()
        paper = PaperBallot.objects.get()
        assert (paper.status, paper.station, paper.entered_by) == (
            PaperBallot.Status.PENDING,
            "Mairie annexe 1",
            officer,
        )
        assert paper.receipt_digest == services.receipt_digest(code)
        assert paper.choices == {
            "nord": {str(projects["nord"][0].pk): 1, str(projects["nord"][1].pk): 1},
            "ville": {str(projects["ville"][0].pk): 1},
        }
        assert logged(paper, "budgeting.paper.enter").filter(user=officer).exists()
        # The identity number is kept nowhere in clear; the code is not shown again.
        record = VoterRecord.objects.get(cycle=voting)
        assert (record.channel, record.user) == (Channel.PAPER, None)
        assert "123456" not in record.identity_hash and "123456" not in paper.identity_hash
        again = client.get(url("paper_entry", voting.pk))
        assert code not in again.content.decode()
        assert again.context["form"]["station"].value() == "Mairie annexe 1"  # the next voter, same station

    def test_a_budget_manager_enters_paper_ballots_too(self, manager, voting, projects):
        response = staff_client(manager).post(
            url("paper_entry", voting.pk), ballot(None, {"ville": projects["ville"][:1]})
        )
        assert response.context["code"] and PaperBallot.objects.count() == 1

    def test_the_form_lays_out_the_choices_as_the_ballot_rule_needs(self, officer, voting, projects, budgets):
        client = staff_client(officer)
        fields = client.get(url("paper_entry", voting.pk)).context["form"].fields
        assert fields[f"budget-nord-{projects['nord'][0].pk}"].widget.input_type == "checkbox"

        Cycle.objects.filter(pk=voting.pk).update(ballot_rule=BallotRule.CUMULATIVE, points=10)
        fields = client.get(url("paper_entry", voting.pk)).context["form"].fields
        assert fields[f"budget-nord-{projects['nord'][0].pk}"].widget.input_type == "number"

        Cycle.objects.filter(pk=voting.pk).update(ballot_rule=BallotRule.CHOOSE_ONE)
        form = client.get(url("paper_entry", voting.pk)).context["form"]
        assert {choice for choice, _label in form.fields["budget-nord"].choices} == {
            "",
            *(project.pk for project in projects["nord"]),
        }
        response = client.post(
            url("paper_entry", voting.pk),
            {"station": "S", "identity_number": "CHOOSE001", "district": "", "budget-ville": projects["ville"][2].pk},
        )
        paper = PaperBallot.objects.get()
        assert response.context["code"] and paper.choices == {"ville": {str(projects["ville"][2].pk): 1}}

    def test_points_are_entered_on_a_cumulative_ballot(self, officer, voting, projects, north):
        Cycle.objects.filter(pk=voting.pk).update(ballot_rule=BallotRule.CUMULATIVE, points=10)
        first, second = projects["nord"][:2]
        data = {"station": "S", "identity_number": "POINTS001", "district": north.pk}
        data |= {f"budget-nord-{first.pk}": "7", f"budget-nord-{second.pk}": "3"}
        staff_client(officer).post(url("paper_entry", voting.pk), data)
        assert PaperBallot.objects.get().choices == {"nord": {str(first.pk): 7, str(second.pk): 3}}

    @pytest.mark.parametrize(
        ("which", "message"),
        [
            ("south_of_a_north_voter", "You cannot vote in “sud”: it is not a budget of your district."),
            ("too_many", "Choose at most 2 projects in “Nord”."),
            ("empty", "The ballot is empty: choose at least one project."),
        ],
    )
    def test_it_refuses_a_ballot_the_rule_refuses(self, officer, voting, projects, north, which, message):
        Cycle.objects.filter(pk=voting.pk).update(max_projects=2)
        choices = {
            "south_of_a_north_voter": {"sud": projects["sud"][:1]},
            "too_many": {"nord": projects["nord"]},
            "empty": {},
        }[which]

        response = staff_client(officer).post(url("paper_entry", voting.pk), ballot(north, choices))

        assert response.context["form"].non_field_errors() == [message]
        assert "code" not in response.context
        assert not PaperBallot.objects.exists() and not VoterRecord.objects.exists()

    def test_a_district_of_another_body_is_refused(self, officer, voting, projects, other_body):
        foreign = DistrictFactory(body=other_body, slug="ailleurs", boundary=square(4.0, 36.0))
        client = staff_client(officer)
        assert foreign not in client.get(url("paper_entry", voting.pk)).context["form"].fields["district"].queryset
        response = client.post(url("paper_entry", voting.pk), ballot(foreign, {"ville": projects["ville"][:1]}))
        assert "district" in response.context["form"].errors
        assert not PaperBallot.objects.exists()

    def test_no_paper_ballot_outside_voting_and_its_review(self, officer, cycle, projects, north):
        client = staff_client(officer)
        assert not client.get(url("paper_entry", cycle.pk)).context["open"]
        response = client.post(url("paper_entry", cycle.pk), ballot(north, {"nord": projects["nord"][:1]}))
        assert response.context["form"].non_field_errors() == [
            "Paper ballots are entered during voting and the ballot review."
        ]
        assert not PaperBallot.objects.exists()

    def test_the_paper_index_lists_the_officers_voting_cycles(self, officer, second_officer, voting, projects):
        enter(voting, officer, None, {"ville": projects["ville"][:1]})
        listed = staff_client(second_officer).get(url("paper")).context["cycles"]
        assert [(cycle, cycle.pending) for cycle in listed] == [(voting, 1)]
        assert [cycle.pending for cycle in staff_client(officer).get(url("paper")).context["cycles"]] == [0]


@pytest.mark.django_db
class OnePersonOneBallotTestCase:
    def test_a_paper_voter_cannot_then_vote_online(self, officer, voting, voter, projects, north):
        staff_client(officer).post(url("paper_entry", voting.pk), ballot(north, {"nord": projects["nord"][:1]}))
        with translation.override("en"), pytest.raises(services.BudgetingRefused, match="voted in this cycle already"):
            services.cast_ballot(voting, voter, {"nord": {projects["nord"][1].pk: 1}})
        assert not Ballot.objects.exists()

    def test_an_online_voter_cannot_then_vote_on_paper(self, officer, voting, voter, projects, north):
        services.cast_ballot(voting, voter, {"nord": {projects["nord"][1].pk: 1}})
        response = staff_client(officer).post(
            url("paper_entry", voting.pk), ballot(north, {"nord": projects["nord"][:1]}, number="voter-0001")
        )
        assert response.context["form"].non_field_errors() == [
            "This person has voted in this cycle already (online or on paper)."
        ]
        assert not PaperBallot.objects.exists() and VoterRecord.objects.count() == 1

    def test_the_same_person_twice_on_paper_is_refused(self, officer, second_officer, voting, projects, north):
        enter(voting, officer, north, {"nord": projects["nord"][:1]}, number="PAPER0001", station="A")
        response = staff_client(second_officer).post(
            url("paper_entry", voting.pk), ballot(north, {"nord": projects["nord"][1:2]}, number="paper 0001")
        )
        assert response.context["form"].non_field_errors() == [
            "This person has voted in this cycle already (online or on paper)."
        ]


@pytest.mark.django_db
class PaperCheckTestCase:
    def test_the_list_shows_others_ballots_without_the_identity(self, officer, second_officer, voting, projects, north):
        theirs = enter(voting, officer, north, {"nord": projects["nord"][:2]}, station="Mairie annexe 1")
        enter(voting, second_officer, None, {"ville": projects["ville"][:1]}, number="PAPER0002", station="École")

        response = staff_client(second_officer).get(url("paper_check", voting.pk))

        assert [entry["paper"] for entry in response.context["ballots"]] == [theirs]
        assert response.context["own_pending"] == 1
        html = response.content.decode()
        assert theirs.identity_hash not in html and theirs.receipt_digest not in html
        assert projects["nord"][0].title in html and projects["nord"][1].title in html
        assert {row["station"]: (row["entered"], row["pending"]) for row in response.context["stations"]} == {
            "Mairie annexe 1": (1, 1),
            "École": (1, 1),
        }

    def test_the_list_costs_the_same_queries_however_many_ballots(self, officer, second_officer, voting, projects):
        client = staff_client(second_officer)
        enter(voting, officer, None, {"ville": projects["ville"][:1]}, number="MANY00000")
        few = queries_of(client, url("paper_check", voting.pk))
        for n in range(1, 8):
            enter(voting, officer, None, {"ville": projects["ville"][:2]}, number=f"MANY{n:05d}", station=f"S{n}")
        assert queries_of(client, url("paper_check", voting.pk)) == few

    def test_a_second_officer_counts_the_ballot(self, officer, second_officer, voting, projects, north):
        paper = enter(voting, officer, north, {"nord": projects["nord"][:2]})
        digest = paper.receipt_digest

        response = staff_client(second_officer).post(url("check_paper", paper.pk), {"decision": "accept"})

        assert response.status_code == 302 and response.url == url("paper_check", voting.pk)
        assert successes_of(response) == ["The paper ballot is counted."]
        paper.refresh_from_db()
        assert (paper.status, paper.checked_by, paper.identity_hash, paper.choices) == (
            PaperBallot.Status.COUNTED,
            second_officer,
            "",
            {},
        )
        counted = Ballot.objects.get(receipt_digest=digest)
        assert counted.channel == Channel.PAPER
        assert {choice.project_id for choice in counted.choices.all()} == {p.pk for p in projects["nord"][:2]}
        assert logged(paper, "budgeting.paper.counted").filter(user=second_officer).exists()

    def test_an_administrator_of_the_body_checks_ballots_too(self, officer, voting, projects):
        head = RoleGrantFactory(body=voting.body, role=Role.ADMINISTRATOR, user__email="head@example.org").user
        paper = enter(voting, officer, None, {"ville": projects["ville"][:1]})
        staff_client(head).post(url("check_paper", paper.pk), {"decision": "accept"})
        assert PaperBallot.objects.get(pk=paper.pk).status == PaperBallot.Status.COUNTED

    def test_an_officer_cannot_check_their_own_entry(self, officer, voting, projects, north):
        paper = enter(voting, officer, north, {"nord": projects["nord"][:1]})
        response = staff_client(officer).post(url("check_paper", paper.pk), {"decision": "accept"})
        assert errors_of(response) == ["A second officer must check the ballot, not the one who entered it."]
        assert PaperBallot.objects.get(pk=paper.pk).status == PaperBallot.Status.PENDING
        assert not Ballot.objects.exists()

    def test_a_rejection_needs_its_reason_and_frees_the_voter(
        self, officer, second_officer, voting, voter, projects, north
    ):
        paper = enter(voting, officer, north, {"nord": projects["nord"][:1]}, number="VOTER0001")
        client = staff_client(second_officer)
        assert errors_of(client.post(url("check_paper", paper.pk), {"decision": "reject", "reason": " "}))
        assert PaperBallot.objects.get(pk=paper.pk).status == PaperBallot.Status.PENDING

        response = client.post(url("check_paper", paper.pk), {"decision": "reject", "reason": "Bulletin illisible"})

        assert successes_of(response) == ["The paper ballot is rejected; its voter may vote again."]
        paper.refresh_from_db()
        assert (paper.status, paper.rejection_reason) == (PaperBallot.Status.REJECTED, "Bulletin illisible")
        assert not VoterRecord.objects.exists() and not Ballot.objects.exists()
        assert services.cast_ballot(voting, voter, {"nord": {projects["nord"][1].pk: 1}})

    def test_a_ballot_is_checked_once(self, officer, second_officer, manager, voting, projects):
        paper = enter(voting, officer, None, {"ville": projects["ville"][:1]})
        staff_client(second_officer).post(url("check_paper", paper.pk), {"decision": "accept"})
        response = staff_client(manager).post(url("check_paper", paper.pk), {"decision": "reject", "reason": "x"})
        assert errors_of(response) == ["This ballot has been checked already."]
        assert Ballot.objects.count() == 1

    def test_a_decision_that_is_neither_is_refused(self, officer, second_officer, voting, projects):
        paper = enter(voting, officer, None, {"ville": projects["ville"][:1]})
        assert errors_of(staff_client(second_officer).post(url("check_paper", paper.pk), {"decision": "maybe"}))
        assert PaperBallot.objects.get(pk=paper.pk).status == PaperBallot.Status.PENDING


@pytest.mark.django_db
class OtherBodyPaperDoorsTestCase:
    @pytest.mark.parametrize("who", ["other_manager", "other_officer"])
    def test_every_paper_door_is_closed(self, request, who, officer, voting, projects, north):
        paper = enter(voting, officer, north, {"nord": projects["nord"][:1]})
        client = staff_client(request.getfixturevalue(who))
        assert voting not in client.get(url("paper")).context["cycles"]
        assert client.get(url("paper_entry", voting.pk)).status_code == 403
        entry = ballot(north, {"nord": projects["nord"][1:2]}, number="FORGED001")
        assert client.post(url("paper_entry", voting.pk), entry).status_code == 403
        assert client.get(url("paper_check", voting.pk)).status_code == 403
        assert client.post(url("check_paper", paper.pk), {"decision": "accept"}).status_code == 403
        assert PaperBallot.objects.get().status == PaperBallot.Status.PENDING
        assert VoterRecord.objects.count() == 1

    def test_residents_do_not_get_in(self, voter, voting):
        client = staff_client(voter)
        assert client.get(url("paper")).status_code == 302
        assert client.get(url("paper_entry", voting.pk)).status_code == 302
