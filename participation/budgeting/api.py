"""The REST API of participatory budgeting (/api/v1/budgeting/): cycles with their rules and budgets, projects with
their review and works, results with the ballots' file, and the ballot of the voter authenticated.

Anyone reads what the public pages show: published cycles, projects not withdrawn, results once published (votes
only then: running counts stay hidden). The ballot is `GET`/`PUT …/cycles/<id>/ballot/` with `Authorization: Token
<key>` (the key is on the person's account page) or the session: `GET` answers the budgets the voter may vote in
and their projects, `PUT` casts the ballot through services.cast_ballot, which keeps one ballot per person across
every channel, and answers the receipt code.
"""

from django.conf import settings
from django.db.models import Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from participation.proposals.api import PointSerializer  # the same GeoJSON point
from portal.api import PROBLEM_CONTENT_TYPE, PROBLEM_RESPONSES, ProblemSerializer, PublicReadOnlyViewSet

from . import ballots, services
from .models import (
    BallotDraft,
    Budget,
    BudgetGroup,
    Cycle,
    Milestone,
    Phase,
    Project,
    ProjectStatus,
    Result,
    Stage,
)
from .results import explain


class Conflict(APIException):
    """The cycle does not take this ballot now (voting closed, or this person voted already): a 409 problem."""

    status_code = 409
    default_detail = _("This cycle does not take this ballot now.")
    default_code = "conflict"


class InvalidBallot(APIException):
    """The ballot breaks the cycle's rule (over budget, too many projects, another district's project): a 400."""

    status_code = 400
    default_detail = _("The ballot is not valid.")
    default_code = "invalid_ballot"


def results_published(cycle: Cycle) -> bool:
    """Votes and results are public once counted and published, never before (no running counts)."""
    return cycle.reached(Phase.RESULTS)


def translations(record, name: str) -> dict:
    return {code: getattr(record, f"{name}_{code}") for code, _label in settings.LANGUAGES}


TRANSLATIONS_FIELD = serializers.DictField(
    child=serializers.CharField(allow_blank=True), help_text="The text per language code (empty when untranslated)."
)


# Serializers ----------------------------------------------------------------------------------------


class CycleBodySerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class GroupSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = BudgetGroup
        fields = ["id", "name", "max_budgets"]

    @extend_schema_field(TRANSLATIONS_FIELD)
    def get_name(self, group) -> dict:
        return translations(group, "name")


class BudgetSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    district = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    group = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True, help_text="A group of `groups`.")
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    currency = serializers.CharField(source="cycle.currency", help_text="ISO 4217.")
    city_wide = serializers.BooleanField(source="is_city_wide", help_text="Every resident votes in it.")

    class Meta:
        model = Budget
        fields = ["slug", "name", "district", "city_wide", "group", "amount", "currency"]

    @extend_schema_field(TRANSLATIONS_FIELD)
    def get_name(self, budget) -> dict:
        return translations(budget, "name")


class RulesSerializer(serializers.ModelSerializer):
    ballot_rule_label = serializers.CharField(source="get_ballot_rule_display")
    counting_rule_label = serializers.CharField(source="get_counting_rule_display")
    min_spend_share = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True, read_only=True)
    threshold = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True, read_only=True)
    locked = serializers.BooleanField(source="rules_locked", help_text="Voting has opened: the rules cannot change.")

    class Meta:
        model = Cycle
        fields = [
            "ballot_rule",
            "ballot_rule_label",
            "max_projects",
            "min_spend_share",
            "points",
            "max_points_per_project",
            "counting_rule",
            "counting_rule_label",
            "threshold",
            "min_age",
            "locked",
        ]


class DatesSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cycle
        fields = [
            "information_at",
            "submission_at",
            "review_at",
            "costs_at",
            "voting_opens_at",
            "voting_closes_at",
            "results_published_at",
        ]


class CycleSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.SerializerMethodField(help_text="Its public page, absolute.")
    title = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    body = CycleBodySerializer()
    phase_label = serializers.CharField(source="get_phase_display")
    dates = DatesSerializer(source="*")
    rules = RulesSerializer(source="*")
    budgets = BudgetSerializer(many=True, read_only=True)
    groups = GroupSerializer(many=True, read_only=True)
    results_published = serializers.SerializerMethodField()

    class Meta:
        model = Cycle
        fields = [
            "id",
            "slug",
            "url",
            "title",
            "description",
            "body",
            "currency",
            "phase",
            "phase_label",
            "dates",
            "rules",
            "budgets",
            "groups",
            "results_published",
        ]

    def get_url(self, cycle) -> str:
        return absolute(self.context["request"], cycle.get_absolute_url)

    @extend_schema_field(TRANSLATIONS_FIELD)
    def get_title(self, cycle) -> dict:
        return translations(cycle, "title")

    @extend_schema_field(TRANSLATIONS_FIELD)
    def get_description(self, cycle) -> dict:
        return translations(cycle, "description")

    def get_results_published(self, cycle) -> bool:
        return results_published(cycle)


def absolute(request, address) -> str:
    """The absolute address `address()` gives, or "" while the page it names is not wired (another module's)."""
    try:
        return request.build_absolute_uri(address())
    except NoReverseMatch:
        return ""


class ProposerSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="As the public page signs it: the association, the name, or the body.")
    organisation = serializers.SlugField(allow_null=True, help_text="The association's slug, if any.")


class ReviewSerializer(serializers.Serializer):
    outcome = serializers.CharField(
        help_text="`pending` (not reviewed yet), `feasible` (on the ballot at its cost) or `set_aside` (with the "
        "reasons published)."
    )
    note = serializers.CharField(allow_blank=True, help_text="The review's published text: the reasons if set aside.")


class MilestoneSerializer(serializers.ModelSerializer):
    stage_label = serializers.CharField(source="get_stage_display")
    photo = serializers.SerializerMethodField(help_text="Its photo's address, absolute, if any.")

    class Meta:
        model = Milestone
        fields = ["date", "stage", "stage_label", "progress", "note", "language", "photo"]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_photo(self, milestone) -> str | None:
        if not milestone.photo:
            return None
        return absolute(self.context["request"], lambda: reverse("budgeting:milestone_photo", args=[milestone.pk]))


REVIEWED = {
    ProjectStatus.FEASIBLE: "feasible",
    ProjectStatus.SELECTED: "feasible",
    ProjectStatus.NOT_SELECTED: "feasible",
    ProjectStatus.SET_ASIDE: "set_aside",
}


class ProjectSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    number = serializers.IntegerField(source="pk", help_text="Its number on the ballot (the ballot's choices use it).")
    reference = serializers.CharField(help_text="The reference shown on its page, e.g. B-00042.")
    url = serializers.SerializerMethodField(help_text="Its public page, absolute.")
    cycle = serializers.UUIDField(source="cycle.uuid", help_text="The cycle's id.")
    budget = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    district = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    point = serializers.SerializerMethodField()
    estimated_cost = serializers.DecimalField(
        max_digits=16, decimal_places=2, allow_null=True, read_only=True, help_text="As the proposer estimated it."
    )
    cost = serializers.DecimalField(
        max_digits=16, decimal_places=2, allow_null=True, read_only=True, help_text="As the review assessed it."
    )
    currency = serializers.CharField(source="cycle.currency", help_text="ISO 4217, of both costs.")
    proposed_by = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display")
    review = serializers.SerializerMethodField()
    votes = serializers.SerializerMethodField(help_text="Once the results are published; null before.")
    stage_label = serializers.CharField(source="get_stage_display")
    milestones = serializers.SerializerMethodField(help_text="The works' steps, newest first (funded projects).")

    class Meta:
        model = Project
        fields = [
            "id",
            "number",
            "reference",
            "url",
            "cycle",
            "budget",
            "title",
            "description",
            "language",
            "district",
            "point",
            "estimated_cost",
            "cost",
            "currency",
            "proposed_by",
            "status",
            "status_label",
            "review",
            "votes",
            "stage",
            "stage_label",
            "progress",
            "milestones",
            "created_at",
        ]

    def get_url(self, project) -> str:
        return absolute(self.context["request"], project.get_absolute_url)

    @extend_schema_field(PointSerializer(allow_null=True))
    def get_point(self, project) -> dict | None:
        return project.point

    @extend_schema_field(ProposerSerializer)
    def get_proposed_by(self, project) -> dict:
        organisation = project.organisation if project.organisation_id else None
        return {"name": str(project.signature()), "organisation": organisation.slug if organisation else None}

    @extend_schema_field(ReviewSerializer)
    def get_review(self, project) -> dict:
        return {"outcome": REVIEWED.get(project.status, "pending"), "note": project.review_note}

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_votes(self, project) -> int | None:
        return project.votes if results_published(project.cycle) else None

    @extend_schema_field(MilestoneSerializer(many=True))
    def get_milestones(self, project) -> list:
        return MilestoneSerializer(project.milestones.all(), many=True, context=self.context).data


class WinnerSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    cost = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    votes = serializers.IntegerField(allow_null=True)


class RoundSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="funded, skipped_over_budget, below_threshold, stopped_no_skip, …")
    explanation = serializers.CharField(help_text="The round in a sentence, in the language asked for.")
    data = serializers.DictField(help_text="The round as counted: project (number), votes, cost, remaining, round.")


class BudgetResultSerializer(serializers.Serializer):
    budget = serializers.SlugField()
    name = TRANSLATIONS_FIELD
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    currency = serializers.CharField()
    rule = serializers.CharField(help_text="The counting rule, e.g. mes-add1.")
    rule_label = serializers.CharField()
    ballots = serializers.IntegerField(help_text="Ballots counted in this budget.")
    money_used = serializers.DecimalField(max_digits=16, decimal_places=2)
    winners = WinnerSerializer(many=True)
    rounds = RoundSerializer(many=True)
    ballots_file = serializers.URLField(help_text="The anonymised ballots as a Pabulib .pb file, absolute.")
    ballots_file_sha256 = serializers.CharField()
    computed_at = serializers.DateTimeField()


class ResultsSerializer(serializers.Serializer):
    cycle = serializers.UUIDField()
    published = serializers.BooleanField(help_text="False before publication: then `budgets` is empty.")
    published_at = serializers.DateTimeField(allow_null=True)
    budgets = BudgetResultSerializer(many=True)


class ProjectChoiceSerializer(serializers.Serializer):
    number = serializers.IntegerField(source="pk", help_text="What the ballot's choices name it by.")
    id = serializers.UUIDField(source="uuid")
    title = serializers.CharField()
    language = serializers.CharField()
    cost = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    point = PointSerializer(allow_null=True)


class BallotBudgetSerializer(BudgetSerializer):
    projects = serializers.SerializerMethodField()

    class Meta(BudgetSerializer.Meta):
        fields = [*BudgetSerializer.Meta.fields, "projects"]

    @extend_schema_field(ProjectChoiceSerializer(many=True))
    def get_projects(self, budget) -> list:
        return ProjectChoiceSerializer(self.context["projects"].get(budget.pk, []), many=True).data


CHOICES_FIELD = serializers.DictField(
    child=serializers.DictField(child=serializers.IntegerField(min_value=0)),
    help_text="{budget slug: {project number: points}}: points are 1 but under a cumulative rule.",
)


class BallotSerializer(serializers.Serializer):
    cycle = serializers.UUIDField()
    voting_open = serializers.BooleanField()
    voted = serializers.BooleanField(help_text="This person voted in this cycle already, online or on paper.")
    rules = RulesSerializer()
    budgets = BallotBudgetSerializer(many=True, help_text="The budgets this person may vote in, with their projects.")
    draft = CHOICES_FIELD


class CastSerializer(serializers.Serializer):
    choices = CHOICES_FIELD


class ReceiptSerializer(serializers.Serializer):
    receipt = serializers.CharField(help_text="Shown once: it finds the ballot in the published file, never the voter.")


# Filters --------------------------------------------------------------------------------------------


class CycleFilter(filters.FilterSet):
    body = filters.CharFilter(field_name="body__slug", help_text="A public body's slug.")
    phase = filters.ChoiceFilter(choices=Phase.choices)

    class Meta:
        model = Cycle
        fields: list[str] = []


class ProjectFilter(filters.FilterSet):
    """The filters of a cycle's projects page, under the same names."""

    cycle = filters.CharFilter(field_name="cycle__slug", help_text="A cycle's slug.")
    budget = filters.CharFilter(field_name="budget__slug", help_text="A budget's slug (with `cycle`: one budget).")
    district = filters.CharFilter(field_name="district__slug", help_text="A district's slug.")
    status = filters.ChoiceFilter(choices=ProjectStatus.choices)
    stage = filters.ChoiceFilter(choices=Stage.choices, help_text="The works' stage (funded projects).")

    class Meta:
        model = Project
        fields: list[str] = []


# Views ----------------------------------------------------------------------------------------------

BALLOT_PROBLEMS = {
    (401, PROBLEM_CONTENT_TYPE): OpenApiResponse(ProblemSerializer, description="No token or session."),
    (403, PROBLEM_CONTENT_TYPE): OpenApiResponse(
        ProblemSerializer, description="Not a verified resident of the cycle's body, or not old enough: cannot vote."
    ),
    (404, PROBLEM_CONTENT_TYPE): OpenApiResponse(ProblemSerializer, description="No such published cycle."),
}


@extend_schema(tags=["budgeting"])
class CycleViewSet(PublicReadOnlyViewSet):
    """Participatory budgeting cycles: their calendar, rules, budgets and groups; their results; the ballot."""

    serializer_class = CycleSerializer
    filterset_class = CycleFilter
    lookup_field = "uuid"
    throttle_key = "ip"

    def get_queryset(self):
        return (
            Cycle.objects.public()
            .select_related("body")
            .prefetch_related(
                Prefetch("budgets", queryset=Budget.objects.select_related("district", "cycle")), "groups"
            )
            .order_by("-voting_opens_at", "pk")
        )

    def attach_context(self, pages):
        return pages

    @extend_schema(summary="One published cycle", responses={200: CycleSerializer, **PROBLEM_RESPONSES})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="The results of a cycle: per budget the winners, money used, rounds and the ballots' file",
        filters=False,
        responses={200: ResultsSerializer, **PROBLEM_RESPONSES},
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def results(self, request, uuid=None):
        cycle = self.get_object()
        published = results_published(cycle)
        rows = (
            Result.objects.filter(cycle=cycle)
            .select_related("budget", "cycle")
            .prefetch_related(Prefetch("selected", queryset=Project.objects.order_by("pk")))
            if published
            else Result.objects.none()
        )
        data = {
            "cycle": cycle.uuid,
            "published": published,
            "published_at": cycle.results_published_at if published else None,
            "budgets": [result_data(request, cycle, result) for result in rows],
        }
        return Response(ResultsSerializer(data).data)

    @extend_schema(
        summary="The ballot of the voter authenticated: the budgets they may vote in, whether they voted, their draft",
        filters=False,
        request=None,
        responses={200: BallotSerializer, **BALLOT_PROBLEMS},
    )
    @action(
        detail=True,
        methods=["get"],
        filterset_class=None,
        pagination_class=None,
        authentication_classes=(TokenAuthentication, SessionAuthentication),
        permission_classes=(IsAuthenticated,),
    )
    def ballot(self, request, uuid=None):
        cycle = self.get_object()
        budgets = self._budgets(cycle, request.user)
        projects: dict[int, list[Project]] = {}
        for project in Project.objects.filter(budget__in=budgets, status=ProjectStatus.FEASIBLE).order_by("pk"):
            projects.setdefault(project.budget_id, []).append(project)
        draft = BallotDraft.objects.filter(cycle=cycle, user=request.user).values_list("choices", flat=True).first()
        data = {
            "cycle": cycle.uuid,
            "voting_open": cycle.is_voting_open(),
            "voted": services.has_voted(cycle, request.user),
            "rules": cycle,
            "budgets": budgets,
            "draft": draft or {},
        }
        context = {**self.get_serializer_context(), "projects": projects}
        response = Response(BallotSerializer(data, context=context).data)
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(
        summary="Cast the ballot (once: online or on paper); answers the receipt code",
        filters=False,
        request=CastSerializer,
        responses={
            201: ReceiptSerializer,
            (400, PROBLEM_CONTENT_TYPE): OpenApiResponse(
                ProblemSerializer,
                description="The ballot breaks the rule: over budget, too many projects, another district's, empty.",
            ),
            **BALLOT_PROBLEMS,
            (409, PROBLEM_CONTENT_TYPE): OpenApiResponse(
                ProblemSerializer, description="Voting is not open, or this person has voted already."
            ),
        },
    )
    @ballot.mapping.put
    def cast(self, request, uuid=None):
        # The cycle alone (no budgets, no groups), read lean: cast_ballot reads what it needs, once.
        cycle = ballots.read_cycle(uuid)
        if cycle is None:
            raise NotFound
        self.check_object_permissions(request, cycle)
        serializer = CastSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            code = services.cast_ballot(cycle, request.user, serializer.validated_data["choices"])
        except services.NotEligible as refusal:
            raise PermissionDenied(str(refusal)) from None
        except (services.VotingClosed, services.AlreadyVoted) as refusal:
            raise Conflict(str(refusal)) from None
        except services.BudgetingRefused as refusal:
            raise InvalidBallot(str(refusal)) from None
        response = Response(ReceiptSerializer({"receipt": code}).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "private, no-store"
        return response

    def get_throttles(self):
        if self.request.method == "PUT":
            # The rate of the ballot page's steps, counted apart (budgeting.ballot.rest), per person.
            self.throttle_rate, self.throttle_group, self.throttle_key = "budgeting.ballot", "", "user"
        return super().get_throttles()

    @staticmethod
    def _budgets(cycle: Cycle, user) -> list[Budget]:
        """The budgets `user` votes in; a 403 saying why when they cannot vote in this cycle."""
        try:
            return services.voter_budgets(cycle, user)
        except services.BudgetingRefused as refusal:
            raise PermissionDenied(str(refusal)) from None


def result_data(request, cycle: Cycle, result: Result) -> dict:
    budget = result.budget
    winners = list(result.selected.all())
    titles = {str(pk): title for pk, title in budget.projects.on_ballot().values_list("pk", "title")}
    address = absolute(request, lambda: reverse("budgeting:ballots_file", args=[cycle.slug, budget.slug]))
    if not address and result.pb_file:
        address = request.build_absolute_uri(result.pb_file.url)
    return {
        "budget": budget.slug,
        "name": translations(budget, "name"),
        "amount": budget.amount,
        "currency": cycle.currency,
        "rule": result.rule,
        "rule_label": result.get_rule_display(),
        "ballots": result.ballots,
        "money_used": result.money_used,
        "winners": [
            {
                "id": project.uuid,
                "number": project.pk,
                "title": project.title,
                "cost": project.cost,
                "votes": project.votes,
            }
            for project in winners
        ],
        "rounds": [
            {"code": str(step.get("code", "")), "explanation": explain(step, cycle.currency, titles), "data": step}
            for step in result.rounds
            if isinstance(step, dict)
        ],
        "ballots_file": address,
        "ballots_file_sha256": result.pb_sha256,
        "computed_at": result.computed_at,
    }


@extend_schema(tags=["budgeting"])
class ProjectViewSet(PublicReadOnlyViewSet):
    """Projects of the published cycles (not withdrawn): costs, district, review, status, votes once published,
    works."""

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    lookup_field = "uuid"
    throttle_key = "ip"

    def get_queryset(self):
        return (
            Project.objects.public()
            .select_related("cycle", "budget", "district", "organisation", "author")
            .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("-date", "-pk")))
            .order_by("-cycle__voting_opens_at", "pk")
        )

    def attach_context(self, pages):
        return pages

    @extend_schema(summary="One project", responses={200: ProjectSerializer, **PROBLEM_RESPONSES})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)
