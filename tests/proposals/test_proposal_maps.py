"""Places on a map: the tile server is a setting (none: an address-only form), the
commune's boundary refuses a point outside it, the map page has a list
equivalent, and the commune's districts are served as GeoJSON."""

from sqlalchemy import select

from pbvote.extensions import db
from pbvote.proposals.models import Proposal
from tests.factories import create_resident
from tests.helpers import login_resident, submit
from tests.proposals.factories import create_proposal, setup_cycle
from tests.proposals.test_proposal_submission import form_data, new_url

TILES = "https://tiles.ouazzane.example/{z}/{x}/{y}.png"


def test_without_a_tile_server_the_form_asks_for_an_address(
    client, app, committed, commune
):
    with committed():
        setup = setup_cycle(commune)
    login_resident(client, app)
    page = client.get(new_url(setup)).get_data(as_text=True)
    assert "this commune shows no map" in page
    assert 'data-map="pick"' not in page and "leaflet.js" not in page
    # The address alone is a complete answer.
    response = submit(
        client, new_url(setup), form_data(setup, latitude="", longitude="")
    )
    assert response.status_code == 302
    with app.app_context():
        proposal = db.session.scalar(select(Proposal))
        assert proposal.location_text == "Terrain de Rmel"
        assert proposal.latitude is None


def test_with_a_tile_server_the_form_has_a_map(
    client, app, committed, commune, monkeypatch
):
    monkeypatch.setitem(app.config, "MAP_TILE_URL", TILES)
    with committed():
        setup = setup_cycle(commune)
    login_resident(client, app)
    response = client.get(new_url(setup))
    page = response.get_data(as_text=True)
    assert 'data-map="pick"' in page and "vendor/leaflet/leaflet.js" in page
    assert 'name="latitude"' in page  # filled by the map, empty without it
    csp = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://tiles.ouazzane.example" in csp
    assert client.get("/static/vendor/leaflet/leaflet.js").status_code == 200


def test_a_point_outside_the_commune_is_refused(client, app, committed, commune):
    with committed():
        setup = setup_cycle(commune)
    login_resident(client, app)
    # Fès: in Morocco, outside Ouazzane's boundary.
    response = submit(
        client, new_url(setup), form_data(setup, latitude="34.0331", longitude="-5.0")
    )
    assert response.status_code == 200  # the form again, with the message
    assert "This point is outside the commune of Ouazzane." in response.get_data(
        as_text=True
    )
    assert "Terrain de Rmel" in response.get_data(as_text=True)  # nothing lost
    inside = submit(client, new_url(setup), form_data(setup))
    assert inside.status_code == 302


def test_the_map_page_lists_every_place(client, app, committed, commune, monkeypatch):
    with committed():
        setup = setup_cycle(commune)
        author = create_resident(commune["id"])
        placed = create_proposal(setup, author.id, title="Lampadaires du Rmel")
        placed.latitude, placed.longitude = 34.7971, -5.5834
        placed.location_text = "Terrain de Rmel"
        address = create_proposal(setup, author.id, title="Bancs du jardin public")
        address.location_text = "Jardin public, avenue Hassan II"
        create_proposal(setup, author.id, title="Sans lieu précis")
        create_proposal(setup, author.id, title="Brouillon caché", status="draft")
        placed_id = placed.id
    url = f"/cycles/{setup['cycle_id']}/proposals/map"
    page = client.get(url).get_data(as_text=True)
    assert 'data-map="list"' not in page  # no tiles configured: the list only
    assert 'data-place="34.7971,-5.5834"' in page
    assert "Lampadaires du Rmel" in page and "Bancs du jardin public" in page
    assert "address only" in page
    assert "Sans lieu précis" not in page and "Brouillon caché" not in page
    monkeypatch.setitem(app.config, "MAP_TILE_URL", TILES)
    assert 'data-map="list"' in client.get(url).get_data(as_text=True)
    proposal_page = client.get(f"/proposals/{placed_id}").get_data(as_text=True)
    assert 'data-map="show"' in proposal_page and "On the map of the proposals" in (
        proposal_page
    )


def test_the_districts_are_served_as_geojson(client, committed, commune):
    areas = client.get("/map/areas.geojson").get_json()
    kinds = [f["properties"]["kind"] for f in areas["features"]]
    assert kinds.count("commune") == 1 and kinds.count("district") == 21
    names = {f["properties"]["name"] for f in areas["features"]}
    assert {"Adrou", "Rmel", "Tayloul"} <= names
