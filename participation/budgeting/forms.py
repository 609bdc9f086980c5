"""The public forms of participatory budgeting: the projects' filters, submitting a project, a receipt code to
check, and the ballot as a browser sends it.

Forms check and normalise what people typed; the services decide (a point outside the territory, a ballot over
budget) and their refusals come back as the form's errors.
"""

from django import forms
from django.conf import settings
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Organisation
from portal.bodies.models import District
from portal.forms import HoneypotMixin, PromptedChoicesMixin, latitude_field, longitude_field

from .models import BallotRule, Budget, Cycle, ProjectStatus
from .services import Choices, ProjectDraft, districts_of

# What the public sees of a project's status (withdrawn projects are not shown).
PUBLIC_STATUSES = [status for status in ProjectStatus if status != ProjectStatus.WITHDRAWN]


class ProjectFilterForm(PromptedChoicesMixin, forms.Form):
    budget = forms.ModelChoiceField(
        label=_("Budget"), queryset=Budget.objects.none(), to_field_name="slug", required=False
    )
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none(), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *((s.value, s.label) for s in PUBLIC_STATUSES)]
    )

    def __init__(self, *args, cycle: Cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget"].queryset = cycle.budgets.all()
        self.fields["budget"].empty_label = _("All")
        self.fields["district"].queryset = districts_of(cycle).order_by("slug")
        self.fields["district"].empty_label = _("All")

    def filter(self, projects):
        """`projects` kept by each valid filter."""
        data = self.cleaned_data if self.is_valid() else {}
        for name in ("budget", "district", "status"):
            if value := data.get(name):
                projects = projects.filter(**{name: value})
        return projects


class ProjectForm(HoneypotMixin, PromptedChoicesMixin, forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("What should be built or done, and where, in a few words."),
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=settings.PROPOSALS_MAX_TEXT_LENGTH,
        help_text=_("What it is, whom it would serve, why it matters."),
        widget=forms.Textarea(attrs={"rows": 8, "dir": "auto"}),
    )
    budget = forms.ModelChoiceField(
        label=_("Budget"),
        queryset=Budget.objects.none(),
        required=False,
        help_text=_("Your district's budget or the city-wide one; when empty, the budget of the point's district."),
    )
    longitude = longitude_field()
    latitude = latitude_field()
    estimated_cost = forms.DecimalField(
        label=_("Estimated cost"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("Your estimate; the council's review sets the cost on the ballot."),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "dir": "ltr"}),
    )
    organisation = forms.ModelChoiceField(label=_("On behalf of"), queryset=Organisation.objects.none(), required=False)

    def __init__(self, *args, cycle: Cycle, district: District | None, user, **kwargs):
        super().__init__(*args, **kwargs)
        budgets = cycle.budgets.filter(district__isnull=True)
        if district is not None:
            budgets = budgets | cycle.budgets.filter(district=district)
        self.fields["budget"].queryset = budgets.select_related("district")
        self.fields["budget"].empty_label = _("The budget of the point's district")
        organisations = Organisation.objects.approved().filter(memberships__user=user).order_by("name")
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = pgettext_lazy("on behalf of", "Myself")
        if not organisations.exists():
            del self.fields["organisation"]
        self.add_honeypot()

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("longitude") is None) != (cleaned.get("latitude") is None):
            raise forms.ValidationError(_("Give both the longitude and the latitude of the point, or neither."))
        return cleaned

    def draft(self) -> ProjectDraft:
        data = self.cleaned_data
        return ProjectDraft(
            title=data["title"],
            description=data["description"],
            language=(get_language() or settings.LANGUAGE_CODE).split("-")[0],
            budget=data["budget"],
            longitude=data["longitude"],
            latitude=data["latitude"],
            estimated_cost=data["estimated_cost"],
            organisation=data.get("organisation"),
        )


class ReceiptForm(forms.Form):
    code = forms.CharField(
        label=_("Receipt code"),
        max_length=40,
        help_text=_("The code you were shown when you confirmed your ballot, such as ABCD-EFGH-JKMN."),
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off", "autocapitalize": "characters"}),
    )


# The ballot ------------------------------------------------------------------------------------------------------
# A browser sends, per budget, `choice-<budget slug>` (the ids of the chosen projects: checkboxes, or one radio)
# or, for cumulative ballots, `points-<budget slug>-<project id>` (a number per project).


def choice_name(budget: Budget) -> str:
    return f"choice-{budget.slug}"


def points_name(budget: Budget, project_id: int) -> str:
    return f"points-{budget.slug}-{project_id}"


class BadBallot(ValueError):
    """The ballot as sent is not well formed (not a number where one is needed)."""


def read_ballot(data, cycle: Cycle, budgets: list[Budget], projects_of: dict[int, list]) -> Choices:
    """The choices a ballot form sent for `budgets` ({slug: {project id: points}}); budgets with nothing chosen
    are left out. Which projects may be chosen is the services' to check (validate_choices)."""
    choices: Choices = {}
    for budget in budgets:
        chosen: dict[int, int] = {}
        if cycle.ballot_rule == BallotRule.CUMULATIVE:
            for project in projects_of.get(budget.pk, []):
                text = (data.get(points_name(budget, project.pk)) or "").strip()
                if not text:
                    continue
                try:
                    points = int(text)
                except ValueError:
                    raise BadBallot(text) from None
                if points:
                    chosen[project.pk] = points
        else:
            for value in data.getlist(choice_name(budget)):
                if value == "":
                    continue  # "none of these" of a choose-one ballot
                try:
                    chosen[int(value)] = 1
                except ValueError:
                    raise BadBallot(value) from None
        if chosen:
            choices[budget.slug] = chosen
    return choices


def draft_choices(draft_choices: dict) -> Choices:
    """A stored draft's choices (JSON: string keys) as the ballot form reads them."""
    choices: Choices = {}
    for slug, chosen in (draft_choices or {}).items():
        try:
            choices[slug] = {int(pk): int(points) for pk, points in chosen.items()}
        except (TypeError, ValueError, AttributeError):
            continue
    return choices
