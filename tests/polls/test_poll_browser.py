"""A resident votes in a poll in Arabic on a 360 px screen with JavaScript off,
in Debian's Chromium: a forgotten question keeps the other answer."""

import os
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from jobs.polls import safety_net
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.polls.models import Poll, PollMark
from tests.helpers import CHROMIUM, CHROMIUM_ARGS, last_code
from tests.polls.factories import create_open_poll
from tests.voting.factories import create_voting_cycle

PHONE = "+212612345692"
SHOTS = os.environ.get("PBVOTE_SCREENSHOTS")  # a folder: keep screenshots to look at


@pytest.mark.browser
def test_resident_votes_in_a_poll_in_arabic_without_javascript(
    app, committed, commune, live_server
):
    from playwright.sync_api import sync_playwright

    with committed():
        registry = create_voting_cycle(commune, phase="execution")
        poll = create_open_poll(commune, registry, start=-timedelta(hours=1))
    cin, birth = registry["residents"][0]
    poll_id = poll["poll_id"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(
                viewport={"width": 360, "height": 740},
                locale="ar-MA",
                java_script_enabled=False,
            )
            page = context.new_page()

            def shot(name):
                if SHOTS:
                    page.screenshot(path=f"{SHOTS}/poll-{name}.png", full_page=True)

            page.goto(f"{live_server}/lang/ar?next=/polls/{poll_id}")
            assert page.locator("html").get_attribute("dir") == "rtl"
            assert page.locator("h1").inner_text() == "استطلاع السوق"
            shot("page")
            page.click(f"a[href$='/polls/{poll_id}/vote']")
            page.fill("input[name=cin]", cin)
            page.fill("input[name=birth_date]", birth)
            page.fill("input[name=phone]", "0612345692")
            page.locator("main form button[type=submit]").click()
            page.wait_for_url("**/vote/code")
            page.fill("input[name=code]", last_code(app, PHONE))
            page.locator("main form button[type=submit]").click()
            page.wait_for_url("**/ballot")
            legends = page.locator("fieldset legend").all_inner_texts()
            assert legends == ["1. هل نوسع السوق؟", "2. أي يوم؟"]
            # Forget the second question.
            page.check(f"input[name=q-{poll['yesno']}][value='{poll['yes']}']")
            page.locator("main form button[type=submit]").click()
            page.wait_for_load_state()
            assert page.locator(".error-summary").count() == 1
            assert page.locator(f"#q-{poll['choice']}.has-error").count() == 1
            assert page.is_checked(
                f"input[name=q-{poll['yesno']}][value='{poll['yes']}']"
            )
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            shot("ballot-error")
            page.check(f"input[name=q-{poll['choice']}][value='{poll['days'][1]}']")
            page.locator("main form button[type=submit]").click()
            page.wait_for_url("**/done")
            assert page.locator("strong[dir=ltr]").count() == 1  # the receipt
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            shot("done")
            # Sealed until the poll closes, then counted by the worker's safety net.
            page.goto(f"{live_server}/polls/{poll_id}/results")
            assert page.locator(".flash-warning").count() == 1
            with committed():
                db.session.get(Poll, poll_id).closes_at_dt = utcnow()
            with app.app_context():
                assert "published" in safety_net()
            page.goto(f"{live_server}/polls/{poll_id}/results")
            rows = page.locator("section table tbody tr").all_inner_texts()
            assert len(rows) == 7  # 2 + blank, 3 + blank
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            shot("results")
        finally:
            browser.close()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PollMark)) == 1
