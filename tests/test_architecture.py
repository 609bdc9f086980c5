"""The dependency rules of docs/architecture.md, checked on every import statement of the project's code.

- `portal/` (the core) imports no app; only the project's wiring (portal/urls.py, portal/settings/) names them.
- cms, opendata and participation may use each other's models and domain functions, never harvesters or search,
  which are built on them.
- No app imports another app's views, API layer, admin screens or URLs: those are doors for people and clients,
  not functions to call.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ("cms", "opendata", "participation", "harvesters", "search")
BUILT_ON_THE_OTHERS = ("harvesters", "search")
# Modules that are an app's doors: another app never imports them.
DOORS = ("views", "api", "admin_views", "wagtail_hooks", "urls", "dcat_urls", "download_urls", "feeds")
WIRING = ("portal/urls.py", "portal/settings/")


def python_files(package: str) -> list[Path]:
    return sorted(path for path in (ROOT / package).rglob("*.py") if "migrations" not in path.parts)


def imported_modules(path: Path) -> list[str]:
    """Every module `path` imports, absolute (relative imports resolved against its package)."""
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    modules = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *([base] if base else [])])
            modules.append(base)
            # `from opendata import views` imports the module opendata.views.
            modules.extend(f"{base}.{alias.name}" for alias in node.names)
    return modules


def top(module: str) -> str:
    return module.split(".", 1)[0]


def test_the_core_imports_no_app():
    offences = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in python_files("portal")
        if not str(path.relative_to(ROOT)).startswith(WIRING)
        for module in imported_modules(path)
        if top(module) in APPS
    ]
    assert offences == []


@pytest.mark.parametrize("app", APPS)
def test_an_app_uses_the_others_only_through_their_models_and_functions(app):
    offences = []
    for path in python_files(app):
        for module in imported_modules(path):
            other = top(module)
            if other not in APPS or other == app:
                continue
            if other in BUILT_ON_THE_OTHERS and app not in BUILT_ON_THE_OTHERS:
                offences.append(f"{path.relative_to(ROOT)} imports {module}, which is built on {app}")
            if any(part in DOORS for part in module.split(".")[1:]):
                offences.append(f"{path.relative_to(ROOT)} imports {module}, a door of {other}")
    assert offences == []


def test_the_rules_see_an_offence():
    """The checks above parse what they must: relative imports and `from app import module` included."""
    sample = ROOT / "portal" / "bodies" / "views.py"
    assert "portal.bodies.models" in imported_modules(sample)
