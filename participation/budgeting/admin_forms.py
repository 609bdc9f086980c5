"""The forms of the budgeting staff screens: they read and check what staff typed, offering only the bodies,
districts, budgets and records of the cycle's body; services.py makes the move.

A choice offered from a queryset is checked against it when the form is sent, so a forged POST naming a body,
district, budget, proposal, payment or decision of another body is refused like a mistyped one.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput

from cms.models import DecisionPage
from opendata.spending.models import Payment
from participation.proposals.models import Proposal
from participation.proposals.models import Status as ProposalStatus
from portal.bodies.models import PublicBody
from portal.forms import latitude_field, longitude_field
from portal.money import format_money

from . import services
from .models import (
    PHASE_STARTS,
    BallotRule,
    Budget,
    BudgetGroup,
    Cycle,
    PaperBallot,
    Project,
    ProjectStatus,
    RulesLocked,
    Stage,
)

TEXTAREA = {"rows": 3, "dir": "auto"}
RULES_LOCKED = _("The rules of a cycle cannot change once voting has opened (%(fields)s).")
BUDGETS_LOCKED = _("Budgets cannot change once voting has opened.")


# Cycles ------------------------------------------------------------------------------------------------------


def _same(stored, sent) -> bool:
    """Whether a locked field's value sent back is the one stored (date-times to the minute the form shows)."""
    if isinstance(stored, datetime.datetime) and isinstance(sent, datetime.datetime):
        return stored.replace(second=0, microsecond=0) == sent.replace(second=0, microsecond=0)
    return stored == sent


class CycleForm(WagtailAdminModelForm):
    """A cycle's texts, calendar and rules. Its body is chosen once, among the person's; from voting on, the rule
    fields (Cycle.RULE_FIELDS) are shown read-only and a POST that changes them is refused."""

    def __init__(self, *args, bodies: QuerySet[PublicBody], **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["body"]
        else:
            self.fields["body"].queryset = bodies
        self.locked_fields = list(Cycle.RULE_FIELDS) if self.instance.pk and self.instance.rules_locked else []
        for name in self.locked_fields:
            self.fields[name].disabled = True
            self.fields[name].help_text = _("Locked: voting has opened.")
        for name in ("description_ar", "description_fr", "description_en"):
            self.fields[name].widget.attrs.update({"rows": 6, "dir": "auto"})

    def clean(self):
        data = super().clean()
        forged = []
        for name in self.locked_fields:
            field, key = self.fields[name], self.add_prefix(name)
            stored = getattr(self.instance, name)
            if key in self.data:  # a browser sends no disabled field: someone typed this POST
                try:
                    sent = field.to_python(field.widget.value_from_datadict(self.data, self.files, key))
                except ValidationError:
                    sent = object()
                if not _same(stored, sent):
                    forged.append(str(field.label))
            # Exactly what is stored (the form's initial value lost the seconds).
            data[name] = stored
        if forged:
            raise RulesLocked(RULES_LOCKED % {"fields": ", ".join(forged)})
        return data

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Cycle.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("Another cycle has this slug."))
        return slug

    class Meta:
        model = Cycle
        fields = [
            "body",
            "slug",
            "title_ar",
            "title_fr",
            "title_en",
            "description_ar",
            "description_fr",
            "description_en",
            "currency",
            "information_at",
            "submission_at",
            "review_at",
            "costs_at",
            "voting_opens_at",
            "voting_closes_at",
            "ballot_rule",
            "max_projects",
            "min_spend_share",
            "points",
            "max_points_per_project",
            "counting_rule",
            "threshold",
            "min_age",
        ]
        widgets = {name: AdminDateTimeInput for name in (*PHASE_STARTS.values(), "voting_closes_at")}


class CycleChildForm(forms.ModelForm):
    """A budget or a group of one cycle (the formsets give it `cycle`)."""

    def __init__(self, *args, cycle: Cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        for name in ("name_ar", "name_fr", "name_en"):
            self.fields[name].widget.attrs["dir"] = "auto"


class BudgetForm(CycleChildForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = services.districts_of(self.cycle).order_by("name_ar")
        self.fields["district"].empty_label = _("City-wide")
        self.fields["group"].queryset = self.cycle.groups.all()

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise ValidationError(_("A budget's amount must be more than zero."))
        return amount

    class Meta:
        model = Budget
        fields = ["slug", "name_ar", "name_fr", "name_en", "district", "group", "amount"]


class BudgetGroupForm(CycleChildForm):
    def clean_max_budgets(self):
        count = self.cleaned_data["max_budgets"]
        if count is not None and count < 1:
            raise ValidationError(_("A voter may vote in at least one budget of the group."))
        return count

    class Meta:
        model = BudgetGroup
        fields = ["name_ar", "name_fr", "name_en", "max_budgets"]


class LockedFormSet(BaseInlineFormSet):
    """Budgets and groups change until voting opens; after, whatever the POST says, nothing changes."""

    def clean(self):
        super().clean()
        if self.instance.rules_locked:
            raise RulesLocked(BUDGETS_LOCKED)


BudgetFormSetFactory = inlineformset_factory(
    Cycle, Budget, form=BudgetForm, formset=LockedFormSet, extra=1, can_delete=True
)
GroupFormSetFactory = inlineformset_factory(
    Cycle, BudgetGroup, form=BudgetGroupForm, formset=LockedFormSet, extra=1, can_delete=True
)


class MoveForm(forms.Form):
    phase = forms.ChoiceField(choices=(), widget=forms.HiddenInput)
    note = forms.CharField(max_length=500, required=False, label=_("Note for the history"))

    def __init__(self, *args, phases: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].choices = phases


# Projects ----------------------------------------------------------------------------------------------------


@dataclass
class ProjectFilter:
    status: str = ""
    budget: Budget | None = None


class ProjectFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", _("Any status")), *ProjectStatus.choices], required=False, label=_("Status")
    )
    budget = forms.ModelChoiceField(
        queryset=Budget.objects.none(), required=False, empty_label=_("Any budget"), label=_("Budget")
    )

    def __init__(self, *args, cycle: Cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget"].queryset = cycle.budgets.all()

    def chosen(self) -> ProjectFilter:
        if not self.is_valid():
            return ProjectFilter()
        return ProjectFilter(self.cleaned_data["status"], self.cleaned_data["budget"])


class ReviewForm(forms.Form):
    FEASIBLE, SET_ASIDE = "feasible", "set_aside"

    outcome = forms.ChoiceField(
        choices=[(FEASIBLE, _("Put on the ballot at this cost")), (SET_ASIDE, _("Set aside, with the reasons"))],
        widget=forms.RadioSelect,
        label=_("Outcome"),
    )
    cost = forms.DecimalField(
        max_digits=16, decimal_places=2, min_value=Decimal("0.01"), required=False, label=_("Cost")
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        required=False,
        label=_("Review"),
        help_text=_("Published. Required when the project is set aside: the reasons the public reads."),
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cost"].help_text = _("In %(currency)s; the whole budget is %(amount)s.") % {
            "currency": project.cycle.currency,
            "amount": format_money(project.budget.amount, project.cycle.currency),
        }
        if not self.is_bound:
            self.initial = {"cost": project.cost or project.estimated_cost, "note": project.review_note}

    @property
    def feasible(self) -> bool:
        return self.cleaned_data["outcome"] == self.FEASIBLE


class CycleBudgetForm(forms.Form):
    """A form about one cycle whose budget is one of its own."""

    budget = forms.ModelChoiceField(queryset=Budget.objects.none(), label=_("Budget"))

    def __init__(self, *args, cycle: Cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        self.fields["budget"].queryset = cycle.budgets.select_related("district")


class FromProposalForm(CycleBudgetForm):
    proposal = forms.ModelChoiceField(queryset=Proposal.objects.none(), label=_("Accepted proposal"))
    note = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA),
        label=_("Note"),
        help_text=_("Shown on the proposal: the cycle and budget it went to."),
    )
    field_order = ["proposal", "budget", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # What services.project_from_proposal accepts: accepted proposals of the spaces of the cycle's body.
        self.fields["proposal"].queryset = (
            Proposal.objects.filter(
                status=ProposalStatus.ACCEPTED,
                space__body__path__startswith=self.cycle.body.path,
                budgeting_project__isnull=True,
            )
            .select_related("space")
            .order_by("-pk")
        )
        self.fields["proposal"].label_from_instance = lambda proposal: f"{proposal.reference} · {proposal.title}"


class AddProjectForm(CycleBudgetForm):
    title = forms.CharField(max_length=200, label=_("Title"), widget=forms.TextInput(attrs={"dir": "auto"}))
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}), label=_("Description"))
    language = forms.ChoiceField(choices=settings.LANGUAGES, label=_("Language of the texts"))
    longitude = longitude_field()
    latitude = latitude_field()
    estimated_cost = forms.DecimalField(
        max_digits=16, decimal_places=2, required=False, min_value=Decimal("0.01"), label=_("Estimated cost")
    )
    field_order = ["title", "description", "language", "budget", "longitude", "latitude", "estimated_cost"]

    def draft(self) -> services.ProjectDraft:
        data = self.cleaned_data
        return services.ProjectDraft(
            title=data["title"],
            description=data["description"],
            language=data["language"],
            budget=data["budget"],
            longitude=data["longitude"],
            latitude=data["latitude"],
            estimated_cost=data["estimated_cost"],
        )


# Paper ballots -----------------------------------------------------------------------------------------------


class PaperBallotForm(forms.Form):
    """A paper ballot as the officer reads it: the station, the voter's identity number and district, and the
    choices in every budget the cycle has (the service refuses those of a budget not the voter's)."""

    station = forms.CharField(max_length=100, label=_("Polling station"))
    identity_number = forms.CharField(
        max_length=50,
        label=_("Number of the voter's identity document"),
        help_text=_("Kept only as a keyed hash: the register refuses a second ballot of the same person."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr", "spellcheck": "false"}),
    )
    district = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label=_("None (city-wide budgets only)"),
        label=_("The voter's district"),
    )

    def __init__(self, *args, cycle: Cycle, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.cycle = cycle
        self.fields["district"].queryset = services.districts_of(cycle).order_by("name_ar")
        self.budgets: list[dict] = []
        feasible = cycle.projects.filter(status=ProjectStatus.FEASIBLE).order_by("pk")
        for budget in cycle.budgets.select_related("district"):
            projects = [project for project in feasible if project.budget_id == budget.pk]
            self.budgets.append({"budget": budget, "names": self._add_fields(budget, projects)})

    def _add_fields(self, budget: Budget, projects: list[Project]) -> list[str]:
        rule = self.cycle.ballot_rule
        if rule == BallotRule.CHOOSE_ONE:
            name = f"budget-{budget.slug}"
            self.fields[name] = forms.TypedChoiceField(
                choices=[("", _("No choice")), *((project.pk, self._label(project)) for project in projects)],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                label=budget.name,
            )
            return [name]
        names = []
        for project in projects:
            name = f"budget-{budget.slug}-{project.pk}"
            if rule == BallotRule.CUMULATIVE:
                self.fields[name] = forms.IntegerField(
                    min_value=0, max_value=self.cycle.points, required=False, label=self._label(project)
                )
            else:
                self.fields[name] = forms.BooleanField(required=False, label=self._label(project))
            names.append(name)
        return names

    def sections(self) -> list[dict]:
        """Per budget, the fields of its projects, as the template lays them out."""
        return [
            {"budget": entry["budget"], "fields": [self[name] for name in entry["names"]]} for entry in self.budgets
        ]

    def _label(self, project: Project) -> str:
        cost = "" if project.cost is None else f" · {format_money(project.cost, self.cycle.currency)}"
        return f"{project.reference} · {project.title}{cost}"

    def choices(self) -> services.Choices:
        """What the voter chose, per budget slug ({project id: points}); budgets left blank are left out."""
        chosen: services.Choices = {}
        for entry in self.budgets:
            budget: Budget = entry["budget"]
            points: dict[int, int] = {}
            for name in entry["names"]:
                value = self.cleaned_data.get(name)
                if self.cycle.ballot_rule == BallotRule.CHOOSE_ONE:
                    if value is not None:
                        points[int(value)] = 1
                elif value:
                    points[int(name.rsplit("-", 1)[1])] = int(value)
            if points:
                chosen[budget.slug] = points
        return chosen


class PaperCheckForm(forms.Form):
    ACCEPT, REJECT = "accept", "reject"

    decision = forms.ChoiceField(choices=[(ACCEPT, _("Count it")), (REJECT, _("Reject it"))])
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}), required=False, label=_("Reason for rejection")
    )

    @property
    def accept(self) -> bool:
        return self.cleaned_data["decision"] == self.ACCEPT


def paper_choices_display(paper: PaperBallot, projects: dict[int, Project], budgets: dict[str, Budget]) -> list:
    """A pending paper ballot's choices as the checking officer compares them with the paper: per budget, the
    projects and their points."""
    shown = []
    for slug, chosen in paper.choices.items():
        budget = budgets.get(slug)
        items = [(projects.get(int(pk)), points) for pk, points in chosen.items()]
        shown.append({"budget": budget or slug, "projects": items})
    return shown


# Works -------------------------------------------------------------------------------------------------------


class ProgressForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices, label=_("Stage of the works"))
    progress = forms.IntegerField(min_value=0, max_value=100, label=_("Progress (%)"))
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}), label=_("What happened"))
    language = forms.ChoiceField(choices=settings.LANGUAGES, label=_("Language of the note"))
    on = forms.DateField(required=False, label=_("Date"), help_text=_("Empty for today."), widget=AdminDateInput)
    photo = forms.FileField(
        required=False, label=_("Photo"), widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial = {"stage": project.stage, "progress": project.progress, "language": project.language}

    def progress_update(self) -> services.Progress:
        data = self.cleaned_data
        photo = data.get("photo")
        upload = services.Upload(photo.name, photo.read()) if photo else None
        return services.Progress(
            stage=data["stage"],
            progress=data["progress"],
            note=data["note"],
            language=data["language"],
            on=data["on"],
            photo=upload,
        )


class PaymentLinkForm(forms.Form):
    payment = forms.ModelChoiceField(queryset=Payment.objects.none(), label=_("Payment"))

    def __init__(self, *args, project: Project, search: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        payments = (
            Payment.objects.filter(body__path__startswith=project.cycle.body.path)
            .exclude(pk__in=project.payments.values("pk"))
            .select_related("supplier")
            .order_by("-date", "-pk")
        )
        if search:
            payments = payments.filter(reference__icontains=search) | payments.filter(purpose__icontains=search)
        self.fields["payment"].queryset = payments
        self.fields["payment"].label_from_instance = _payment_label


def _payment_label(payment: Payment) -> str:
    parts = [
        payment.reference or str(payment.fiscal_year),
        format_money(payment.amount, payment.currency),
        payment.supplier.name,
    ]
    if payment.purpose:
        parts.append(payment.purpose[:60])
    return " · ".join(parts)


class DecisionLinkForm(forms.Form):
    decision = forms.ModelChoiceField(queryset=DecisionPage.objects.none(), label=_("Council decision"))

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = (
            DecisionPage.objects.live()
            .filter(body__path__startswith=project.cycle.body.path)
            .exclude(pk__in=project.decisions.values("pk"))
            .order_by("-decision_date", "-pk")
        )
        self.fields["decision"].label_from_instance = lambda page: f"{page.reference} · {page.title}"
