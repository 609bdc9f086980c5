"""The decision import in the admin: staff who publish for a council upload a council's export, check the mapping
against a preview of its first rows, import it and read the report (cms.importing does the work).

Between the preview and the import the file waits in a private folder (portal.staging), named by a signed token
that only its uploader can use, for a day at most.
"""

import json
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log
from wagtail.permissions import page_permission_policy

from portal.importing import ColumnMapping
from portal.models import ImportMapping
from portal.staging import StagedImportForm, stage

from .importing import (
    COLUMNS,
    REQUIRED_COLUMNS,
    ImportFileError,
    InvalidRow,
    decision_mapping,
    file_columns,
    import_decisions,
    parse_row,
    read_rows,
)
from .models import CouncilIndexPage

IMPORT_KIND = "decisions"
IMPORT_LOG_ACTION = "cms.import_decisions"
PREVIEW_ROWS = 10
SALT = "cms.import_decisions"


def publishable_councils(user) -> QuerySet[CouncilIndexPage]:
    """The councils whose decisions `user` may publish: the ones an import may write to."""
    pages = page_permission_policy.instances_user_has_permission_for(user, "publish")
    return CouncilIndexPage.objects.filter(pk__in=pages.values("pk")).select_related("body", "locale")


class DecisionImportForm(StagedImportForm):
    salt = SALT
    max_size = settings.DECISION_IMPORT_MAX_SIZE
    file_label = gettext_lazy("File of decisions (CSV or JSON)")
    mapping_help = gettext_lazy(
        'Leave empty when the file has our columns. Otherwise: {"columns": {"reference": "N° délibération", '
        '"title": "Objet", …}, "values": {"outcome": {"Adoptée": "adopted"}}}. The body\'s saved mapping is '
        "used when this is empty."
    )
    save_mapping_label = gettext_lazy("Save this mapping for the council's body")
    no_file = gettext_lazy("Choose a file of decisions.")

    council = forms.ModelChoiceField(label=gettext_lazy("Council"), queryset=CouncilIndexPage.objects.none())
    field_order = ["council", "file", "staged", "mapping", "save_mapping"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["council"].queryset = publishable_councils(user)

    def read_mapping(self, text: str, cleaned: dict) -> ColumnMapping:
        return ColumnMapping.from_json(text, COLUMNS)


def preview(path: Path, mapping) -> dict:
    """The file's columns and its first rows as the import would read them, each with its problems."""
    columns = file_columns(path)
    rows, encoding = read_rows(path, mapping)
    shown = []
    for row in rows[:PREVIEW_ROWS]:
        try:
            parse_row(row.values)
            problem = ""
        except InvalidRow as error:
            problem = str(error)
        shown.append(
            {"number": row.number, "cells": [row.values.get(name, "") for name in COLUMNS], "problem": problem}
        )
    return {"columns": columns, "encoding": encoding, "rows": shown, "count": len(rows)}


def import_decisions_view(request):
    """Upload, preview with the mapping, import: each step a plain form post, no JavaScript needed."""
    if not publishable_councils(request.user).exists():
        raise PermissionDenied
    form = DecisionImportForm(request.POST or None, request.FILES or None, user=request.user)
    context = {
        "form": form,
        "fields": COLUMNS,
        "required_fields": REQUIRED_COLUMNS,
        "page_title": _("Import decisions"),
        "header_title": _("Import decisions"),
    }
    if request.method != "POST" or not form.is_valid():
        return TemplateResponse(request, "cms/admin/import_decisions.html", context)

    council, mapping = form.cleaned_data["council"], form.cleaned_data["mapping"]
    saved = ImportMapping.objects.filter(body=council.body, kind=IMPORT_KIND).first()
    if mapping is None and saved is not None:
        mapping = decision_mapping(saved.mapping)
    staged = (
        stage(form.cleaned_data["file"], request.user, salt=SALT)
        if form.cleaned_data["file"]
        else form.cleaned_data["staged"]
    )
    path = staged["path"]
    context["file_name"] = staged["original"]
    mapping_text = json.dumps(mapping.as_data(), ensure_ascii=False, indent=2) if mapping else ""
    context["form"] = DecisionImportForm(
        {**form.data.dict(), "staged": staged["token"], "mapping": mapping_text}, user=request.user
    )
    context["saved_mapping"] = saved is not None and form.cleaned_data["mapping"] is None and mapping is not None

    if "import" not in request.POST:
        try:
            context["preview"] = preview(path, mapping)
        except ImportFileError as error:
            context["file_error"] = str(error)
            context["columns"] = file_columns(path)
        return TemplateResponse(request, "cms/admin/import_decisions.html", context)

    try:
        report = import_decisions(path, council=council, user=request.user, mapping=mapping)
    except ImportFileError as error:
        context["file_error"] = str(error)
        return TemplateResponse(request, "cms/admin/import_decisions.html", context)
    path.unlink(missing_ok=True)
    if mapping is not None and form.cleaned_data["save_mapping"]:
        ImportMapping.objects.update_or_create(
            body=council.body, kind=IMPORT_KIND, defaults={"mapping": mapping.as_data(), "updated_by": request.user}
        )
    counts = {key: value for key, value in report.as_dict().items() if key != "errors"}
    log(
        instance=council,
        action=IMPORT_LOG_ACTION,
        user=request.user,
        data={"file": staged["original"], **counts, "failed": len(report.errors)},
    )
    context.update(report=report, council=council, form=None)
    return TemplateResponse(request, "cms/admin/import_decisions.html", context)
