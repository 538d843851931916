"""A resident signs a petition in Arabic on a 360 px screen, in Debian's Chromium."""

import pytest

from pbvote.extensions import db
from pbvote.petitions import services
from pbvote.petitions.models import Petition
from tests.factories import create_resident
from tests.helpers import CHROMIUM, CHROMIUM_ARGS, last_code
from tests.petitions.factories import PEOPLE, create_registry

PHONE = "+212612345690"


@pytest.mark.browser
def test_a_resident_signs_a_petition_in_arabic(app, committed, commune, live_server):
    from playwright.sync_api import sync_playwright

    from pbvote.core.time import utcnow

    with committed():
        create_registry(commune)
        author = create_resident(commune["id"], "+212612345601")
        petition = services.create_petition(
            author,
            commune["id"],
            association=None,
            agent_name="هشام",
            title="ممرات آمنة قرب المدارس",
            request="نطلب إدراج تهيئة ممرات " * 3,
            now=utcnow(),
        )
        services.open_signatures(author, petition, utcnow())
        petition_id = petition.id
    cin, birth = PEOPLE[3]
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

            page.goto(f"{live_server}/petitions/{petition_id}")
            assert page.locator("html").get_attribute("lang") == "ar"
            assert page.locator("h1").inner_text() == "ممرات آمنة قرب المدارس"
            page.fill("input[name=cin]", cin.lower())
            page.fill("input[name=birth_date]", birth.isoformat())
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            page.locator("section.sign form button[type=submit]").click()
            page.wait_for_load_state()

            assert page.url.endswith(f"/petitions/{petition_id}")
            assert page.locator("section.sign form").count() == 0
            assert "1" in page.locator("#signatures").inner_text()
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
        finally:
            browser.close()
    with app.app_context():
        assert db.session.get(Petition, petition_id).signature_count == 1
