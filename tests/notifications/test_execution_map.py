"""The execution dashboard's map: projects with a point (from their proposal) on a
map when a tile server is configured, and always the same places as a list with
their addresses (the keyboard, screen-reader and no-JavaScript equivalent)."""

import pytest

from pbvote.core.time import utcnow
from pbvote.extensions import db
from tests.factories import create_project, create_resident
from tests.helpers import CHROMIUM, CHROMIUM_ARGS
from tests.proposals.factories import create_proposal, setup_cycle

TILES = "https://tiles.ouazzane.example/{z}/{x}/{y}.png"


def located_execution(committed, commune) -> dict:
    from pbvote.accountability.services import open_execution_records
    from pbvote.cycles.models import Cycle

    with committed():
        setup = setup_cycle(commune, phase="execution")
        author = create_resident(commune["id"], phone="+212612000777")
        proposal = create_proposal(setup, author.id, title="Éclairage de Rmel")
        proposal.latitude, proposal.longitude = 34.7961, -5.5829
        proposal.location_text = "Rue de Rmel"
        cycle = db.session.get(Cycle, setup["cycle_id"])
        scope = cycle.scopes[0]
        placed = create_project(cycle, scope, 300_000, "Lampadaires", proposal.id)
        addressed = create_project(cycle, scope, 200_000, "Fontaine")
        unplaced = create_project(cycle, scope, 100_000, "Formation")
        records = open_execution_records(
            cycle.id, [placed.id, addressed.id, unplaced.id], utcnow()
        )
        records[1].location = "Place Moulay Abdallah Cherif"
        return {"ids": [r.id for r in records]}


def test_the_dashboard_shows_projects_on_a_map_and_as_a_list(
    client, app, committed, commune, monkeypatch
):
    data = located_execution(committed, commune)
    monkeypatch.setitem(app.config, "MAP_TILE_URL", TILES)
    client.set_cookie("lang", "ar")
    response = client.get("/execution")
    page = response.get_data(as_text=True)
    assert 'data-map="list"' in page and 'data-list="execution-place-list"' in page
    assert "vendor/leaflet/leaflet.js" in page and "js/map.js" in page
    listing = page[page.index('id="execution-place-list"') :]
    listing = listing[: listing.index("</ul>")]
    placed, addressed, unplaced = data["ids"]
    assert 'data-place="34.7961,-5.5829"' in listing
    assert f"/execution/{placed}" in listing and "مشروع Lampadaires" in listing
    assert "Rue de Rmel" in listing
    # An address without a point is listed (not on the map); nothing: not listed.
    assert f"/execution/{addressed}" in listing
    assert "Place Moulay Abdallah Cherif" in listing
    assert f"/execution/{unplaced}" not in listing
    assert listing.count("data-place=") == 1
    # The tile server is allowed on this page, as on the proposal pages.
    csp = response.headers["Content-Security-Policy"]
    assert "https://tiles.ouazzane.example" in csp


def test_without_a_tile_server_the_dashboard_lists_the_addresses(
    client, app, committed, commune
):
    located_execution(committed, commune)
    response = client.get("/execution")
    page = response.get_data(as_text=True)
    assert "data-map=" not in page and "leaflet.js" not in page
    assert 'id="execution-place-list"' in page and "Rue de Rmel" in page
    assert "tiles.ouazzane.example" not in response.headers["Content-Security-Policy"]


@pytest.mark.browser
def test_the_dashboard_map_in_chromium_and_without_javascript(
    app, committed, commune, live_server, monkeypatch
):
    from playwright.sync_api import sync_playwright

    tile = f"{live_server}/static/maps/blank-tile.png?z={{z}}&x={{x}}&y={{y}}"
    monkeypatch.setitem(app.config, "MAP_TILE_URL", tile)
    located_execution(committed, commune)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_context(
                viewport={"width": 360, "height": 740}, locale="ar-MA"
            ).new_page()
            page.goto(f"{live_server}/lang/ar?next=/execution")
            page.locator("#execution-map .leaflet-tile-loaded").first.wait_for()
            assert page.locator("#execution-map").bounding_box()["height"] > 200
            assert page.locator("#execution-map .leaflet-marker-icon").count() == 1
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"{width}px wide at 360px"

            plain = browser.new_context(
                viewport={"width": 360, "height": 740},
                locale="ar-MA",
                java_script_enabled=False,
            ).new_page()
            plain.goto(f"{live_server}/lang/ar?next=/execution")
            assert plain.locator("#execution-place-list li").count() == 2
            assert plain.get_by_text("Place Moulay Abdallah Cherif").is_visible()
        finally:
            browser.close()
