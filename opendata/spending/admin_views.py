"""The spending import in the admin: a body's publishers upload what its finance system exports, pick or edit the
mapping with a preview of the first rows as the import reads them, import, and read the report
(opendata.spending.importing does the work).

Between the preview and the import the file waits in a private folder (portal.staging). The import runs in the
request, as the decision import's screen does: a file of SPENDING_IMPORT_MAX_SIZE takes well under a minute
(bench/spending_import.py); larger files go through `manage.py import_spending` or the Celery task.
"""

import json

from django import forms
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from portal.files import FileRefused
from portal.importing import ColumnMapping, MappingError
from portal.models import ImportMapping
from portal.staging import StagedImportForm, stage

from .auth import get_spending_bodies
from .importing import LINE_KINDS, ImportKind, fields_of, import_spending, preview_spending, spending_mapping

IMPORT_LOG_ACTION = "spending.import"
SALT = "spending.import_spending"
# A finance system's export of a year of payments for a large commune is a few megabytes; 50 MB is some 500,000
# payment rows, imported in well under a minute.
SPENDING_IMPORT_MAX_SIZE = 50 * 1024 * 1024
PREVIEW_ROWS = 10


def mapping_kind(kind: str) -> str:
    """The ImportMapping.kind a body's mapping for this import is saved under."""
    return f"spending-{kind}"


class SpendingImportForm(StagedImportForm):
    salt = SALT
    max_size = SPENDING_IMPORT_MAX_SIZE
    too_large = gettext_lazy(
        "The file is larger than the %(limit)s allowed here: import it with manage.py import_spending."
    )
    file_label = gettext_lazy("File (CSV, XLSX or ODS)")
    mapping_help = gettext_lazy(
        'Leave empty when the file has our column names. Otherwise: {"columns": {"amount": "Crédits votés", '
        '"function": "Chapitre", …}, "values": {"direction": {"Dépense": "expenditure"}}}; for one amount '
        'column per year: "years": {"2023": "CA 2023", …}. The body\'s saved mapping is used when this is empty.'
    )

    body = forms.ModelChoiceField(label=gettext_lazy("Public body"), queryset=None)
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"), choices=ImportKind.choices)
    year = forms.IntegerField(
        label=gettext_lazy("Fiscal year"),
        required=False,
        min_value=1900,
        max_value=2100,
        help_text=gettext_lazy("For the rows that give none."),
    )
    currency = forms.RegexField(
        label=gettext_lazy("Currency"),
        regex=r"^[A-Za-z]{3}$",
        required=False,
        help_text=gettext_lazy("ISO 4217 code for the rows that give none; by default the body's."),
    )
    field_order = ["body", "kind", "file", "staged", "mapping", "save_mapping", "year", "currency"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["body"].queryset = get_spending_bodies(user)

    def clean_currency(self):
        return (self.cleaned_data.get("currency") or "").upper()

    def read_mapping(self, text: str, cleaned: dict) -> ColumnMapping | None:
        kind = cleaned.get("kind")
        return ColumnMapping.from_json(text, fields_of(kind), wide=kind in LINE_KINDS) if kind else None


def import_spending_view(request):
    """Upload, preview with the mapping, import: each step a plain form post, no JavaScript needed."""
    if not get_spending_bodies(request.user).exists():
        raise PermissionDenied
    form = SpendingImportForm(request.POST or None, request.FILES or None, user=request.user)
    template = "spending/admin/import_spending.html"
    context = {"form": form, "page_title": _("Import spending"), "header_title": _("Import spending")}
    if request.method != "POST" or not form.is_valid():
        return TemplateResponse(request, template, context)

    data = form.cleaned_data
    body, kind, mapping = data["body"], data["kind"], data["mapping"]
    saved = ImportMapping.objects.filter(body=body, kind=mapping_kind(kind)).first()
    if mapping is None and saved is not None:
        mapping = spending_mapping(saved.mapping, kind)
    staged = stage(data["file"], request.user, salt=SALT) if data["file"] else data["staged"]
    options = {"body": body, "kind": kind, "mapping": mapping, "year": data["year"], "currency": data["currency"]}
    mapping_text = json.dumps(mapping.as_data(), ensure_ascii=False, indent=2) if mapping else ""
    context.update(
        file_name=staged["original"],
        saved_mapping=saved is not None and data["mapping"] is None and mapping is not None,
        form=SpendingImportForm(
            {**form.data.dict(), "staged": staged["token"], "mapping": mapping_text}, user=request.user
        ),
    )
    try:
        if "import" not in request.POST:
            context["preview"] = preview_spending(staged["path"], rows=PREVIEW_ROWS, **options)
            return TemplateResponse(request, template, context)
        report = import_spending(staged["path"], user=request.user, **options)
    except (MappingError, FileRefused) as error:
        context["file_error"] = str(error)
        return TemplateResponse(request, template, context)
    staged["path"].unlink(missing_ok=True)
    if mapping is not None and data["save_mapping"]:
        ImportMapping.objects.update_or_create(
            body=body, kind=mapping_kind(kind), defaults={"mapping": mapping.as_data(), "updated_by": request.user}
        )
    log(
        instance=body,
        action=IMPORT_LOG_ACTION,
        user=request.user,
        data={
            "file": staged["original"],
            "kind": kind,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "failed": len(report.errors),
            "warnings": len(report.warnings),
        },
    )
    context.update(report=report, body=body, form=None)
    return TemplateResponse(request, template, context)
