"""A resident verifies and votes in Arabic on a 360 px screen, in a real browser."""

import re

import pytest

from tests.helpers import CHROMIUM, CHROMIUM_ARGS, last_code
from tests.voting.helpers import mix_now


@pytest.mark.browser
def test_a_resident_verifies_and_votes_in_arabic_on_a_small_screen(
    app, live_server, election
):
    from playwright.sync_api import expect, sync_playwright

    cycle_id = election["cycle_id"]
    cin, birth = election["residents"][0]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        page = browser.new_context(
            viewport={"width": 360, "height": 740}, locale="ar-MA"
        ).new_page()
        page.goto(f"{live_server}/lang/ar?next=/cycles/{cycle_id}/vote")  # Arabic
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        page.fill("#cin", cin)
        page.fill("#birth_date", birth)
        page.fill("#phone", "0612345678")
        page.locator("form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/vote/code$"))
        page.fill("#code", last_code(app, "+212612345678"))
        page.locator("form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/vote/ballot$"))
        # The running total appears (ballot.js) and follows the ticked projects.
        first_scope = page.locator(".ballot-scope").first
        expect(first_scope.locator(".running-total")).to_be_visible()
        first_scope.locator("input[type=checkbox]").nth(0).check()
        first_scope.locator("input[type=checkbox]").nth(1).check()
        expect(first_scope.locator(".total-value")).to_contain_text("550")
        first_scope.locator("input[type=checkbox]").nth(2).check()  # over budget
        expect(first_scope.locator(".running-total")).to_have_class(
            re.compile("is-wrong")
        )
        first_scope.locator("input[type=checkbox]").nth(2).uncheck()
        page.locator(".ballot-scope").nth(1).locator("input[type=checkbox]").nth(
            0
        ).check()
        no_overflow = page.evaluate(
            "document.documentElement.scrollWidth <= window.innerWidth"
        )
        assert no_overflow
        page.locator("form.ballot-form button[type=submit]").click()
        page.locator("form[action$='/vote/cast'] button").click()
        page.wait_for_url(re.compile(r"/vote/done$"))
        receipts = page.locator(".receipt").all_inner_texts()
        assert len(receipts) == 2
        box = f"{live_server}/cycles/{cycle_id}/ballot-box?receipt={receipts[0]}"
        page.goto(box)
        expect(page.locator(".receipt-waiting")).to_be_visible()  # not mixed yet
        mix_now(app, cycle_id)  # as the workers' tick does
        page.goto(box)
        expect(page.locator(".receipt-found")).to_be_visible()
        browser.close()
