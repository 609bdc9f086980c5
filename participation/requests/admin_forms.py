"""The forms of the officers' inbox: they read and check what an officer typed; services.py does the move."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.bodies.models import PublicBody

from .inbox import InboxFilter
from .models import Appeal, Case, RefusalReason, Status
from .services import Upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def uploads_of(files) -> list[Upload]:
    return [Upload(uploaded.name, uploaded.read()) for uploaded in files]


def marked_words(text: str) -> list[str]:
    """One word or phrase to hide per line, blank lines dropped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class InboxFilterForm(forms.Form):
    body = forms.ModelChoiceField(queryset=PublicBody.objects.none(), required=False, label=_("Body"))
    status = forms.ChoiceField(
        choices=[("", _("Any status")), *[(value, label) for value, label in Status.choices if value != Status.DRAFT]],
        required=False,
        label=_("Status"),
    )
    kind = forms.ChoiceField(choices=[("", _("Any kind")), *Case.Kind.choices], required=False, label=_("Kind"))
    assigned = forms.ChoiceField(
        choices=[("", _("Anyone")), ("me", _("Assigned to me")), ("nobody", _("Unassigned"))],
        required=False,
        label=_("Assigned"),
    )
    overdue = forms.BooleanField(required=False, label=_("Overdue only"))

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies.order_by("path")

    def chosen(self) -> InboxFilter:
        if not self.is_valid():
            return InboxFilter()
        data = self.cleaned_data
        return InboxFilter(data["body"], data["status"], data["kind"], data["assigned"], data["overdue"])


class CaseForm(forms.Form):
    """A form about one case (some of its choices depend on the case)."""

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case


class OptionalTextForm(CaseForm):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("Message (optional)"))


class TextForm(CaseForm):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label=_("Text"))


class ExtendForm(CaseForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Why more time is needed"))


class TransferForm(CaseForm):
    # Any body: the competent one may lie outside the officer's own (the services check the move itself).
    body = forms.ModelChoiceField(queryset=PublicBody.objects.all(), label=_("Transfer to"))
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Why this body holds the information"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = PublicBody.objects.exclude(pk=self.case.body_id).order_by("path")


def marked_field() -> forms.CharField:
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label=_("Also hide these words"),
        help_text=_("One per line: removed from what is published, as the requester's identity is."),
    )


class HideWordsForm(CaseForm):
    words = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Words to hide"),
        help_text=_("One per line: removed from every published text of the case, past and future."),
    )


class AnswerForm(CaseForm):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), label=_("Answer"))
    files = MultipleFileField(label=_("Attachments"))
    marked = marked_field()


class MessageForm(AnswerForm):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label=_("Message"))


class RefuseForm(CaseForm):
    reason = forms.ModelChoiceField(queryset=RefusalReason.objects.none(), label=_("Ground for refusal"))
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label=_("Reasons, in writing"))
    marked = marked_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = RefusalReason.objects.filter(law=self.case.law_id)


class DecideAppealForm(CaseForm):
    outcome = forms.ChoiceField(choices=Appeal.Outcome.choices, label=_("Outcome"))
    decision = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label=_("Decision"))


class AssignForm(CaseForm):
    officer = forms.ModelChoiceField(queryset=None, required=False, label=_("Assign to"), empty_label=_("Nobody"))

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        self.fields["officer"].initial = self.case.assigned_to_id


class RedactedCopyForm(forms.Form):
    file = forms.FileField(label=_("Redacted copy"))


class EmptyForm(CaseForm):
    pass
