"""Files staff upload for an import, kept between its preview and the import itself.

The file waits in a private folder (settings.IMPORT_STAGING_ROOT, never served), named by a signed token that
only its uploader can use, for a day at most. The decision import and the spending import share it.
"""

import time
import uuid
from pathlib import Path, PurePath

from django.conf import settings
from django.core import signing

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
