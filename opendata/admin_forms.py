"""Staff forms for datasets, resources and problem reports: they validate and limit choices, never save state."""

import django_filters
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from frictionless import Schema
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm

from . import permissions
from .models import DATASET_WORKFLOW, Dataset, Licence, ProblemReport, Resource
from .uploads import limit_text, too_large_message

LANGUAGE_DIRECTIONS = {"ar": "rtl"}


def language_attrs(language: str) -> dict[str, str]:
    """`lang` and `dir` for an input holding text in `language`, so Arabic is typed right to left."""
    return {"lang": language, "dir": LANGUAGE_DIRECTIONS.get(language, "ltr")}


def translated_widgets(field: str, widget_class) -> dict[str, forms.Widget]:
    return {f"{field}_{code}": widget_class(attrs=language_attrs(code)) for code, _name in settings.LANGUAGES}


class DatasetForm(WagtailAdminModelForm):
    """A dataset's metadata; the body and the status are limited to what the user may choose."""

    class Meta:
        model = Dataset
        fields = [
            "name",
            "body",
            "status",
            "title_ar",
            "title_fr",
            "title_en",
            "notes_ar",
            "notes_fr",
            "notes_en",
            "licence",
            "themes",
            "tags",
            "frequency",
            "temporal_start",
            "temporal_end",
            "spatial",
            "version",
            "contact_email",
        ]
        widgets = {
            **translated_widgets("title", forms.TextInput),
            **translated_widgets("notes", forms.Textarea),
            "themes": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        self.fields["body"].queryset = permissions.get_managed_bodies(user).order_by("path")
        # The identifier comes from the title when staff leave it empty; a new dataset starts open (CC BY 4.0).
        self.fields["name"].required = False
        self.fields["name"].help_text = _("Used in web addresses and in the CKAN API. Left empty, made from the title.")
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault(
                "licence", Licence.objects.filter(slug=DEFAULT_LICENCE).values_list("pk", flat=True).first()
            )
        self.old_status = self.instance.status if self.instance.pk else None
        if not permissions.get_publishing_bodies(user).exists():
            # An editor sees the status but cannot change it.
            self.fields["status"].disabled = True
            self.fields["status"].help_text = _("Only a publisher of the body publishes or withdraws a dataset.")

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(f"title_{code}") for code, _name in settings.LANGUAGES):
            self.add_error("title_ar", _("Give the dataset a title in at least one language."))
        elif not cleaned.get("name") and not self.has_error("name"):
            cleaned["name"] = self.instance.name = identifier_from(cleaned)
        start, end = cleaned.get("temporal_start"), cleaned.get("temporal_end")
        if start and end and start > end:
            self.add_error("temporal_end", _("The end of the period covered comes before its start."))
        body, status = cleaned.get("body"), cleaned.get("status")
        if body and status and not permissions.can_set_status(self.for_user, body, self.old_status, status):
            self.add_error("status", _("Only a publisher of this body may publish or withdraw its datasets."))
        elif status and not DATASET_WORKFLOW.allows(self.old_status or Dataset.Status.DRAFT, status):
            self.add_error("status", _("A draft is published before it can be withdrawn."))
        return cleaned


DEFAULT_LICENCE = "cc-by-4.0"


def identifier_from(cleaned: dict) -> str:
    """A free identifier made from the dataset's Latin title ("budget-2025"), or "dataset-<n>" for an Arabic one."""
    title = cleaned.get("title_fr") or cleaned.get("title_en") or ""
    base = slugify(title)[:80].strip("-") or "dataset"
    name, number = base, 2
    while Dataset.objects.filter(name=name).exists():
        name = f"{base}-{number}"
        number += 1
    return name


def validate_table_schema(descriptor) -> None:
    """Raise ValidationError unless `descriptor` is a valid Frictionless Table Schema, naming every problem."""
    if not isinstance(descriptor, dict):
        raise forms.ValidationError(_("A Table Schema is a JSON object with a list of fields."), code="not_an_object")
    report = Schema.validate_descriptor(descriptor)
    if not report.valid:
        raise forms.ValidationError(
            [
                forms.ValidationError(_("Invalid Table Schema: %(error)s"), code="invalid_schema", params={"error": e})
                for e in dict.fromkeys(error.message for error in report.errors)
            ]
        )


class ResourceForm(WagtailAdminModelForm):
    """A resource: a link, or a file uploaded as its next version (the view hands the file to add_version)."""

    file = forms.FileField(
        label=_("Upload a file"),
        required=False,
        help_text=_("Each upload becomes a new version; earlier versions stay downloadable."),
    )
    first_row = forms.TypedChoiceField(
        label=_("The table's first row"),
        choices=[
            ("", _("Tell from the file")),
            ("header", _("Names the columns")),
            ("data", _("Is data: the file has no header")),
        ],
        coerce=lambda choice: {"header": True, "data": False}.get(choice),
        empty_value=None,
        required=False,
        help_text=_("For CSV and spreadsheet files. The portal can usually tell; say it when it got it wrong."),
    )

    class Meta:
        model = Resource
        fields = [
            "dataset",
            "position",
            "name_ar",
            "name_fr",
            "name_en",
            "description_ar",
            "description_fr",
            "description_en",
            "url",
            "format",
            "declared_schema",
        ]
        widgets = {
            **translated_widgets("name", forms.TextInput),
            **translated_widgets("description", forms.Textarea),
            "declared_schema": forms.Textarea(attrs={"rows": 8, "dir": "ltr", "lang": "en"}),
        }

    def __init__(self, *args, refused_uploads=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.refused_uploads = set(refused_uploads)
        self.fields["dataset"].queryset = permissions.get_editable_datasets(self.for_user).select_related("body")
        self.fields["file"].help_text = _(
            "Each upload becomes a new version; earlier versions stay downloadable. Maximum size: %(limit)s."
        ) % {"limit": limit_text()}

    def clean_declared_schema(self):
        descriptor = self.cleaned_data.get("declared_schema")
        if descriptor in (None, "", {}):
            return None
        validate_table_schema(descriptor)
        return descriptor

    def clean_file(self):
        if "file" in self.refused_uploads:
            raise forms.ValidationError(too_large_message(), code="file_too_large")
        file = self.cleaned_data.get("file")
        # Belt and braces: the upload handler refuses large files while they arrive.
        if isinstance(file, UploadedFile) and file.size > settings.OPENDATA_MAX_UPLOAD_SIZE:
            raise forms.ValidationError(too_large_message(), code="file_too_large")
        return file

    def clean(self):
        cleaned = super().clean()
        url, file = cleaned.get("url"), cleaned.get("file")
        if self.has_error("file"):
            return cleaned
        if url and file:
            self.add_error("file", _("Give either a link or a file, not both."))
        elif url and self.instance.pk and self.instance.versions.exists():
            self.add_error("url", _("This resource holds uploaded files: add a new resource for a link."))
        elif not url and not file and not (self.instance.pk and self.instance.versions.exists()):
            self.add_error("file", _("Upload a file or give a link."))
        if not any(cleaned.get(f"name_{code}") for code, _name in settings.LANGUAGES) and not cleaned.get("format"):
            self.add_error("name_ar", _("Give the resource a name in at least one language, or its format."))
        return cleaned

    @property
    def uploaded_file(self) -> UploadedFile | None:
        return self.cleaned_data.get("file") or None

    @property
    def header(self) -> bool | None:
        """Whether the uploaded table's first row names its columns; None to let the ingestion tell."""
        return self.cleaned_data.get("first_row")


class ProblemReportForm(WagtailAdminModelForm):
    """Staff mark a report resolved (or open it again); what the visitor wrote is not theirs to change."""

    resolved = forms.BooleanField(label=_("Resolved"), required=False)

    class Meta:
        model = ProblemReport
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolved"].initial = self.instance.resolved_at is not None


# Listing filters: the choices offered are those of the user's bodies only.


def _managed_bodies(request):
    return permissions.get_managed_bodies(request.user).order_by("path")


def _editable_datasets(request):
    return permissions.get_editable_datasets(request.user)


class DatasetFilterSet(WagtailFilterSet):
    body = django_filters.ModelChoiceFilter(label=_("Public body"), queryset=_managed_bodies)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Dataset.Status.choices)

    class Meta:
        model = Dataset
        fields = ["body", "status"]


class ResourceFilterSet(WagtailFilterSet):
    dataset = django_filters.ModelChoiceFilter(label=_("Dataset"), queryset=_editable_datasets)
    dataset__body = django_filters.ModelChoiceFilter(label=_("Public body"), queryset=_managed_bodies)

    class Meta:
        model = Resource
        fields = ["dataset", "dataset__body"]


class ProblemReportFilterSet(WagtailFilterSet):
    resolved = django_filters.BooleanFilter(
        label=_("Resolved"), field_name="resolved_at", lookup_expr="isnull", exclude=True
    )
    kind = django_filters.ChoiceFilter(label=_("Problem"), choices=ProblemReport.Kind.choices)
    dataset__body = django_filters.ModelChoiceFilter(label=_("Public body"), queryset=_managed_bodies)

    class Meta:
        model = ProblemReport
        fields = ["resolved", "kind", "dataset__body"]
