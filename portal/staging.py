"""Files staff upload for an import, kept between its preview and the import itself.

The file waits in a private folder (settings.IMPORT_STAGING_ROOT, never served), named by a signed token that
only its uploader can use, for a day at most. The decision import and the spending import share it.
"""

import time
import uuid
from pathlib import Path, PurePath

from django import forms
from django.conf import settings
from django.core import signing
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .importing import ColumnMapping, MappingError

STAGED_FOR = 24 * 3600  # seconds a staged file stays usable
# The suffixes a staged file keeps (the readers judge a file by its bytes; the suffix only tells text kinds apart).
KEPT_SUFFIXES = (".csv", ".tsv", ".txt", ".json", ".xlsx", ".ods")


def staging_root() -> Path:
    root = Path(settings.IMPORT_STAGING_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    return root


def stage(upload, user, *, salt: str) -> dict:
    """Keep `upload` for the import step; return its path, the token that names it and its own name. Files
    older than STAGED_FOR go."""
    root = staging_root()
    for old in root.iterdir():
        if old.stat().st_mtime < time.time() - STAGED_FOR:
            old.unlink(missing_ok=True)
    suffix = PurePath(upload.name).suffix.lower()[:10]
    name = f"{uuid.uuid4().hex}{suffix if suffix in KEPT_SUFFIXES else ''}"
    path = root / name
    with path.open("wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    original = PurePath(upload.name).name
    token = signing.dumps({"name": name, "user": user.pk, "original": original}, salt=salt)
    return {"path": path, "token": token, "original": original}


def staged_file(token: str, user, *, salt: str) -> dict | None:
    """Return the staged file `token` names ({"path", "token", "original"}) when `user` staged it less than
    STAGED_FOR ago and it is still there; None otherwise (forged, someone else's, expired or gone)."""
    try:
        staged = signing.loads(token, salt=salt, max_age=STAGED_FOR)
    except signing.BadSignature:
        return None
    path = staging_root() / PurePath(staged["name"]).name
    if staged["user"] != user.pk or not path.is_file():
        return None
    return {"path": path, "token": token, "original": staged["original"]}


class StagedImportForm(forms.Form):
    """What every import screen asks: a file (or the one staged at the preview), a mapping, whether to save it.

    A subclass names its `salt` and `max_size`, the labels that say what its file holds, and how a mapping's
    JSON is read (`read_mapping`, which sees the other cleaned values). `mapping` is cleaned to a ColumnMapping
    or None.
    """

    salt = ""
    max_size = 0
    file_label = gettext_lazy("File")
    mapping_help = ""
    save_mapping_label = gettext_lazy("Save this mapping for the body")
    too_large = gettext_lazy("The file is larger than the %(limit)s allowed.")
    no_file = gettext_lazy("Choose a file.")

    file = forms.FileField(
        required=False,
        help_text=gettext_lazy("UTF-8, UTF-16, Windows-1256 or Windows-1252; a comma, semicolon or tab between cells."),
    )
    staged = forms.CharField(required=False, widget=forms.HiddenInput)
    mapping = forms.CharField(
        label=gettext_lazy("Mapping of the file's columns and values (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "dir": "ltr", "lang": "en"}),
    )
    save_mapping = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["file"].label = self.file_label
        self.fields["mapping"].help_text = self.mapping_help
        self.fields["save_mapping"].label = self.save_mapping_label

    def read_mapping(self, text: str, cleaned: dict) -> ColumnMapping | None:
        raise NotImplementedError

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > self.max_size:
            raise forms.ValidationError(self.too_large % {"limit": filesizeformat(self.max_size)})
        return upload

    def clean_staged(self):
        token = self.cleaned_data.get("staged")
        if not token:
            return None
        staged = staged_file(token, self.user, salt=self.salt)
        if staged is None:
            raise forms.ValidationError(_("The file waited too long: upload it again."))
        return staged

    def clean(self):
        cleaned = super().clean() or {}
        text = (cleaned.get("mapping") or "").strip()
        cleaned["mapping"] = None
        if text:
            try:
                cleaned["mapping"] = self.read_mapping(text, cleaned)
            except MappingError as error:
                self.add_error("mapping", str(error))
        chosen = cleaned.get("file") or cleaned.get("staged")
        if not chosen and not self.has_error("file") and not self.has_error("staged"):
            self.add_error("file", self.no_file)
        return cleaned
