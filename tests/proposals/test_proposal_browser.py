"""A resident signs in by SMS and submits a proposal in Arabic on a 360 px screen,
in Debian's Chromium."""

import pytest

from tests.helpers import CHROMIUM, CHROMIUM_ARGS, last_code
from tests.proposals.factories import setup_cycle

PHONE = "+212612345690"


@pytest.mark.browser
def test_resident_submits_a_proposal_in_arabic_on_a_phone(
    app, committed, commune, live_server
):
    from playwright.sync_api import sync_playwright

    with committed():
        setup = setup_cycle(commune)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(
                viewport={"width": 360, "height": 740}, locale="ar-MA"
            )
            page = context.new_page()
            page.goto(f"{live_server}/lang/ar?next=/login")
            assert page.locator("html").get_attribute("dir") == "rtl"
            page.fill("input[name=phone]", "0612345690")
            page.locator("form button[type=submit]").last.click()
            page.wait_for_url("**/login/code**")
            page.fill("input[name=code]", last_code(app, PHONE))
            page.locator("form button[type=submit]").last.click()
            page.wait_for_load_state()

            page.goto(f"{live_server}/cycles/{setup['cycle_id']}/proposals/new")
            page.fill("input[name=title]", "إنارة ملعب حي الرمل")
            page.fill(
                "textarea[name=description]",
                "تركيب **أعمدة إنارة** بالطاقة الشمسية حول ملعب القرب بحي الرمل "
                "ليتمكن الشباب والفتيات من اللعب بأمان في المساء.",
            )
            page.select_option(
                "select[name=scope_id]", str(setup["district_scopes"][2])
            )
            page.select_option(
                "select[name=category_id]", str(setup["categories"]["sports"])
            )
            page.check("input[name=beneficiaries][value=youth]")
            page.check("input[name=beneficiaries][value=women]")
            page.fill("input[name=location_text]", "ملعب القرب، حي الرمل")
            page.fill("input[name=estimated_cost]", "120000")
            # Nothing is wider than the screen.
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            page.click("input[name=submit]")
            page.wait_for_load_state()

            assert "/proposals/" in page.url and "/new" not in page.url
            assert page.locator("h1").inner_text() == "إنارة ملعب حي الرمل"
            assert page.locator("strong", has_text="أعمدة إنارة").count() == 1
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
        finally:
            browser.close()
