"""Assisted voting: a clerk checks the ID card and opens a one-time kiosk ballot."""

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from pbvote.audit.models import AuditEntry
from pbvote.extensions import db
from pbvote.voting.models import Ballot, HeldBallot, KioskPass, VoterMark
from pbvote.voting.verification import token_digest
from tests.factories import create_staff
from tests.helpers import login_staff, submit
from tests.voting.helpers import cast, token_for_ballot


@pytest.fixture
def clerk(app, committed, commune, election):
    with committed():
        _user, secret = create_staff(commune["id"], "clerk", ["clerk"])
    client = app.test_client()
    login_staff(client, "clerk", secret)
    return client


def _open_pass(clerk, resident, checked=True):
    cin, birth = resident
    data = {"cin": cin, "birth_date": birth}
    if checked:
        data["id_checked"] = "y"
    return submit(clerk, "/staff/assisted-vote", data)


def _code(page) -> str:
    return re.search(r'class="kiosk-code code"[^>]*>(\d{4} \d{4})<', page).group(1)


def test_a_clerk_opens_a_kiosk_ballot_used_once(app, clerk, election):
    page = _open_pass(clerk, election["residents"][0])
    assert page.status_code == 200
    code = _code(page.get_data(as_text=True))
    kiosk = app.test_client()
    url = f"/cycles/{election['cycle_id']}/kiosk"
    opened = submit(kiosk, url, {"code": code})
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/ballot")
    assert cast(kiosk, election, election["projects"]["commune"][:1]).status_code == 302
    done = kiosk.get(f"/cycles/{election['cycle_id']}/vote/done").get_data(as_text=True)
    assert "Finish and leave the kiosk" in done
    # The kiosk session ends with the cast: the next person cannot vote on it.
    assert kiosk.get(f"/cycles/{election['cycle_id']}/vote/ballot").status_code == 302
    reused = submit(app.test_client(), url, {"code": code})
    assert "wrong, used or expired" in reused.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(VoterMark).count() == 1
        assert db.session.query(Ballot).count() == 2


def test_the_audit_log_records_the_clerk_but_not_the_ballot(app, clerk, election):
    code = _code(_open_pass(clerk, election["residents"][0]).get_data(as_text=True))
    kiosk = app.test_client()
    submit(kiosk, f"/cycles/{election['cycle_id']}/kiosk", {"code": code})
    cast(kiosk, election, election["projects"]["commune"][:1])
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry)).all()
        receipts = db.session.scalars(select(Ballot.receipt)).all()
        assert [e.action for e in entries] == ["voting.kiosk_open"]
        assert entries[0].actor_name == "clerk"
        dump = str([(e.target_type, e.target_id, e.details) for e in entries])
        assert not any(r in dump or r[:16] in dump for r in receipts)
        assert "scope" not in dump and "project" not in dump


def test_the_clerk_must_confirm_the_id_card_was_checked(clerk, election):
    page = _open_pass(clerk, election["residents"][0], checked=False)
    assert "Check the ID card in person" in page.get_data(as_text=True)


def test_an_unknown_resident_is_reported_to_the_clerk(clerk, election):
    page = _open_pass(clerk, ("QQ999999", "01/01/1970"))
    assert "Nobody with this ID number and date of birth" in page.get_data(as_text=True)


def test_a_resident_who_voted_gets_no_kiosk_ballot(app, clerk, election):
    from tests.voting.helpers import verify

    cin, birth = election["residents"][0]
    online = app.test_client()
    verify(online, app, election["cycle_id"], cin, birth)
    cast(online, election)
    page = _open_pass(clerk, election["residents"][0])
    assert "has already voted" in page.get_data(as_text=True)


def test_an_expired_kiosk_code_is_refused(app, clerk, election):
    code = _code(_open_pass(clerk, election["residents"][0]).get_data(as_text=True))
    with app.app_context():
        kiosk_pass = db.session.scalars(select(KioskPass)).one()
        kiosk_pass.expires_at_dt -= timedelta(minutes=30)
        db.session.commit()
    page = submit(
        app.test_client(), f"/cycles/{election['cycle_id']}/kiosk", {"code": code}
    )
    assert "wrong, used or expired" in page.get_data(as_text=True)


def test_assisted_voting_needs_the_clerk_role(app, committed, commune, election):
    with committed():
        _user, secret = create_staff(commune["id"], "finance", ["finance"])
    client = app.test_client()
    login_staff(client, "finance", secret)
    assert client.get("/staff/assisted-vote").status_code == 403


def test_the_kiosk_opens_in_the_voting_cycle_while_the_next_collects_proposals(
    app, clerk, committed, commune, election
):
    from pbvote.core.time import utcnow
    from tests.factories import create_cycle

    with committed():
        create_cycle(commune["id"], current_phase="proposals", year=utcnow().year + 1)
    page = _open_pass(clerk, election["residents"][0])
    assert page.status_code == 200
    assert _code(page.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(KioskPass.cycle_id)) == election["cycle_id"]


def test_the_clerk_chooses_when_several_cycles_are_voting(
    app, clerk, committed, commune, election
):
    from datetime import date

    from pbvote.core.time import utcnow
    from tests.factories import create_cycle, create_project
    from tests.voting.factories import create_entry

    with committed():
        other = create_cycle(
            commune["id"],
            current_phase="voting",
            year=utcnow().year + 1,
            district_ids=commune["district_ids"],
        )
        create_project(other, other.scopes[0], 10_000, title="other-0")
        create_entry(other.id, commune["district_ids"][0], "OT100000", date(1990, 3, 3))
        other_id = other.id
    choose = clerk.get("/staff/assisted-vote")
    text = choose.get_data(as_text=True)
    assert choose.status_code == 200 and "Several cycles are voting now" in text
    assert f"/staff/assisted-vote?cycle={other_id}" in text
    url = f"/staff/assisted-vote?cycle={other_id}"
    page = submit(
        clerk, url, {"cin": "OT100000", "birth_date": "03/03/1990", "id_checked": "y"}
    )
    assert page.status_code == 200 and _code(page.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(KioskPass.cycle_id)) == other_id


def test_a_kiosk_verification_not_used_is_renewed_by_an_sms_cast(app, clerk, election):
    """The cast records the SMS verification over the kiosk's (the entry's row
    exists: its INSERT conflicts, the row is read and renewed), and the kiosk's
    session ends with it."""
    from pbvote.voting.models import Verification
    from tests.voting.helpers import verify

    page = _open_pass(clerk, election["residents"][0]).get_data(as_text=True)
    kiosk = app.test_client()
    url = f"/cycles/{election['cycle_id']}/kiosk"
    assert submit(kiosk, url, {"code": _code(page)}).status_code == 302
    phone = app.test_client()
    verify(phone, app, election["cycle_id"], *election["residents"][0])
    assert cast(phone, election, mix=False).status_code == 302
    with phone.session_transaction() as session:
        token = session["vote_tokens"][str(election["cycle_id"])]
    with app.app_context():
        row = db.session.scalars(select(Verification)).one()
        assert (row.method, row.phone_slot) == ("sms", 1)
        # Renewed for the claim's token, in the vote's transaction (on PostgreSQL
        # the first-slot INSERT, inserting nothing, shares the mark's statement).
        assert row.token_hash == token_digest(token)
        assert db.session.query(VoterMark).count() == 1
        assert db.session.query(HeldBallot).count() == 1
    assert kiosk.get(f"/cycles/{election['cycle_id']}/vote/ballot").status_code == 302


@pytest.mark.commits  # requests in threads
def test_concurrent_casts_of_one_kiosk_session_record_one_vote(app, clerk, election):
    """A kiosk's cast writes no verification: its statement holds the mark and the
    held ballot only. Copies of one kiosk session casting at once: one vote."""
    page = _open_pass(clerk, election["residents"][0]).get_data(as_text=True)
    kiosk = app.test_client()
    cycle_id = election["cycle_id"]
    assert submit(kiosk, f"/cycles/{cycle_id}/kiosk", {"code": _code(page)})
    cookie = kiosk.get_cookie("session").value
    clients = []
    for _ in range(8):
        client = app.test_client()
        client.set_cookie("session", cookie)
        clients.append(client)
    forms = [
        {
            "csrf_token": token_for_ballot(client, cycle_id),
            f"scope-{election['commune_scope']}": election["projects"]["commune"][:1],
        }
        for client in clients
    ]
    barrier = threading.Barrier(len(clients))
    codes = []

    def attempt(client, form):
        barrier.wait()
        codes.append(
            client.post(f"/cycles/{cycle_id}/vote/cast", data=form).status_code
        )

    threads = [
        threading.Thread(target=attempt, args=pair) for pair in zip(clients, forms)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [302] + [409] * 7
    with app.app_context():
        assert db.session.query(VoterMark).count() == 1
        assert db.session.query(HeldBallot).count() == 1


def test_a_kiosk_verification_ends_an_earlier_sms_claim(app, clerk, election):
    from tests.voting.helpers import verify

    cycle_id = election["cycle_id"]
    phone = app.test_client()
    verify(phone, app, cycle_id, *election["residents"][0])
    page = _open_pass(clerk, election["residents"][0]).get_data(as_text=True)
    kiosk = app.test_client()
    assert (
        submit(kiosk, f"/cycles/{cycle_id}/kiosk", {"code": _code(page)}).status_code
        == 302
    )
    assert phone.get(f"/cycles/{cycle_id}/vote/ballot").status_code == 302
    assert kiosk.get(f"/cycles/{cycle_id}/vote/ballot").status_code == 200
