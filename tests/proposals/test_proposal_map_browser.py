"""A resident places a proposal on the map in Arabic, in Debian's Chromium, and
another does the same without JavaScript, by address only. Tiles come from one
blank local tile: no internet."""

import pytest
from sqlalchemy import select

from pbvote.extensions import db
from pbvote.proposals.models import Proposal
from tests.helpers import CHROMIUM, CHROMIUM_ARGS, last_code
from tests.proposals.factories import setup_cycle


def sign_in(page, app, live_server, phone, local):
    page.goto(f"{live_server}/lang/ar?next=/login")
    page.fill("input[name=phone]", local)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/login/code**")
    page.fill("input[name=code]", last_code(app, phone))
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


def fill_proposal(page, live_server, setup, title):
    page.goto(f"{live_server}/cycles/{setup['cycle_id']}/proposals/new")
    page.fill("input[name=title]", title)
    page.fill(
        "textarea[name=description]",
        "تركيب أعمدة إنارة بالطاقة الشمسية حول ملعب القرب بحي الرمل "
        "ليتمكن الشباب من اللعب بأمان في المساء.",
    )
    page.select_option("select[name=scope_id]", str(setup["district_scopes"][2]))
    page.select_option("select[name=category_id]", str(setup["categories"]["sports"]))
    page.check("input[name=beneficiaries][value=youth]")
    page.fill("input[name=location_text]", "ملعب القرب، حي الرمل")
    page.fill("input[name=estimated_cost]", "120000")


@pytest.mark.browser
def test_a_proposal_is_placed_on_the_map_and_without_javascript(
    app, committed, commune, live_server, monkeypatch
):
    from playwright.sync_api import sync_playwright

    tile = f"{live_server}/static/maps/blank-tile.png?z={{z}}&x={{x}}&y={{y}}"
    monkeypatch.setitem(app.config, "MAP_TILE_URL", tile)
    with committed():
        setup = setup_cycle(commune)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_context(
                viewport={"width": 360, "height": 740}, locale="ar-MA"
            ).new_page()
            sign_in(page, app, live_server, "+212612345690", "0612345690")
            fill_proposal(page, live_server, setup, "إنارة ملعب حي الرمل")
            assert page.locator("html").get_attribute("dir") == "rtl"
            page.locator("#place-map .leaflet-tile-loaded").first.wait_for()
            page.locator("#place-map").click()  # the middle: the town centre
            assert page.locator("#place-clear").is_visible()
            assert page.input_value("#latitude") != ""
            page.click("input[name=submit]")
            page.wait_for_load_state()
            assert page.locator("h1").inner_text() == "إنارة ملعب حي الرمل"
            assert page.locator(".map .leaflet-marker-icon").count() == 1

            plain = browser.new_context(
                viewport={"width": 360, "height": 740},
                locale="ar-MA",
                java_script_enabled=False,
            ).new_page()
            sign_in(plain, app, live_server, "+212612345691", "0612345691")
            fill_proposal(plain, live_server, setup, "إنارة ملعب حي أدرو")
            assert not plain.locator("#place-map").is_visible()
            plain.click("input[name=submit]")
            plain.wait_for_load_state()
            assert plain.locator("h1").inner_text() == "إنارة ملعب حي أدرو"
        finally:
            browser.close()
    with app.app_context():
        placed, plain_one = db.session.scalars(select(Proposal).order_by(Proposal.id))
        assert 34.77 < placed.latitude < 34.83 and -5.63 < placed.longitude < -5.54
        assert plain_one.latitude is None
        assert plain_one.location_text == "ملعب القرب، حي الرمل"
