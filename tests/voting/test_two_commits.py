"""Two commits per voter (docs/voting.md): a right code writes nothing, the
session holds a claim, and the cast consumes the code in the vote's transaction.
Each guarantee the code step's own commit gave is checked here where it now
holds: single use, the wrong-try limit, the per-phone limit, the answer for an
identity that does not match, and a clear "verify again" when the claim ends."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from pbvote.accounts.models import OtpChallenge
from pbvote.core.time import utcnow
from pbvote.cycles.models import Cycle
from pbvote.extensions import db
from pbvote.voting.models import (
    HeldBallot,
    Verification,
    VerificationAttempt,
    VoterMark,
)
from pbvote.voting.purge import purge_personal_trail
from tests.helpers import csrf_token, last_code, submit
from tests.voting.factories import PHONE
from tests.voting.helpers import StatementCounter, cast, token_for_ballot, verify


def _start(client, cycle_id, cin, birth, phone=PHONE):
    response = submit(
        client,
        f"/cycles/{cycle_id}/vote",
        {"cin": cin, "birth_date": birth, "phone": phone},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def _code(client, cycle_id, code):
    return submit(client, f"/cycles/{cycle_id}/vote/code", {"code": code})


def _rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _cast_form(client, election):
    return {
        "csrf_token": token_for_ballot(client, election["cycle_id"]),
        f"scope-{election['commune_scope']}": [election["projects"]["commune"][0]],
    }


def _flashed(client, response) -> str:
    """The page a redirect leads to, with its flashed message."""
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _copies(app, client, count):
    cookie = client.get_cookie("session").value
    copies = [app.test_client() for _ in range(count)]
    for copy in copies:
        copy.set_cookie("session", cookie)
    return copies


def _together(requests) -> list:
    """Run the callables at the same moment, each in its own thread."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def run(index):
        barrier.wait()
        results[index] = requests[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_a_right_code_writes_nothing_and_the_cast_consumes_it(app, election):
    client = app.test_client()
    verify(client, app, election["cycle_id"], *election["residents"][0])
    assert _rows(app, Verification) == 0
    assert _rows(app, VerificationAttempt) == _rows(app, OtpChallenge) == 1
    assert cast(client, election).status_code == 302
    assert (_rows(app, VerificationAttempt), _rows(app, OtpChallenge)) == (0, 0)
    assert (_rows(app, Verification), _rows(app, VoterMark)) == (1, 1)


def test_a_code_used_by_a_cast_is_refused_afterwards(app, election):
    cycle_id = election["cycle_id"]
    client = app.test_client()
    _start(client, cycle_id, *election["residents"][0])
    before_code = client.get_cookie("session").value  # holds the attempt
    code = last_code(app, PHONE)
    assert _code(client, cycle_id, code).status_code == 302
    assert cast(client, election).status_code == 302
    # The same code again, from a copy of the session as it was before the code.
    replay = app.test_client()
    replay.set_cookie("session", before_code)
    again = _code(replay, cycle_id, code)
    assert again.status_code == 200
    assert "Ask for a code first." in again.get_data(as_text=True)
    assert replay.get(f"/cycles/{cycle_id}/vote/ballot").status_code == 302
    assert _rows(app, VoterMark) == 1


@pytest.mark.commits  # requests in threads: their rows must really be committed
def test_two_copies_of_a_verified_session_cast_once(app, election):
    client = app.test_client()
    verify(client, app, election["cycle_id"], *election["residents"][0])
    copies = _copies(app, client, 2)
    forms = [_cast_form(copy, election) for copy in copies]
    url = f"/cycles/{election['cycle_id']}/vote/cast"
    results = _together(
        [lambda c=c, f=f: c.post(url, data=f) for c, f in zip(copies, forms)]
    )
    assert sorted(r.status_code for r in results) == [302, 409]
    loser = next(r for r in results if r.status_code == 409)
    assert "already voted" in loser.get_data(as_text=True)
    assert (_rows(app, Verification), _rows(app, VoterMark)) == (1, 1)
    assert _rows(app, HeldBallot) <= 1  # one voter's ballots (mixed once held)


def test_verifying_again_elsewhere_ends_the_earlier_claim(app, election):
    cycle_id = election["cycle_id"]
    cin, birth = election["residents"][0]
    first, second = app.test_client(), app.test_client()
    verify(first, app, cycle_id, cin, birth, phone="+212612345601")
    form = _cast_form(first, election)
    verify(second, app, cycle_id, cin, birth, phone="+212612345602")
    refused = first.post(f"/cycles/{cycle_id}/vote/cast", data=form)
    assert "Verify your identity first" in _flashed(first, refused)
    assert cast(second, election).status_code == 302
    assert _rows(app, VoterMark) == 1


@pytest.mark.commits  # each guess's transaction is real, as in production
def test_concurrent_wrong_codes_are_counted_up_to_the_limit(app, election):
    cycle_id = election["cycle_id"]
    client = app.test_client()
    _start(client, cycle_id, *election["residents"][0])
    copies = _copies(app, client, 8)
    url = f"/cycles/{cycle_id}/vote/code"
    tokens = [csrf_token(copy, url) for copy in copies]
    results = _together(
        [
            lambda c=c, t=t: c.post(url, data={"csrf_token": t, "code": "000000"})
            for c, t in zip(copies, tokens)
        ]
    )
    pages = [r.get_data(as_text=True) for r in results]
    wrong = sorted(p for p in pages if "Wrong code." in p)
    assert len(wrong) == 4  # 4, 3, 2 and 1 tries left, each once
    assert all("Too many wrong codes" in p for p in pages if "Wrong code." not in p)
    with app.app_context():
        assert db.session.scalar(select(OtpChallenge.failed_tries)) == 5
    right = _code(client, cycle_id, last_code(app, PHONE))
    assert "Too many wrong codes" in right.get_data(as_text=True)


def test_the_verified_window_ends_with_a_clear_message(app, election, monkeypatch):
    cycle_id = election["cycle_id"]
    client = app.test_client()
    verify(client, app, cycle_id, *election["residents"][0])
    form = _cast_form(client, election)
    monkeypatch.setitem(app.config, "VOTE_VERIFIED_MINUTES", 0)
    refused = client.post(f"/cycles/{cycle_id}/vote/cast", data=form)
    page = _flashed(client, refused)
    assert "nothing was recorded" in page and "Verify your identity again" in page
    assert (_rows(app, VoterMark), _rows(app, Verification)) == (0, 0)
    # The claim is dropped: the ballot asks to verify, the form is back.
    assert client.get(f"/cycles/{cycle_id}/vote/ballot").status_code == 302
    assert 'name="cin"' in client.get(f"/cycles/{cycle_id}/vote").get_data(as_text=True)


def test_the_ballot_page_ends_an_old_claim_too(app, election, monkeypatch):
    cycle_id = election["cycle_id"]
    client = app.test_client()
    verify(client, app, cycle_id, *election["residents"][0])
    monkeypatch.setitem(app.config, "VOTE_VERIFIED_MINUTES", 0)
    page = client.get(f"/cycles/{cycle_id}/vote/ballot")
    assert "Verify your identity again" in _flashed(client, page)


def test_the_purge_keeps_a_right_code_for_its_cast(app, election):
    client = app.test_client()
    verify(client, app, election["cycle_id"], *election["residents"][0])
    with app.app_context():  # 30 minutes later: the code expired, the claim holds
        counts = purge_personal_trail(utcnow() + timedelta(minutes=30))
        db.session.commit()
    assert (counts["attempts"], counts["challenges"]) == (0, 0)
    assert cast(client, election).status_code == 302
    assert _rows(app, VoterMark) == 1


def test_the_purge_keeps_only_attempts_a_right_code_may_still_cast(app, election):
    """An identity that matched keeps its attempt and code for the verified
    window; one that did not is deleted once its code expired, as before."""
    cycle_id = election["cycle_id"]
    cin, birth = election["residents"][0]
    _start(app.test_client(), cycle_id, cin, birth, "+212612345601")
    _start(app.test_client(), cycle_id, "QQ123456", birth, "+212612345602")
    with app.app_context():
        counts = purge_personal_trail(utcnow() + timedelta(minutes=20))
        db.session.commit()
        kept = db.session.scalars(select(VerificationAttempt)).one()
        assert kept.registry_entry_id is not None
    assert (counts["attempts"], counts["challenges"]) == (1, 1)
    assert _rows(app, OtpChallenge) == 1


def test_a_purged_claim_asks_to_verify_again_and_records_nothing(app, election):
    cycle_id = election["cycle_id"]
    client = app.test_client()
    verify(client, app, cycle_id, *election["residents"][0])
    form = _cast_form(client, election)
    with app.app_context():
        counts = purge_personal_trail(utcnow() + timedelta(minutes=80))
        db.session.commit()
    assert counts["attempts"] == 1
    refused = client.post(f"/cycles/{cycle_id}/vote/cast", data=form)
    assert "Verify your identity first" in _flashed(client, refused)
    assert (_rows(app, VoterMark), _rows(app, Verification)) == (0, 0)


@pytest.mark.commits  # requests in threads
def test_the_phone_limit_holds_at_the_cast_under_concurrency(
    app, election, committed, monkeypatch
):
    """Two residents verify with one phone while neither has voted (the code
    step's read lets both through); casting at once, the phone's one slot goes to
    one of them, and the other is told so with nothing recorded."""
    monkeypatch.setitem(app.config, "OTP_RESEND_COOLDOWN_SECONDS", 0)
    cycle_id = election["cycle_id"]
    with committed():
        db.session.get(Cycle, cycle_id).settings = {"residents_per_phone": 1}
    clients = [app.test_client() for _ in range(2)]
    for client, (cin, birth) in zip(clients, election["residents"][:2]):
        verify(client, app, cycle_id, cin, birth)
    forms = [_cast_form(client, election) for client in clients]
    url = f"/cycles/{cycle_id}/vote/cast"
    results = _together(
        [lambda c=c, f=f: c.post(url, data=f) for c, f in zip(clients, forms)]
    )
    places = sorted(r.headers["Location"].rsplit("/", 1)[1] for r in results)
    assert places == ["done", "vote"]
    loser = next(
        c for c, r in zip(clients, results) if r.headers["Location"].endswith("/vote")
    )
    page = loser.get(f"/cycles/{cycle_id}/vote").get_data(as_text=True)
    assert "already been used to verify 1 resident" in page
    # The loser's mark and held ballot, written in the statement whose
    # verification found the slot taken, went with its rollback.
    assert (
        _rows(app, Verification),
        _rows(app, VoterMark),
        _rows(app, HeldBallot),
    ) == (1, 1, 1)
    # One after the other, the code step says it before the ballot.
    late = app.test_client()
    _start(late, cycle_id, *election["residents"][2])
    refused = _code(late, cycle_id, last_code(app, PHONE))
    assert "already been used to verify 1 resident" in refused.get_data(as_text=True)


@pytest.mark.commits  # commits are counted on the engine
def test_an_identity_that_does_not_match_fails_as_a_wrong_code_at_its_cost(
    app, election
):
    """The right code of a non-matching identity and a wrong code of a matching
    one: the same message, the same statements and the same commit."""
    cycle_id = election["cycle_id"]
    cin, birth = election["residents"][0]
    matching, stranger = app.test_client(), app.test_client()
    _start(matching, cycle_id, cin, birth, "+212612345601")
    _start(stranger, cycle_id, "QQ123456", birth, "+212612345602")
    url = f"/cycles/{cycle_id}/vote/code"
    with app.app_context():
        counter = StatementCounter(db.engine)
    answers = []
    for client, code in (
        (matching, "000000"),
        (stranger, last_code(app, "+212612345602")),
    ):
        token = csrf_token(client, url)
        with counter.counting():
            page = client.post(url, data={"csrf_token": token, "code": code})
        answers.append((counter.statements, counter.commits, page.status_code))
        assert "Wrong code. 4 tries left." in page.get_data(as_text=True)
    assert answers[0] == answers[1]
    assert answers[0][1] == 1  # the wrong try is counted
