"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

One Chromium for all of them, a fresh context (cookies, storage) per test, the demo content loaded once and put
back before each test. Chromium resolves no host but localhost, so pages never reach the network (map tiles, for
one).
"""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections
from playwright.sync_api import sync_playwright

from .snapshots import Snapshot, take_snapshot
from .support import AXE_SCRIPT, CHROMIUM

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


@pytest.fixture(scope="package")
def browser(django_db_setup):
    """One Chromium for the browser tests, closed when they are done.

    Package scope rather than session: while Playwright's sync API is open, its event
    loop counts as running in this thread, which changes how Django behaves for every
    test that would run after ours.
    """
    # Django refuses ORM calls from a thread with a running event loop unless told
    # it is safe; here the loop only waits for Chromium, never runs Django code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # With the loop running, asgiref also hands out other connection objects than the
    # ones the test database setup used (context- rather than thread-local). Give them
    # the migration data serialized at setup, or serialized rollback restores nothing.
    serialized = {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    try:
        with sync_playwright() as playwright:
            for alias, contents in serialized.items():
                if contents is not None and not hasattr(connections[alias], "_test_serialized_contents"):
                    connections[alias]._test_serialized_contents = contents
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
            for connection in connections.all(initialized_only=True):
                connection.close()
        # And this thread's own: on PostgreSQL, putting the demo back (.snapshots) ended their sessions.
        for connection in connections.all(initialized_only=True):
            connection.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def demo_snapshots(django_db_setup, django_db_blocker):
    """The loaded demo, kept for the package's tests by database alias (see .snapshots); dropped after them."""
    snapshots: dict[str, Snapshot] = {}
    yield snapshots
    with django_db_blocker.unblock():
        for snapshot in snapshots.values():
            snapshot.discard()


@pytest.fixture
def demo(live_server, transactional_db, django_db_serialized_rollback, demo_snapshots):
    """The demo content, as `manage.py load_demo` loads it: loaded by the first test, put back for the others.

    The live server needs a transactional database, which is emptied after each test; serialized rollback
    brings back what migrations created (Wagtail's root page and locale) before the first load.
    """
    if snapshot := demo_snapshots.get(connection.alias):
        snapshot.restore()
        return
    call_command("load_demo", stdout=io.StringIO())
    if snapshot := take_snapshot(connection):
        demo_snapshots[connection.alias] = snapshot


@pytest.fixture
def page(browser, live_server, demo):
    """A page in a new browser context (no cookies), in French, addressing the live server."""
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", timezone_id="Africa/Algiers")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
