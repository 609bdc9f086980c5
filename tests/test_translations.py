"""The Arabic and French catalogues are complete, compiled, and cover every string in the code."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

from tests.conftest import require_service

LOCALE = Path(settings.BASE_DIR) / "locale"
TRANSLATED = ["ar", "fr"]
COPY_IGNORE = shutil.ignore_patterns(".venv", ".git", "node_modules", "var", "*.sqlite3", "__pycache__", ".*_cache")


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", TRANSLATED)
def test_it_translates_every_string(language):
    po = catalogue(language)
    assert len(po) > 100
    assert [entry.msgid for entry in po.untranslated_entries()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_it_ships_compiled_catalogues_in_step_with_the_sources(language):
    def pairs(entries):
        return {
            (entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural.get(0) for entry in entries if entry.msgid
        }

    compiled = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    assert pairs(compiled) == pairs(catalogue(language).translated_entries())


def test_it_covers_every_string_marked_in_the_code(tmp_path):
    require_service("GNU gettext", shutil.which("xgettext") is not None, "apt-get install gettext")
    tree = tmp_path / "tree"
    shutil.copytree(settings.BASE_DIR, tree, ignore=COPY_IGNORE)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "fr", "--ignore", "tests/*", "--ignore", "docs/*"],
        cwd=tree,
        check=True,
        capture_output=True,
    )
    refreshed = polib.pofile(str(tree / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in refreshed.untranslated_entries() + refreshed.fuzzy_entries()]
    assert missing == [], "run `make messages` and translate these strings"
