"""The ballot pages' pieces kept per ballot and language (pbvote.voting.markup,
issue 13): the pages must be the same as when everything is rendered for each
page, and nothing about a resident (choice, CSRF token) may be kept."""

import re

import pytest

from pbvote.core.processcache import clear_all
from pbvote.voting import markup
from tests.helpers import submit
from tests.voting.helpers import ballot_data, verify

CSRF_VALUE = re.compile(r'(name="csrf_token" (?:type="hidden" )?value=")[^"]*"')


def _text(response):
    return CSRF_VALUE.sub(r'\1"', response.get_data(as_text=True))


def _pages(client, election, picked):
    """The ballot, the ballot with a choice kept (to change it), the review."""
    base = f"/cycles/{election['cycle_id']}/vote/ballot"
    data = ballot_data(election, *picked)
    return [
        _text(client.get(base)),
        _text(submit(client, base, {"step": "edit", **data})),
        _text(submit(client, base, {"step": "review", **data})),
    ]


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_kept_pieces_render_as_the_templates_do(app, election, lang):
    district = election["projects"][election["district_key"]]
    picks = [
        (election["projects"]["commune"][:1], district[:1]),
        ((), district[1:2]),
    ]
    cin, birth = election["residents"][0]
    client = app.test_client()
    client.set_cookie("lang", lang)
    verify(client, app, election["cycle_id"], cin, birth)

    app.config["PROCESS_CACHE_SECONDS"] = 0  # everything rendered for each page
    expected = [_pages(client, election, picked) for picked in picks]

    app.config["PROCESS_CACHE_SECONDS"] = 60
    clear_all()
    try:
        for picked, pages in zip(picks, expected, strict=True):
            assert _pages(client, election, picked) == pages
        kept = markup._PIECES._values
        assert len(kept) == 1
        pieces = next(iter(kept.values()))[1]
        assert {"intro", "guide"} <= set(pieces)
        assert {key[0] for key in pieces if isinstance(key, tuple)} == {
            "scope",
            "project",
            "review",
            "empty-gauge",
            "fieldset",  # a scope with nothing chosen, whole
        }
        joined = "".join(pieces.values())
        assert "checked" not in joined
        assert "csrf_token" not in joined
        # Only empty gauges are kept: a resident's sum is never.
        assert all(
            'width="0"' in markup
            for key, markup in pieces.items()
            if key[0] == "empty-gauge"
        )
        # Served from the kept pieces, a second time.
        for picked, pages in zip(picks, expected, strict=True):
            assert _pages(client, election, picked) == pages
    finally:
        app.config["PROCESS_CACHE_SECONDS"] = 0
        clear_all()


def test_pieces_are_not_kept_with_caches_off(app, election):
    cin, birth = election["residents"][0]
    client = app.test_client()
    verify(client, app, election["cycle_id"], cin, birth)
    clear_all()
    client.get(f"/cycles/{election['cycle_id']}/vote/ballot")
    assert not markup._PIECES._values


def test_ballot_items_are_kept_per_ballot_and_language(app, election, process_caches):
    """views._ballot_page: one entry per district and language, holding the
    cached ballot it was built from; a commit that changes the ballot's rows
    empties it with the ballot, so a district renamed by staff shows on the next
    page."""
    from pbvote.communes.models import District
    from pbvote.extensions import db
    from pbvote.voting import rules, views

    cin, birth = election["residents"][0]
    client = app.test_client()
    verify(client, app, election["cycle_id"], cin, birth)
    views._PAGES.clear()
    base = f"/cycles/{election['cycle_id']}/vote/ballot"
    for lang in ("fr", "ar", "fr"):
        client.set_cookie("lang", lang)
        assert client.get(base).status_code == 200
    kept = {key: page for key, (_expiry, page) in views._PAGES._values.items()}
    assert sorted(code for _cycle, _district, code in kept) == ["ar", "fr"]
    ballots = {key[:2]: ballot for key, (_e, ballot) in rules._BALLOTS._values.items()}
    assert all(page.ballot is ballots[key[:2]] for key, page in kept.items())

    with app.app_context():
        district = db.session.get(District, election["district_ids"][0])
        district.name_fr = "Quartier renommé"
        db.session.commit()
    page = client.get(base).get_data(as_text=True)
    assert "Quartier renommé" in page
    assert len(views._PAGES._values) == 1  # the reloaded ballot's, in French
