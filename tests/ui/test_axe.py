"""axe-core (vendored from npm, tests/vendor/axe.min.js) on every public page, the
resident's vote pages and the main staff pages, in Arabic and French, at 360 px
and 1280 px. Any violation, or a page wider than the screen, fails the test, with
a summary of every one found.

axe is injected with Playwright's ``evaluate`` (the devtools protocol), which the
page's Content-Security-Policy does not govern: the CSP stays as in production."""

import re
from pathlib import Path

import pytest

from tests.helpers import last_code, totp_code
from tests.ui import domain_pages, keyboard_flows

AXE = (Path(__file__).parent.parent / "vendor" / "axe.min.js").read_text()
WIDTHS = (360, 1280)
STAFF_PASSWORD = "demo-password-ouazzane"


def public_pages(demo) -> list[str]:
    past, current, upcoming = demo["past"], demo["current"], demo["next"]
    return [
        "/",
        "/cycles",
        f"/cycles/{current}",
        f"/cycles/{past}",
        f"/cycles/{upcoming}/proposals",
        f"/cycles/{current}/proposals",
        f"/proposals/{demo['proposal']}",
        "/proposals",
        "/results",
        f"/cycles/{past}/results",
        f"/cycles/{past}/results/record",
        f"/cycles/{current}/ballot-box",
        f"/cycles/{current}/ballot-box?receipt=NOT-A-RECEIPT",
        f"/cycles/{past}/execution",
        "/execution",
        f"/execution/{demo['record']}",
        "/execution/reports",
        "/associations",
        "/accessibility",
        "/privacy",
        "/login",
        "/staff/login",
        *domain_pages.public_pages(demo),
    ]


def staff_pages(demo) -> list[str]:
    past, current = demo["past"], demo["current"]
    return [
        "/staff/",
        "/staff/cycles",
        f"/staff/cycles/{current}/edit",
        f"/staff/cycles/{current}/scopes",
        f"/staff/cycles/{current}/election",
        f"/staff/cycles/{current}/participation",
        f"/staff/cycles/{current}/registry",
        f"/staff/cycles/{past}/tally",
        f"/staff/cycles/{current}/reviews",
        "/staff/tallies",
        "/staff/moderation",
        "/staff/reviews",
        "/staff/bodies",
        "/staff/associations",
        "/staff/users",
        "/staff/districts",
        "/staff/audit",
        "/staff/sms",
        "/staff/execution",
        "/staff/execution/questions",
        "/staff/execution/reports",
        "/staff/execution/statuses",
        "/staff/audio-guides",
        *domain_pages.staff_pages(demo),
    ]


class Audit:
    """Runs axe on pages at each width and keeps every violation."""

    def __init__(self, page):
        self.page = page
        self.found: list[str] = []
        self.nodes = 0

    def check(self, label: str) -> None:
        if not self.page.evaluate("typeof axe !== 'undefined'"):
            self.page.evaluate(AXE)
        # Only violations are collected: passes and incomplete results cost time.
        result = self.page.evaluate(
            "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)"
        )
        for violation in result:
            targets = [" ".join(node["target"]) for node in violation["nodes"]]
            self.nodes += len(targets)
            self.found.append(
                f"{label}: {violation['id']} ({len(targets)}) {targets[:3]}"
            )

    def check_width(self, label: str) -> None:
        """Nothing wider than the screen: only marked table regions may scroll."""
        wide = self.page.evaluate(
            "document.documentElement.scrollWidth > window.innerWidth"
        )
        if wide:
            self.found.append(f"{label}: the page scrolls sideways")

    def visit(self, base: str, path: str, prefix: str = "") -> None:
        """The page loaded once, then checked at each width (resized in place:
        the layout follows the media queries as on a turned phone)."""
        self.page.set_viewport_size({"width": WIDTHS[0], "height": 800})
        response = self.page.goto(base + path)
        assert response.status < 400, f"{prefix}{path}: HTTP {response.status}"
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 800})
            self.check(f"{prefix}{path} @{width}")
            self.check_width(f"{prefix}{path} @{width}")

    def assert_clean(self) -> None:
        summary = "\n".join(self.found)
        assert not self.found, f"{self.nodes} failing nodes:\n{summary}"


def vote(audit: Audit, app, base: str, demo) -> None:
    """The resident's path, checked at each step (including a failed submit)."""
    page, cycle = audit.page, demo["current"]
    cin, birth = demo["voter"]
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{base}/cycles/{cycle}/vote")
    audit.check("vote start")
    page.locator("form button[type=submit]").click()
    audit.check("vote start, errors")
    page.fill("#cin", cin)
    page.fill("#birth_date", birth)
    page.fill("#phone", "0612345678")
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/vote/code$"))
    audit.check("vote code")
    page.fill("#code", last_code(app, "+212612345678"))
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/vote/ballot$"))
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        audit.check(f"ballot @{width}")
    page.locator(".ballot-scope input[type=checkbox]").first.check()
    page.locator("form.ballot-form button[type=submit]").click()
    audit.check("review")
    page.locator("form[action$='/vote/cast'] button").click()
    page.wait_for_url(re.compile(r"/vote/done$"))
    audit.check("done")


def sign_in_staff(page, base: str, secret: str) -> None:
    page.goto(f"{base}/staff/login")
    page.fill("#username", "admin")
    page.fill("#password", STAFF_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/login/code"))
    page.fill("#code", totp_code(secret))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/?$"))


@pytest.mark.browser
@pytest.mark.parametrize("language", ["ar", "fr"])
def test_no_axe_violation_on_any_page(app, live_server, demo, browser, language):
    demo = {**demo, "report": domain_pages.publish_report(app)}
    context = browser.new_context(locale=f"{language}-MA")
    audit = Audit(context.new_page())
    audit.page.goto(f"{live_server}/lang/{language}?next=/")
    for path in public_pages(demo):
        audit.visit(live_server, path)
    vote(audit, app, live_server, demo)
    context.clear_cookies()  # a new visitor: one verification serves both votes
    audit.page.goto(f"{live_server}/lang/{language}?next=/")
    domain_pages.poll_vote(audit, app, live_server, demo)
    domain_pages.sign_in_resident(audit.page, app, live_server)
    for path in domain_pages.resident_pages(demo):
        audit.visit(live_server, path)
    if language == "ar":  # keyboard only, then axe on where each flow leads
        keyboard_flows.walk(audit.page, live_server, demo, audit.check)
    sign_in_staff(audit.page, live_server, demo["admin_secret"])
    for path in staff_pages(demo):
        audit.visit(live_server, path)
    context.close()
    audit.assert_clean()
