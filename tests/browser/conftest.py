"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

One browser per session, a fresh context (cookies, storage) per test, the demo content
loaded for each test. Chromium resolves no host but localhost, so pages never reach
the network (map tiles, for one).
"""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import sync_playwright

from .support import AXE_SCRIPT, CHROMIUM

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# every ORM call made from a test while that loop exists.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

HERE = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
]


def missing_prerequisites() -> list[str]:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} is missing (apt-get install chromium)")
    if not AXE_SCRIPT.exists():
        missing.append(f"{AXE_SCRIPT.relative_to(HERE.parent.parent)} is missing (run `npm ci` in tests/browser)")
    return missing


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    # tryfirst: the mark is in place before `-m "not browser"` deselects.
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def _browser_prerequisites():
    """Skip the browser tests on a machine without Chromium or axe-core; in CI (CI set), fail instead."""
    missing = missing_prerequisites()
    if missing:
        reason = "cannot run the browser tests: " + "; ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def browser(django_db_setup):
    # While Playwright's loop runs, asgiref sees an event loop in this thread and hands
    # the tests other connection objects than the ones the database setup used (context-
    # rather than thread-local). Give them the serialized migration data that
    # `django_db_serialized_rollback` restores, or it silently restores nothing.
    serialized = {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    with sync_playwright() as playwright:
        for alias, contents in serialized.items():
            if contents is not None and not hasattr(connections[alias], "_test_serialized_contents"):
                connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo(live_server, transactional_db, django_db_serialized_rollback):
    """Load the demo content, as `manage.py load_demo` does.

    The live server needs a transactional database, which is emptied after each test;
    serialized rollback brings back what migrations created (Wagtail's root page and
    locale) before the next one.
    """
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def page(browser, live_server, demo):
    """A page in a new browser context (no cookies), in French, addressing the live server."""
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", timezone_id="Africa/Algiers")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
