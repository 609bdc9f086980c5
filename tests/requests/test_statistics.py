"""Per-body figures of requests and complaints: on the body's page, and as an open dataset of the catalogue.

Cases are filed and moved through the domain functions (services.py) on real 2025 and 2026 dates, with
requesters whose names, emails and addresses must never appear in the figures.
"""

import csv
import datetime as dt
import io
import re

import pytest
import time_machine
from django.urls import NoReverseMatch, reverse
from django.utils import formats, translation

from opendata.models import Dataset
from participation.requests import services
from participation.requests.management.commands.publish_request_statistics import Command
from participation.requests.models import BodyLaw, Case, Law, RefusalReason, Status
from participation.requests.open_data import DATASET_NAME, publish_statistics
from participation.requests.statistics import body_statistics, refusal_rows, statistics_rows
from participation.requests.tasks import publish_statistics as publish_statistics_task
from portal.bodies.models import PublicBody, Role
from tests.factories import PublicBodyFactory, RoleGrantFactory, UserFactory

ALGIERS = dt.timezone(dt.timedelta(hours=1))
# What identifies the requesters: none of it may reach a figure, a page of figures or a file of the dataset.
SECRETS = [
    "Zoubida Qaratalli",
    "زبيدة قرطلي",
    "zoubida.qaratalli@example.net",
    "17 rue des Jasmins Cachés",
    "Hadj Mokrane Belouizdad",
    "mokrane.belouizdad@example.net",
    "ZQ778899",
    "MB112233",
]


def at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(10, 0), tzinfo=ALGIERS), tick=False)


class World:
    """Two bodies of one tree (a wilaya and a commune below it) and a body of another tree, under ma-31-13."""

    def __init__(self):
        self.wilaya = PublicBodyFactory(
            kind=PublicBody.Kind.REGION,
            country="MA",
            slug="wilaya-stats",
            name_fr="Wilaya des chiffres",
            name_ar="ولاية الأرقام",
        )
        self.commune = PublicBodyFactory(
            parent=self.wilaya,
            country="MA",
            slug="commune-stats",
            name_fr="Commune des chiffres",
            name_ar="جماعة الأرقام",
        )
        self.elsewhere = PublicBodyFactory(country="MA", slug="ailleurs", name_fr="Ailleurs")
        self.law = Law.objects.get(code="ma-31-13")
        for body in (self.wilaya, self.elsewhere):
            BodyLaw.objects.create(body=body, law=self.law)
        self.reason = RefusalReason.objects.create(
            law=self.law,
            code="stats-privacy",
            label_ar="حماية الحياة الخاصة",
            label_fr="Protection de la vie privée",
            label_en="Privacy",
        )
        self.officer = RoleGrantFactory(role=Role.INFORMATION_OFFICER, body=self.wilaya).user
        RoleGrantFactory(role=Role.INFORMATION_OFFICER, body=self.elsewhere, user=self.officer)
        self.zoubida = UserFactory(first_name="Zoubida", last_name="Qaratalli", email="zoubida.qaratalli@example.net")
        self.mokrane = UserFactory(first_name="Mokrane", last_name="Belouizdad", email="mokrane.belouizdad@example.net")

    def file(self, body, day: dt.date, *, requester=None, show_name=False, kind=Case.Kind.REQUEST) -> Case:
        requester = requester or self.zoubida
        zoubida = requester == self.zoubida
        with at(day):
            return services.file_case(
                services.Filing(
                    body=body,
                    subject="Le budget des écoles",
                    text="Je demande le budget des écoles de la commune.",
                    language="fr",
                    name="Zoubida Qaratalli" if zoubida else "Hadj Mokrane Belouizdad",
                    email=requester.email,
                    address="17 rue des Jasmins Cachés" if zoubida else "",
                    identity_number="ZQ778899" if zoubida else "MB112233",
                    show_name=show_name,
                    kind=kind,
                ),
                requester=requester,
            )

    def answer(self, case: Case, day: dt.date) -> Case:
        with at(day):
            return services.answer(case, self.officer, "Voici le budget des écoles.")


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def cases(world):
    """A case in every state, its days to a decision in brackets.

    wilaya (2026): answered late [> 20], not held [2], withdrawn, open and overdue by June, transferred; (2025):
    answered [7]. commune (2026): answered on time [7], refused with a reason then appealed [10]. Elsewhere: the
    transferred case, open. And a draft in the commune, never counted.
    """
    w = world
    made = {}
    made["on_time"] = w.answer(w.file(w.commune, dt.date(2026, 2, 2)), dt.date(2026, 2, 9))
    late = w.file(w.wilaya, dt.date(2026, 2, 2), requester=w.mokrane, show_name=True)
    made["late"] = w.answer(late, late.due_on + dt.timedelta(days=3))
    refused = w.file(w.commune, dt.date(2026, 2, 2))
    with at(dt.date(2026, 2, 12)):
        services.refuse(refused, w.officer, w.reason, "Ces documents touchent à la vie privée.")
    with at(dt.date(2026, 2, 20)):
        services.appeal(refused, w.zoubida, "Le budget des écoles n'est pas une donnée privée.")
    made["refused"] = refused
    held = w.file(w.wilaya, dt.date(2026, 2, 3))
    with at(dt.date(2026, 2, 5)):
        made["not_held"] = services.not_held(held, w.officer, "La wilaya ne détient pas ce budget.")
    withdrawn = w.file(w.wilaya, dt.date(2026, 2, 3))
    with at(dt.date(2026, 2, 4)):
        made["withdrawn"] = services.withdraw(withdrawn, w.zoubida)
    made["open"] = w.file(w.wilaya, dt.date(2026, 2, 2))
    transferred = w.file(w.wilaya, dt.date(2026, 2, 2))
    with at(dt.date(2026, 2, 3)):
        made["transferred_to"] = services.transfer(transferred, w.officer, w.elsewhere, "Ailleurs détient ce budget.")
    made["transferred"] = transferred
    made["last_year"] = w.answer(w.file(w.wilaya, dt.date(2025, 11, 3)), dt.date(2025, 11, 10))
    made["draft"] = Case.objects.create(
        reference="R-DRAFT-1",
        body=w.commune,
        law=w.law,
        subject="Brouillon",
        text="Brouillon",
        language="fr",
        requester=w.zoubida,
        requester_name="Zoubida Qaratalli",
        requester_email="zoubida.qaratalli@example.net",
        received_on=dt.date(2026, 2, 2),
        status=Status.DRAFT,
    )
    return made


JUNE = dt.date(2026, 6, 1)


class BodyStatisticsTestCase:
    def test_it_counts_every_state_of_the_body_and_the_bodies_below(self, world, cases):
        figures = body_statistics(world.wilaya, today=JUNE)
        assert cases["late"].decided_on > cases["late"].due_on
        cases["refused"].refresh_from_db()
        assert cases["refused"].status == Status.UNDER_APPEAL  # counted as refused through its history
        assert figures.received == 8  # the draft is not; the withdrawn and the transferred are
        assert figures.open == 1
        assert figures.overdue_now == 1
        assert figures.decided == 5
        assert figures.answered == 3
        assert (figures.answered_on_time, figures.answered_late) == (4, 1)
        assert figures.on_time_rate == 80.0
        assert figures.refused == 1
        with translation.override("fr"):
            assert body_statistics(world.wilaya, today=JUNE).refused_by_reason == [("Protection de la vie privée", 1)]
        assert figures.not_held == 1
        assert figures.transferred == 1
        assert figures.withdrawn == 1
        assert figures.appealed == 1
        assert figures.median_days_to_answer == 7.0  # 2, 7, 7, 10 and the late one

    def test_it_counts_a_body_below_alone(self, world, cases):
        figures = body_statistics(world.commune, today=JUNE)
        assert (figures.received, figures.answered, figures.refused, figures.appealed) == (2, 1, 1, 1)
        assert figures.median_days_to_answer == 8.5  # 7 and 10

    def test_it_filters_by_year_and_kind(self, world, cases):
        this_year = body_statistics(world.wilaya, year=2026, today=JUNE)
        assert (this_year.received, this_year.decided) == (7, 4)
        assert body_statistics(world.wilaya, year=2025, today=JUNE).received == 1
        assert body_statistics(world.wilaya, year="2024", today=JUNE).is_empty
        assert body_statistics(world.wilaya, kind=Case.Kind.COMPLAINT, today=JUNE).received == 0
        assert body_statistics(world.wilaya, kind=Case.Kind.REQUEST, today=JUNE).received == 8

    def test_it_counts_the_transferred_case_where_it_went(self, world, cases):
        figures = body_statistics(world.elsewhere, today=JUNE)
        assert (figures.received, figures.open, figures.transferred) == (1, 1, 0)
        assert body_statistics(today=JUNE).received == 9  # every body

    def test_an_overdue_case_is_not_overdue_before_its_due_date(self, world, cases):
        assert body_statistics(world.wilaya, today=dt.date(2026, 2, 10)).overdue_now == 0

    def test_a_body_without_cases_has_empty_figures(self, world):
        figures = body_statistics(world.commune)
        assert figures.is_empty
        assert (figures.median_days_to_answer, figures.on_time_rate, figures.refused_by_reason) == (None, None, [])

    def test_it_takes_a_few_queries_whatever_the_number_of_cases(self, world, cases, django_assert_max_num_queries):
        with django_assert_max_num_queries(4):
            body_statistics(world.wilaya, today=JUNE)


def figure_cells(content: str, name: str) -> list[str]:
    row = re.search(rf'<tr data-figure="{name}">(.*?)</tr>', content, re.S)
    assert row, name
    return [re.sub(r"<.*?>", "", cell).strip() for cell in re.findall(r'<td class="numeric">(.*?)</td>', row[1])]


class BodyPageTestCase:
    @pytest.mark.parametrize("language", ["ar", "fr"])
    def test_it_shows_the_figures_this_year_and_all_time(self, client, world, cases, language, no_page_cache):
        with at(JUNE), translation.override(language):
            response = client.get(reverse("bodies:detail", args=[world.wilaya.slug]))
            median = formats.number_format(8.5, decimal_pos=1)
        assert response.status_code == 200
        content = response.content.decode()
        assert figure_cells(content, "received") == ["7", "8"]
        assert figure_cells(content, "overdue_now") == ["1", "1"]
        assert figure_cells(content, "answered_late") == ["1", "1"]
        assert figure_cells(content, "median_days_to_answer") == [median, "7"]
        assert figure_cells(content, "withdrawn") == ["1", "1"]
        assert figure_cells(content, "appealed") == ["1", "1"]
        assert ("حماية الحياة الخاصة" if language == "ar" else "Protection de la vie privée") in content
        for secret in SECRETS:
            assert secret not in content

    def test_a_body_below_shows_its_own_figures(self, client, world, cases, no_page_cache):
        with at(JUNE):
            content = client.get(f"/fr/bodies/{world.commune.slug}/").content.decode()
        assert figure_cells(content, "received") == ["2", "2"]

    def test_a_body_without_cases_says_so(self, client, world, no_page_cache):
        content = client.get(f"/fr/bodies/{world.elsewhere.slug}/").content.decode()
        assert 'data-figure="received"' not in content
        assert 'id="information-requests-title"' in content

    def test_it_links_to_asking_the_body_and_its_past_requests(self, client, world, no_page_cache):
        content = client.get(f"/fr/bodies/{world.wilaya.slug}/").content.decode()
        with translation.override("fr"):
            for name in ("information_requests:new", "information_requests:list"):
                try:
                    url = reverse(name)
                except NoReverseMatch:
                    continue  # the lead's urls.py brings them
                assert f'href="{url}?body=wilaya-stats"' in content


def read_csv(resource) -> list[dict]:
    version = resource.versions.order_by("-number").first()
    with version.file.open("rb") as handle:
        return list(csv.DictReader(io.StringIO(handle.read().decode("utf-8"))))


class OpenDatasetTestCase:
    def test_it_publishes_the_figures_per_body_year_and_kind(self, world, cases):
        with at(JUNE):
            dataset = publish_statistics()
        assert dataset.name == DATASET_NAME
        assert dataset.status == Dataset.Status.PUBLISHED
        assert dataset.body == world.wilaya  # the first root of the tree
        assert dataset.licence.is_open
        assert list(dataset.themes.values_list("slug", flat=True)) == ["government"]
        assert dataset.title_ar and dataset.title_fr and dataset.title_en
        statistics, refusals = dataset.resources.order_by("position")
        rows = read_csv(statistics)
        assert [(row["body_slug"], row["year"], row["kind"]) for row in rows] == [
            ("wilaya-stats", "2025", "request"),
            ("wilaya-stats", "2026", "request"),
            ("commune-stats", "2026", "request"),
            ("ailleurs", "2026", "request"),
        ]
        wilaya_2026 = rows[1]
        assert wilaya_2026["body_name_fr"] == "Wilaya des chiffres"
        assert wilaya_2026["body_name_ar"] == "ولاية الأرقام"
        assert {key: wilaya_2026[key] for key in ("received", "answered", "answered_late", "not_held")} == {
            "received": "5",
            "answered": "1",
            "answered_late": "1",
            "not_held": "1",
        }
        assert (wilaya_2026["transferred"], wilaya_2026["withdrawn"], wilaya_2026["refused"]) == ("1", "1", "0")
        assert rows[2]["median_days_to_answer"] == "8.5"
        assert rows[2]["appealed"] == "1"
        assert read_csv(refusals) == [
            {
                "body_slug": "commune-stats",
                "year": "2026",
                "law": "ma-31-13",
                "reason_code": "stats-privacy",
                "reason_label_fr": "Protection de la vie privée",
                "reason_label_ar": "حماية الحياة الخاصة",
                "count": "1",
            }
        ]

    def test_no_requester_identity_reaches_the_files(self, world, cases):
        with at(JUNE):
            dataset = publish_statistics()
        for resource in dataset.resources.all():
            with resource.versions.get().file.open("rb") as handle:
                text = handle.read().decode("utf-8")
            for secret in SECRETS:
                assert secret not in text
            assert "R-2026" not in text  # nor a case's tracking number

    def test_publishing_again_without_a_change_adds_no_version(self, world, cases):
        with at(JUNE):
            dataset = publish_statistics()
            publish_statistics()
            Command().handle()
        assert Dataset.objects.filter(name=DATASET_NAME).count() == 1
        assert [resource.versions.count() for resource in dataset.resources.order_by("position")] == [1, 1]

    def test_a_change_adds_a_version_of_the_file_that_changed(self, world, cases):
        with at(JUNE):
            dataset = publish_statistics()
        world.answer(cases["open"], dt.date(2026, 6, 2))
        with at(dt.date(2026, 6, 3)):
            assert publish_statistics_task.delay().get() == dataset.pk
        statistics, refusals = dataset.resources.order_by("position")
        assert (statistics.versions.count(), refusals.versions.count()) == (2, 1)
        assert [row["answered"] for row in read_csv(statistics) if row["body_slug"] == "wilaya-stats"] == ["1", "2"]

    def test_staff_who_withdraw_it_keep_it_withdrawn(self, world, cases):
        dataset = publish_statistics()
        dataset.withdraw()
        assert publish_statistics().status == Dataset.Status.WITHDRAWN

    def test_it_needs_a_body(self, db):
        assert publish_statistics_task.delay().get() is None
        assert not Dataset.objects.filter(name=DATASET_NAME).exists()

    def test_the_rows_are_the_dataset_rows_for_one_year(self, world, cases):
        assert {row["year"] for row in statistics_rows(year=2025)} == {2025}
        assert refusal_rows(year=2025) == []
