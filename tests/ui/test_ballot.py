"""The ballot for a resident who reads little, on a cheap phone: pictures, a gauge
drawn by the server, amounts in the page's language, with or without JavaScript."""

import os
import re

import pytest

from tests.helpers import last_code

PHONE = "+212612345678"


def open_ballot(page, app, base, election, language):
    cin, birth = election["residents"][0]
    cycle = election["cycle_id"]
    page.goto(f"{base}/lang/{language}?next=/cycles/{cycle}/vote")
    page.fill("#cin", cin)
    page.fill("#birth_date", birth)
    page.fill("#phone", "0612345678")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/vote/code$"))
    page.fill("#code", last_code(app, PHONE))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/vote/ballot$"))


def screenshot(page, name):
    """Kept for a person to look at when PBVOTE_SCREENSHOTS names a folder."""
    folder = os.environ.get("PBVOTE_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


@pytest.mark.browser
def test_a_resident_votes_without_javascript_on_a_320_px_phone(
    app, live_server, pictured_election, browser
):
    from playwright.sync_api import expect

    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 320, "height": 640}
    )
    page = context.new_page()
    open_ballot(page, app, live_server, pictured_election, "ar")
    scope = page.locator(".ballot-scope").first
    expect(scope.locator(".running-total")).to_be_hidden()  # needs JavaScript
    expect(scope.locator(".gauge-left")).to_contain_text("600.000\xa0درهم")
    pictures = page.locator("img.project-picture")
    expect(pictures).to_have_count(6)
    photo = f"/proposals/{pictured_election['photo_project']}"
    assert "/files/" in pictures.first.get_attribute("src")
    assert "pictograms/green.svg" in pictures.nth(1).get_attribute("src")
    assert photo  # the photo comes from the project's proposal
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    screenshot(page, "ballot-ar-320-nojs")
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    screenshot(page, "ballot-ar-360-nojs")
    page.set_viewport_size({"width": 320, "height": 640})
    scope.locator("input[type=checkbox]").nth(0).check()  # 250 000
    scope.locator("input[type=checkbox]").nth(1).check()  # 300 000
    page.locator("form.ballot-form button[type=submit]").click()
    gauge = page.locator(".review-scope .gauge").first
    expect(gauge.locator(".gauge-fill")).to_have_attribute("width", "91")
    expect(gauge.locator(".gauge-left")).to_contain_text("50.000\xa0درهم")
    screenshot(page, "review-ar-320-nojs")
    page.locator("form[action$='/vote/cast'] button").click()
    page.wait_for_url(re.compile(r"/vote/done$"))
    expect(page.locator(".receipt")).to_have_count(2)
    context.close()


@pytest.mark.browser
def test_an_over_budget_choice_without_javascript_focuses_the_error(
    app, live_server, pictured_election, browser
):
    from playwright.sync_api import expect

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    open_ballot(page, app, live_server, pictured_election, "fr")
    for box in page.locator(".ballot-scope").first.locator("input").all():
        box.check()  # 900 000 MAD for a 600 000 MAD budget
    page.locator("form.ballot-form button[type=submit]").click()
    expect(page.locator("#ballot-error")).to_be_focused()  # autofocus, no script
    gauge = page.locator(".ballot-scope .gauge").first
    assert "is-over" in gauge.get_attribute("class")
    assert "300\u202f000\xa0MAD" in gauge.locator(".gauge-over").inner_text()
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize(
    ("language", "total", "left"),
    [
        ("ar", "550.000\xa0درهم", "50.000\xa0درهم"),
        ("fr", "550\u202f000\xa0MAD", "50\u202f000\xa0MAD"),
        ("en", "550,000\xa0MAD", "50,000\xa0MAD"),
    ],
)
def test_the_running_total_reads_like_the_servers_amounts(
    app, live_server, pictured_election, browser, language, total, left
):
    from playwright.sync_api import expect

    page = browser.new_context().new_page()
    open_ballot(page, app, live_server, pictured_election, language)
    scope = page.locator(".ballot-scope").first
    scope.locator("input[type=checkbox]").nth(0).check()
    scope.locator("input[type=checkbox]").nth(1).check()
    expect(scope.locator(".total-value")).to_contain_text(total)
    expect(scope.locator(".gauge-left")).to_contain_text(left)
    expect(scope.locator(".gauge-fill")).to_have_attribute("width", "91")
    page.context.close()


@pytest.mark.browser
def test_the_sticky_total_never_hides_the_focused_checkbox_at_320_px(
    app, live_server, pictured_election, browser
):
    context = browser.new_context(viewport={"width": 320, "height": 560})
    page = context.new_page()
    open_ballot(page, app, live_server, pictured_election, "ar")
    screenshot(page, "ballot-ar-320-js")
    boxes = page.locator(".ballot-form input[type=checkbox]")
    boxes.first.focus()
    covered = []
    for index in range(boxes.count()):
        if index:
            page.keyboard.press("Tab")
            while page.evaluate("document.activeElement.type") != "checkbox":
                page.keyboard.press("Tab")
        covered += page.evaluate(
            """() => {
              const box = document.activeElement.getBoundingClientRect();
              return [...document.querySelectorAll('.running-total')]
                .filter(t => !t.hidden)
                .map(t => t.getBoundingClientRect())
                .filter(t => box.bottom > t.top && box.top < t.bottom)
                .map(() => document.activeElement.value);
            }"""
        )
    assert covered == []
    context.close()


@pytest.mark.browser
def test_focus_moves_to_the_error_summary_after_a_failed_submit(
    live_server, pictured_election, browser
):
    from playwright.sync_api import expect

    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(f"{live_server}/cycles/{pictured_election['cycle_id']}/vote")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_focused()
    invalid = page.locator("[aria-invalid=true]")
    assert invalid.count() >= 1
    page.context.close()
