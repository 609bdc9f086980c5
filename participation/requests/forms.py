"""The citizen's forms: filing a request or complaint, replying on it, appealing."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.bodies.models import PublicBody
from portal.forms import PromptedChoicesMixin

from .models import Case
from .services import Filing, Upload

MAX_FILES = 5


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to MAX_FILES files; what they hold is checked by services.check_upload."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _("Up to %(count)d files of %(size)s each: PDF, images, office documents or tables.")
            % {"count": MAX_FILES, "size": filesizeformat(settings.REQUESTS_MAX_ATTACHMENT_SIZE)},
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("Attach at most %(count)d files.") % {"count": MAX_FILES})
        limit = settings.REQUESTS_MAX_ATTACHMENT_SIZE
        for file in files:
            if file.size > limit:  # refused before a byte of it is read into memory
                raise forms.ValidationError(
                    _("“%(name)s” is larger than %(limit)s.") % {"name": file.name, "limit": filesizeformat(limit)}
                )
        return [super(AttachmentsField, self).clean(file, initial) for file in files]


def uploads(files) -> list[Upload]:
    return [Upload(file.name, file.read()) for file in files or []]


def text_field(label, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": 8, "dir": "auto"}),
        max_length=settings.REQUESTS_MAX_TEXT_LENGTH,
        **kwargs,
    )


class CaseForm(PromptedChoicesMixin, forms.Form):
    kind = forms.ChoiceField(label=_("What do you want to do?"), choices=Case.Kind.choices, initial=Case.Kind.REQUEST)
    body = forms.ModelChoiceField(
        label=_("Public body"), queryset=PublicBody.objects.order_by("path"), to_field_name="slug"
    )
    subject = forms.CharField(label=_("Subject"), max_length=255, widget=forms.TextInput(attrs={"dir": "auto"}))
    text = text_field(
        _("Your request"), help_text=_("Say which documents or information you want, as precisely as you can.")
    )
    attachments = AttachmentsField(label=_("Attachments"))
    urgent = forms.BooleanField(
        label=_("Urgent: someone's life, safety or freedom depends on the answer"), required=False
    )
    urgent_reason = forms.CharField(
        label=_("Why it is urgent"), required=False, widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"})
    )
    name = forms.CharField(label=_("Your name"), max_length=255, widget=forms.TextInput(attrs={"dir": "auto"}))
    email = forms.EmailField(label=_("Your email"), help_text=_("Every step of your case is sent here."))
    address = forms.CharField(
        label=_("Postal address"), required=False, widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"})
    )
    identity_number = forms.CharField(
        label=_("Identity card number"),
        required=False,
        max_length=40,
        help_text=_("Where the law asks for it. Stored encrypted; only the body's information officer sees it."),
    )
    show_name = forms.BooleanField(label=_("Show my name on the public page of the request"), required=False)
    is_public = forms.BooleanField(
        label=_("Publish the request and its answer (without my identity) so that others can read them"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].label_from_instance = lambda body: "— " * (body.depth - 1) + body.name

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("urgent") and not (cleaned.get("urgent_reason") or "").strip():
            self.add_error("urgent_reason", _("Say why the request is urgent."))
        return cleaned

    def filing(self) -> Filing:
        data = self.cleaned_data
        return Filing(
            body=data["body"],
            kind=data["kind"],
            subject=data["subject"],
            text=data["text"],
            language=(get_language() or settings.LANGUAGE_CODE).split("-")[0],
            name=data["name"],
            email=data["email"],
            address=data["address"],
            identity_number=data["identity_number"],
            show_name=data["show_name"],
            is_public=data["is_public"],
            urgent=data["urgent"],
            urgent_reason=data["urgent_reason"],
        )


class ReplyForm(forms.Form):
    text = text_field(_("Your message"))
    attachments = AttachmentsField(label=_("Attachments"))


class AppealForm(forms.Form):
    text = text_field(_("Why you appeal"))


class ArchiveFilterForm(PromptedChoicesMixin, forms.Form):
    body = forms.ModelChoiceField(
        label=_("Public body"), queryset=PublicBody.objects.order_by("path"), to_field_name="slug", required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All")), *Case.Kind.choices], required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            ("open", _("Awaiting an answer")),
            ("answered", _("Answered")),
            ("refused", _("Refused")),
            ("overdue", _("Late")),
        ],
    )
