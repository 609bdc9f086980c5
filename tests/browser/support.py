"""What the browser tests share: the accessibility check, a visit that runs it, one-time codes."""

import json
import time
from pathlib import Path

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import Locator, Page

CHROMIUM = Path("/usr/bin/chromium")
AXE_SCRIPT = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.2 AA, as the accessibility statement promises; wcag22a has no axe rule of its own.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def assert_accessible(page: Page) -> None:
    """Run axe-core on the page as it is now and fail listing every WCAG A/AA violation."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated rather than added as a <script>: the Content-Security-Policy refuses inline scripts
        # without the page's nonce, and should keep refusing them in these tests too.
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    violations = results["violations"]
    if violations:
        lines = [f"axe found {len(violations)} accessibility violation(s) on {page.url}:"]
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
            for node in violation["nodes"]:
                summary = " ".join(node.get("failureSummary", "").split())
                lines.append(f"    {json.dumps(node['target'], ensure_ascii=False)}: {summary}")
        raise AssertionError("\n".join(lines))


def visit(page: Page, path: str) -> None:
    """Open `path` (relative to the live server), check the response is a success and the page accessible."""
    response = page.goto(path)
    assert response is not None, f"no response for {path}"
    assert response.ok, f"{path} answered {response.status}"
    assert_accessible(page)


def follow(page: Page, target: Locator, *, check: bool = True) -> None:
    """Click a link or button that leads to another page, wait until that page has loaded, then check it.

    `check=False` is for the Wagtail admin's own screens only.
    """
    with page.expect_navigation():
        target.click()
    if check:
        assert_accessible(page)


def current_totp_code(secret: str) -> str:
    """Return the authenticator code for `secret` that the server accepts now.

    allauth accepts only the current period (MFA_TOTP_TOLERANCE is 0), so near the end
    of a period this waits for the next one rather than send a code about to expire.
    """
    period = mfa_settings.TOTP_PERIOD
    remaining = period - time.time() % period
    if remaining < 5:
        time.sleep(remaining + 0.2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))
