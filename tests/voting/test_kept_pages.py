"""The identity, code and empty ballot pages kept whole per cycle (the ballot:
per district) and language for signed-out residents (pbvote.voting.pages, issue
13): each page must be the same as when it is rendered for each request, with the
resident's own CSRF token, masked phone and address, and nothing about a resident
may be kept."""

import re

import pytest

from pbvote.core.processcache import clear_all
from pbvote.extensions import db
from pbvote.voting import pages
from tests.helpers import CSRF_RE, login_resident, submit
from tests.voting.helpers import verify

CSRF_VALUE = re.compile(
    r'(name="csrf_token" type="hidden" value="|name="csrf_token" value=")[^"]*"'
)
OTHER_PHONE = "+212698765432"
# A page address with characters that URL and HTML escaping both change.
QUERY = "?from=sms&note=a%20b%3Cc%3E%22'"


def _text(response) -> str:
    assert response.status_code == 200
    return CSRF_VALUE.sub(r'\1"', response.get_data(as_text=True))


def _rendered_each_time(app, client, url) -> str:
    app.config["PROCESS_CACHE_SECONDS"] = 0
    try:
        return _text(client.get(url))
    finally:
        app.config["PROCESS_CACHE_SECONDS"] = 60


def _assert_kept_as_rendered(app, client, url) -> None:
    """The page at ``url`` (and with a query to escape) is the same rendered for
    the request, then rendered to keep, then from the kept page."""
    for address in (url, url + QUERY):
        expected = _rendered_each_time(app, client, address)
        assert _text(client.get(address)) == expected  # rendered, then kept
        assert _text(client.get(address)) == expected  # from the kept page


def _kept_pages() -> dict:
    return {key: value for key, (_expiry, value) in pages._PAGES._values.items()}


def _at_code_step(app, election, lang: str, phone: str = "+212612345678"):
    cin, birth = election["residents"][0]
    client = app.test_client()
    client.set_cookie("lang", lang)
    response = submit(
        client,
        f"/cycles/{election['cycle_id']}/vote",
        {"cin": cin, "birth_date": birth, "phone": phone},
    )
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_kept_pages_are_the_pages_rendered_each_time(
    app, election, process_caches, lang
):
    app.jinja_env.auto_reload = False
    cycle_id = election["cycle_id"]
    client = _at_code_step(app, election, lang)
    for url in (f"/cycles/{cycle_id}/vote", f"/cycles/{cycle_id}/vote/code"):
        _assert_kept_as_rendered(app, client, url)
    kept = _kept_pages()
    assert {(key[0], key[1], key[2]) for key in kept} == {
        ("verify", cycle_id, lang),
        ("code", cycle_id, lang),
    }
    joined = "".join(kept.values())
    assert pages.CSRF_MARK in joined and pages.PHONE_MARK in joined
    assert "6••" not in joined  # the masked phone is the resident's
    assert "from=sms" not in joined  # and so is the address


def test_each_resident_gets_their_own_token_and_phone(app, election, process_caches):
    app.jinja_env.auto_reload = False
    url = f"/cycles/{election['cycle_id']}/vote/code"
    first = _at_code_step(app, election, "fr")
    second = _at_code_step(app, election, "fr", phone=OTHER_PHONE)
    first_page = first.get(url).get_data(as_text=True)
    second_page = second.get(url).get_data(as_text=True)
    assert len(_kept_pages()) == 2  # the identity page and this one, shared
    assert '<bdi dir="ltr">+212 6•• ••• •78</bdi>' in first_page
    assert '<bdi dir="ltr">+212 6•• ••• •32</bdi>' in second_page
    first_token = CSRF_RE.search(first_page).group(1)
    second_token = CSRF_RE.search(second_page).group(1)
    accepted = _own_token_only(second, url, second_token, first_token, code="000000")
    assert 'id="code-error"' in accepted.get_data(as_text=True)


def _own_token_only(client, url, own, other, **data):
    """Each token is its resident's: ``client`` posting ``data`` with the other
    resident's token is refused, with its own accepted (returned)."""
    refused = client.post(url, data={"csrf_token": other, **data})
    assert refused.status_code == 400
    accepted = client.post(url, data={"csrf_token": own, **data})
    assert accepted.status_code == 200
    return accepted


def test_flashed_messages_and_signed_in_visitors_get_rendered_pages(
    app, election, process_caches
):
    app.jinja_env.auto_reload = False
    url = f"/cycles/{election['cycle_id']}/vote"
    client = app.test_client()
    client.set_cookie("lang", "en")
    client.get(url)  # the kept page exists
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "A message for this visitor")]
    flashed = client.get(url).get_data(as_text=True)
    assert '<p class="flash flash-info">A message for this visitor</p>' in flashed
    assert "A message" not in client.get(url).get_data(as_text=True)  # shown once

    login_resident(client, app)
    assert "You are signed in." in client.get(url).get_data(as_text=True)
    expected = _rendered_each_time(app, client, url)
    assert "logout" in expected  # the signed-in header
    assert _text(client.get(url)) == expected
    assert "logout" not in "".join(_kept_pages().values())


def test_a_committed_change_to_the_cycle_shows_at_once(app, election, process_caches):
    from pbvote.cycles.models import Cycle

    app.jinja_env.auto_reload = False
    url = f"/cycles/{election['cycle_id']}/vote"
    client = app.test_client()
    client.set_cookie("lang", "fr")
    client.get(url)
    assert _kept_pages()
    with app.app_context():
        cycle = db.session.get(Cycle, election["cycle_id"])
        cycle.title_fr = "Un cycle renommé"
        db.session.commit()
    assert not _kept_pages()
    assert "Un cycle renommé" in client.get(url).get_data(as_text=True)


def test_nothing_is_kept_with_caches_off_or_templates_reloading(app, election):
    url = f"/cycles/{election['cycle_id']}/vote"
    client = app.test_client()
    clear_all()
    client.get(url)  # PROCESS_CACHE_SECONDS is 0 in tests
    assert not pages._PAGES._values
    app.config["PROCESS_CACHE_SECONDS"] = 60
    app.jinja_env.auto_reload = True
    try:
        client.get(url)
        assert not pages._PAGES._values
    finally:
        app.config["PROCESS_CACHE_SECONDS"] = 0
        app.jinja_env.auto_reload = False


def _kept_ballots() -> dict:
    return {key: value for key, (_expiry, value) in pages._BALLOT_PAGES._values.items()}


def _at_ballot(app, election, lang: str, resident: int = 0, phone=None):
    cin, birth = election["residents"][resident]
    client = app.test_client()
    client.set_cookie("lang", lang)
    verify(client, app, election["cycle_id"], cin, birth, phone=phone or OTHER_PHONE)
    return client


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_the_kept_ballot_is_the_ballot_rendered_each_time(
    app, election, process_caches, lang
):
    app.jinja_env.auto_reload = False
    cycle_id = election["cycle_id"]
    client = _at_ballot(app, election, lang)
    _assert_kept_as_rendered(app, client, f"/cycles/{cycle_id}/vote/ballot")
    kept = _kept_ballots()
    district = election["district_ids"][0]
    assert {key[:3] for key in kept} == {(cycle_id, district, lang)}
    joined = "".join(kept.values())
    assert pages.CSRF_MARK in joined and "from=sms" not in joined


def test_residents_of_a_district_share_the_ballot_not_their_tokens(
    app, election, process_caches
):
    app.jinja_env.auto_reload = False
    url = f"/cycles/{election['cycle_id']}/vote/ballot"
    first = _at_ballot(app, election, "fr", resident=0)
    second = _at_ballot(app, election, "fr", resident=1, phone="+212698765433")
    first_token = CSRF_RE.search(first.get(url).get_data(as_text=True)).group(1)
    second_token = CSRF_RE.search(second.get(url).get_data(as_text=True)).group(1)
    assert len(_kept_ballots()) == 1 and first_token != second_token
    pick = {
        f"scope-{election['commune_scope']}": election["projects"]["commune"][:1],
        "step": "review",
    }
    reviewed = _own_token_only(second, url, second_token, first_token, **pick)
    assert "/vote/cast" in reviewed.get_data(as_text=True)


def test_a_committed_change_to_a_project_shows_on_the_next_ballot(
    app, election, process_caches
):
    from pbvote.proposals.models import Project

    app.jinja_env.auto_reload = False
    url = f"/cycles/{election['cycle_id']}/vote/ballot"
    client = _at_ballot(app, election, "fr")
    client.get(url)
    assert _kept_ballots()
    with app.app_context():
        project = db.session.get(Project, election["projects"]["commune"][0])
        project.title_fr = "Un projet renommé"
        db.session.commit()
    assert not _kept_ballots()
    assert "Un projet renommé" in client.get(url).get_data(as_text=True)
