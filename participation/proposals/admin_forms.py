"""The forms of the proposals' staff screens: they read and check what staff typed; services.py makes the move."""

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from portal.bodies.models import District

from .models import OPEN_STATUSES, ModerationEntry, Proposal, Space, Status
from .workflow import OUTCOMES


@dataclass
class ProposalFilter:
    space: Space | None = None
    status: str = ""
    overdue: bool = False
    reported: bool = False


class ProposalFilterForm(forms.Form):
    space = forms.ModelChoiceField(queryset=Space.objects.none(), required=False, label=_("Space"))
    status = forms.ChoiceField(
        choices=[("", _("Any status")), *[(value, label) for value, label in Status.choices if value != Status.DRAFT]],
        required=False,
        label=_("Status"),
    )
    overdue = forms.BooleanField(required=False, label=_("Answer overdue only"))
    reported = forms.BooleanField(required=False, label=_("With open reports only"))

    def __init__(self, *args, spaces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = spaces.select_related("body")

    def chosen(self) -> ProposalFilter:
        if not self.is_valid():
            return ProposalFilter()
        data = self.cleaned_data
        return ProposalFilter(data["space"], data["status"], data["overdue"], data["reported"])


class ProposalForm(forms.Form):
    """A form about one proposal (some of its choices depend on it)."""

    def __init__(self, *args, proposal: Proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal = proposal


class AnswerForm(ProposalForm):
    outcome = forms.ChoiceField(choices=(), label=_("Outcome"))
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
        label=_("Answer"),
        help_text=_(
            "Public, signed and dated. Say why when the proposal is rejected or not within the council's powers."
        ),
    )
    language = forms.ChoiceField(choices=settings.LANGUAGES, label=_("Language of the answer"))

    def __init__(self, *args, outcomes=OUTCOMES, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [(status.value, status.label) for status in OUTCOMES if status in outcomes]
        self.fields["language"].initial = self.proposal.language


class ReasonForm(ProposalForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        label=_("Reason"),
        help_text=_("The author is told; a hidden comment shows it in its place."),
    )


class OptionalReasonForm(ProposalForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}), required=False, label=_("Reason (optional)")
    )


class MergeForm(ProposalForm):
    into = forms.ModelChoiceField(queryset=Proposal.objects.none(), label=_("Merge into"))
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}), label=_("Reason"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The other open proposals of the same space: what services.merge accepts.
        self.fields["into"].queryset = (
            Proposal.objects.filter(space=self.proposal.space_id, status__in=OPEN_STATUSES)
            .exclude(pk=self.proposal.pk)
            .order_by("-supports_count", "pk")
        )
        self.fields["into"].label_from_instance = lambda proposal: f"{proposal.reference} · {proposal.title}"


class ConvertForm(ProposalForm):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        label=_("Note"),
        help_text=_("The budgeting cycle and project it became, as the public will read it."),
    )


class EmptyForm(ProposalForm):
    pass


class ModerationLogFilterForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("", _("Any action")), *ModerationEntry.Action.choices], required=False, label=_("Action")
    )


# Spaces ------------------------------------------------------------------------------------------------------


class SpaceForm(WagtailAdminModelForm):
    """A space's districts are among those of its body (and of the bodies below it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "districts" in self.fields:
            body = self.instance.body
            self.fields["districts"].queryset = District.objects.filter(body__path__startswith=body.path)

    def clean(self):
        data = super().clean()
        body, districts = data.get("body"), data.get("districts")
        if body is not None and districts:
            outside = [district for district in districts if not district.body.path.startswith(body.path)]
            if outside:
                self.add_error(
                    "districts",
                    _("These districts are not of %(body)s: %(names)s")
                    % {"body": body, "names": ", ".join(str(district) for district in outside)},
                )
        opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", _("The space cannot close before it opens."))
        return data

    class Meta:
        model = Space
        fields = [
            "body",
            "slug",
            "title_ar",
            "title_fr",
            "title_en",
            "rules_ar",
            "rules_fr",
            "rules_en",
            "districts",
            "support_threshold",
            "answer_days",
            "opens_on",
            "closes_on",
            "currency",
        ]
