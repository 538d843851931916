"""Verification: ID + date of birth matched by hash, an SMS code, a per-phone limit;
the answer never tells whether an ID is in the registry."""

import re

import pytest
from sqlalchemy import select

from pbvote.cycles.models import Cycle
from pbvote.extensions import db
from pbvote.voting.models import HeldBallot, Verification, VoterEntry, VoterMark
from tests.factories import create_cycle
from tests.helpers import csrf_token, last_code, login_resident, submit
from tests.voting.factories import PHONE, create_entry
from tests.voting.helpers import ballot_data, cast, verify


def _start(client, cycle_id, cin, birth, phone=PHONE):
    return submit(
        client,
        f"/cycles/{cycle_id}/vote",
        {"cin": cin, "birth_date": birth, "phone": phone},
    )


def _code_page(client, cycle_id, code="123456"):
    return submit(client, f"/cycles/{cycle_id}/vote/code", {"code": code})


def _normalised(page: str, phone: str) -> str:
    from pbvote.accounts.phones import masked

    page = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", page)
    return page.replace(masked(phone), "PHONE")


def test_known_and_unknown_ids_get_the_same_answer_and_the_same_sms(app, election):
    """No oracle: a code goes to every typed phone; only the matching identity's
    code opens the ballot, the others fail exactly as a wrong code."""
    cycle_id = election["cycle_id"]
    cin, birth = election["residents"][0]
    clients = [app.test_client() for _ in range(3)]
    phones = ("+212612345601", "+212612345602", "+212612345603")
    typed = [(cin, birth), ("QQ123456", birth), (cin, "02/02/1999")]
    answers = [
        _start(c, cycle_id, i, b, phone)
        for c, (i, b), phone in zip(clients, typed, phones)
    ]
    assert {a.status_code for a in answers} == {302}
    assert len({a.headers["Location"] for a in answers}) == 1
    pages = [
        c.get(f"/cycles/{cycle_id}/vote/code").get_data(as_text=True) for c in clients
    ]
    assert "A code is on its way to" in pages[0]
    assert "•01" in pages[0] and "•02" in pages[1]  # the last two digits shown
    assert len({_normalised(p, phone) for p, phone in zip(pages, phones)}) == 1
    codes = [last_code(app, phone) for phone in phones]  # every phone got a code
    answers = [_code_page(c, cycle_id, code) for c, code in zip(clients, codes)]
    assert answers[0].status_code == 302
    assert all(
        "Wrong code. 4 tries left." in a.get_data(as_text=True) for a in answers[1:]
    )
    # And a plain wrong code reads the same.
    again = app.test_client()
    _start(again, cycle_id, cin, birth, "+212612345604")
    wrong = _code_page(again, cycle_id, "000000").get_data(as_text=True)
    assert "Wrong code. 4 tries left." in wrong


def test_the_code_verifies_the_resident_for_this_cycle(client, app, election):
    cin, birth = election["residents"][0]
    verify(client, app, election["cycle_id"], cin, birth)
    page = client.get(f"/cycles/{election['cycle_id']}/vote/ballot")
    assert page.status_code == 200
    with app.app_context():  # the right code wrote nothing: the cast records it
        assert db.session.scalars(select(Verification)).all() == []
    assert cast(client, election).status_code == 302
    with app.app_context():
        row = db.session.scalars(select(Verification)).one()
        entry = db.session.scalars(select(VoterEntry).order_by(VoterEntry.id)).first()
        assert (row.cycle_id, row.registry_entry_id, row.method) == (
            election["cycle_id"],
            entry.id,
            "sms",
        )
        assert PHONE not in str(row.phone_hash) and row.phone_slot == 1
    # The session cookie holds an opaque token, not the registry entry.
    assert str(entry.id) not in client.get_cookie("session").value[:3]


def test_the_code_page_without_a_request_goes_back_to_the_start(client, election):
    response = client.get(f"/cycles/{election['cycle_id']}/vote/code")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/vote")


def test_five_wrong_codes_lock_the_challenge(client, app, election):
    cin, birth = election["residents"][0]
    _start(client, election["cycle_id"], cin, birth)
    for _ in range(4):
        _code_page(client, election["cycle_id"], "000000")
    last = _code_page(client, election["cycle_id"], "000000").get_data(as_text=True)
    assert "Too many wrong codes" in last
    good = _code_page(client, election["cycle_id"], last_code(app, PHONE))
    assert "Too many wrong codes" in good.get_data(as_text=True)


def test_a_phone_verifies_at_most_n_residents(app, election, committed, monkeypatch):
    monkeypatch.setitem(app.config, "OTP_RESEND_COOLDOWN_SECONDS", 0)
    with committed():
        cycle = db.session.get(Cycle, election["cycle_id"])
        cycle.settings = {"residents_per_phone": 2}
    cycle_id = election["cycle_id"]
    for cin, birth in election["residents"][:2]:
        voter = app.test_client()
        verify(voter, app, cycle_id, cin, birth)
        assert cast(voter, election).status_code == 302
    cin, birth = election["residents"][2]
    third = app.test_client()
    assert _start(third, cycle_id, cin, birth).status_code == 302
    refused = _code_page(third, cycle_id, last_code(app, PHONE))
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200  # told at the code step, before the ballot
    assert "already been used to verify 2 residents" in text
    # One of the two may verify again with the same phone (a new session).
    again = app.test_client()
    verify(again, app, cycle_id, *election["residents"][0])


def test_verifying_again_ends_the_earlier_session(app, election):
    cin, birth = election["residents"][0]
    first, second = app.test_client(), app.test_client()
    verify(first, app, election["cycle_id"], cin, birth, phone="+212612345601")
    verify(second, app, election["cycle_id"], cin, birth, phone="+212612345602")
    assert first.get(f"/cycles/{election['cycle_id']}/vote/ballot").status_code == 302
    assert second.get(f"/cycles/{election['cycle_id']}/vote/ballot").status_code == 200


def test_a_review_after_verifying_elsewhere_shows_and_its_cast_is_refused(
    app, election
):
    """The review reads the claim's district from the session (no query): a
    claim superseded after its ballot was shown still reviews, and its cast,
    which checks the claim in the vote's transaction, records nothing."""
    cycle_id = election["cycle_id"]
    cin, birth = election["residents"][0]
    first, second = app.test_client(), app.test_client()
    verify(first, app, cycle_id, cin, birth, phone="+212612345601")
    token = csrf_token(first, f"/cycles/{cycle_id}/vote/ballot")
    verify(second, app, cycle_id, cin, birth, phone="+212612345602")
    pick = election["projects"]["commune"][:1]
    chosen = {**ballot_data(election, pick), "csrf_token": token}
    url = f"/cycles/{cycle_id}/vote"
    assert (
        first.post(url + "/ballot", data={**chosen, "step": "review"}).status_code
        == 200
    )
    refused = first.post(url + "/cast", data=chosen)
    assert refused.status_code == 302 and refused.location.endswith("/vote")
    with app.app_context():
        assert db.session.query(VoterMark).count() == 0
        assert db.session.query(HeldBallot).count() == 0
    assert cast(second, election, pick).status_code == 302  # the live claim votes


def test_a_claim_given_after_the_vote_reviews_as_already_voted(app, election):
    cycle_id = election["cycle_id"]
    cin, birth = election["residents"][0]
    first, second = app.test_client(), app.test_client()
    verify(first, app, cycle_id, cin, birth, phone="+212612345601")
    assert cast(first, election, election["projects"]["commune"][:1]).status_code == 302
    token = csrf_token(second, f"/cycles/{cycle_id}/vote")  # kept by the session
    verify(second, app, cycle_id, cin, birth, phone="+212612345602")
    assert second.get(f"/cycles/{cycle_id}/vote/ballot").status_code == 409
    again = second.post(  # the review, from the claim the code step gave
        f"/cycles/{cycle_id}/vote/ballot",
        data={**ballot_data(election), "step": "review", "csrf_token": token},
    )
    assert again.status_code == 409
    assert "already voted" in again.get_data(as_text=True)


def test_the_identity_and_code_pages_keep_numbers_left_to_right_in_arabic(
    app, election
):
    """A phone number or a code typed on a right-to-left page stays in its
    order, the example phone number is isolated inside the Arabic hint, and the
    forms post to their page's address (not to a #fragment left by the skip
    link, which would take the focus from the error summary)."""
    cycle_id = election["cycle_id"]
    client = app.test_client()
    client.set_cookie("lang", "ar")
    page = client.get(f"/cycles/{cycle_id}/vote").get_data(as_text=True)
    assert 'dir="ltr"' in re.search(r'<input[^>]*id="phone"[^>]*>', page).group()
    assert "\u206606 12 34 56 78\u2069" in page  # LRI … PDI around the example
    assert f'action="/cycles/{cycle_id}/vote"' in page
    cin, birth = election["residents"][0]
    _start(client, cycle_id, cin, birth)
    page = client.get(f"/cycles/{cycle_id}/vote/code").get_data(as_text=True)
    assert 'dir="ltr"' in re.search(r'<input[^>]*id="code"[^>]*>', page).group()
    assert f'action="/cycles/{cycle_id}/vote/code"' in page


def test_bad_inputs_on_the_verification_form_keep_what_was_typed(client, election):
    response = _start(client, election["cycle_id"], "AB100000", "31/02/1990", "12")
    text = response.get_data(as_text=True)
    assert "Enter the date of birth as on your ID card" in text
    assert 'value="AB100000"' in text
    response = _start(client, election["cycle_id"], "AB100000", "01/01/1980", "0512")
    assert "not a valid mobile number" in response.get_data(as_text=True)


def test_verification_is_refused_outside_the_voting_phase(client, committed, commune):
    with committed():
        cycle = create_cycle(commune["id"], current_phase="review")
        create_entry(
            cycle.id,
            commune["district_ids"][0],
            "AB100000",
            __import__("datetime").date(1980, 1, 1),
        )
        cycle_id = cycle.id
    page = client.get(f"/cycles/{cycle_id}/vote")
    assert page.status_code == 409 and "Voting is not open" in page.get_data(
        as_text=True
    )


def test_a_signed_in_resident_votes_the_same_way(
    client, app, committed, commune, election
):
    with committed():
        from tests.factories import create_resident

        create_resident(commune["id"], phone="+212612345699")
    login_resident(client, app, phone="+212612345699")
    cin, birth = election["residents"][0]
    verify(client, app, election["cycle_id"], cin, birth, phone="+212612345699")
    assert client.get(f"/cycles/{election['cycle_id']}/vote/ballot").status_code == 200


@pytest.mark.parametrize("cin", ["ab100000", " AB 100 000 ", "AB100000"])
def test_the_id_number_is_normalised_before_matching(app, election, cin):
    verify(app.test_client(), app, election["cycle_id"], cin, "01/01/1980")


def test_old_verification_attempts_and_codes_are_deleted(app, runner, election):
    from datetime import timedelta

    from pbvote.accounts.models import OtpChallenge
    from pbvote.core.time import utcnow
    from pbvote.voting.models import VerificationAttempt
    from pbvote.voting.purge import purge_personal_trail

    cin, birth = election["residents"][0]
    _start(app.test_client(), election["cycle_id"], cin, birth)
    result = runner.invoke(args=["voting-purge"])
    assert "0 attempts" in result.output  # the code is still valid
    with app.app_context():
        # A right code may wait for its cast for the verified window (60 min
        # after a code that lives 10): the attempt and its code stay that long.
        counts = purge_personal_trail(utcnow() + timedelta(minutes=70))
        assert counts["attempts"] == 0 and counts["challenges"] == 0
        counts = purge_personal_trail(utcnow() + timedelta(minutes=76))
        db.session.commit()
        assert counts["attempts"] == 1 and counts["challenges"] == 1
        assert db.session.query(VerificationAttempt).count() == 0
        assert db.session.query(OtpChallenge).count() == 0


@pytest.mark.parametrize(
    "hostile",
    [
        {"scope-2147483648": "1"},  # a scope id past 2**31
        {"scope-{commune}": str(2**63)},  # a project id past 2**63
        {"scope-{commune}": "1\x00"},  # a NUL byte
        {"scope-{commune}": "1\r\n2\t"},  # CR/LF and a tab
    ],
)
def test_a_hostile_review_from_a_claim_is_refused_and_the_vote_still_casts(
    app, election, hostile
):
    """The review answers from the session's claim without the database: what
    it refuses, it refuses with a message, never a 500, and the claim still
    casts (nothing lost)."""
    cycle_id = election["cycle_id"]
    client = app.test_client()
    verify(client, app, cycle_id, *election["residents"][0])
    token = csrf_token(client, f"/cycles/{cycle_id}/vote/ballot")
    data = {
        key.format(commune=election["commune_scope"]): value
        for key, value in hostile.items()
    }
    refused = client.post(
        f"/cycles/{cycle_id}/vote/ballot",
        data={**data, "step": "review", "csrf_token": token},
    )
    assert refused.status_code == 400, refused.status_code
    page = refused.get_data(as_text=True)
    assert "ballot-error" in page or "cannot be accepted" in page
    assert (
        cast(client, election, election["projects"]["commune"][:1]).status_code == 302
    )
