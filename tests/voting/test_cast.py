"""Casting: sealed ballots in a hash chain, receipts, one vote per resident."""

import threading

import pytest
from flask import current_app
from sqlalchemy import select

from pbvote.extensions import db
from pbvote.voting import sealing
from pbvote.voting.models import Ballot, ElectionKey, VoterMark
from tests.helpers import outbox, run_jobs
from tests.voting.factories import PHONE
from tests.voting.helpers import cast, mix_now, review, token_for_ballot, verify


def _open_all(app, cycle_id):
    """Unwrap the election key and open every ballot, as the count does."""
    with app.app_context():
        key = db.session.get(ElectionKey, cycle_id)
        private = sealing.unwrap_key(
            current_app.config["ELECTION_KEY_WRAP"],
            cycle_id,
            "sealing",
            key.sealing_private_wrapped,
        )
        ballots = db.session.scalars(select(Ballot).order_by(Ballot.position)).all()
        opened = [
            sealing.decode_choice(
                sealing.open_sealed(private, b.sealed, sealing.ballot_context(cycle_id))
            )
            for b in ballots
        ]
        # Within a mixed batch the order is random: sort by scope to compare.
        return sorted(((c["scope"], c) for c in opened), key=lambda item: item[0])


def test_a_verified_resident_votes_in_both_scopes_and_gets_receipts(
    client, app, election
):
    cycle_id = election["cycle_id"]
    cin, birth = election["residents"][0]
    verify(client, app, cycle_id, cin, birth)
    commune_pick = election["projects"]["commune"][:2]
    district_pick = election["projects"][election["district_key"]][:1]
    page = review(client, election, commune_pick, district_pick)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "commune-0" in text and "Cast my vote" in text
    response = cast(client, election, commune_pick, district_pick)
    assert response.status_code == 302
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        receipts = db.session.scalars(select(Ballot.receipt)).all()
    assert len(receipts) == 2
    assert all(receipt in done for receipt in receipts)
    opened = _open_all(app, cycle_id)
    assert opened == [
        (
            election["commune_scope"],
            {"scope": election["commune_scope"], "projects": sorted(commune_pick)},
        ),
        (
            election["district_scope"],
            {"scope": election["district_scope"], "projects": district_pick},
        ),
    ]
    run_jobs(app, "sms")
    receipt_sms = [
        m for m in outbox(app) if m["to"] == PHONE and "Receipts" in m["body"]
    ]
    assert len(receipt_sms) == 1
    assert receipts[0][:4] in receipt_sms[0]["body"]


def test_the_hash_chain_links_every_ballot_from_genesis(client, app, election):
    for index, (cin, birth) in enumerate(election["residents"]):
        fresh = app.test_client()
        verify(
            fresh, app, election["cycle_id"], cin, birth, phone=f"+21261234560{index}"
        )
        assert cast(fresh, election).status_code == 302
    with app.app_context():
        ballots = db.session.scalars(select(Ballot).order_by(Ballot.position)).all()
        key = db.session.get(ElectionKey, election["cycle_id"])
        previous = sealing.GENESIS
        for index, ballot in enumerate(ballots, start=1):
            assert ballot.position == index
            assert ballot.previous_hash == previous
            assert ballot.receipt == sealing.receipt_of(ballot.sealed)
            assert ballot.chain_hash == sealing.chain_link(previous, ballot.receipt)
            previous = ballot.chain_hash
        assert key.head_hash == previous and key.ballot_count == len(ballots) == 6


def test_receipts_are_found_on_the_public_ballot_box(client, app, election):
    cin, birth = election["residents"][0]
    verify(client, app, election["cycle_id"], cin, birth)
    cast(client, election, election["projects"]["commune"][:1])
    with app.app_context():
        receipts = db.session.scalars(select(Ballot.receipt)).all()
        head = db.session.get(ElectionKey, election["cycle_id"]).head_hash
    public = app.test_client()  # no sign-in, no session
    page = public.get(f"/cycles/{election['cycle_id']}/ballot-box").get_data(
        as_text=True
    )
    assert head in page and ">2<" in page
    for receipt in receipts:
        short = "-".join(receipt[i : i + 4] for i in range(0, 16, 4))
        found = public.get(
            f"/cycles/{election['cycle_id']}/ballot-box",
            query_string={"receipt": short},
        ).get_data(as_text=True)
        assert "receipt-found" in found and receipt in found
        # Typed on an Arabic keyboard: Arabic-Indic digits are the same receipt.
        arabic = short.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
        found = public.get(
            f"/cycles/{election['cycle_id']}/ballot-box",
            query_string={"receipt": arabic},
        ).get_data(as_text=True)
        assert "receipt-found" in found and receipt in found
    missing = public.get(
        f"/cycles/{election['cycle_id']}/ballot-box",
        query_string={"receipt": "0000-0000-0000-0000"},
    )
    assert "receipt-missing" in missing.get_data(as_text=True)


def test_a_second_cast_is_refused_as_already_voted(client, app, election):
    cin, birth = election["residents"][0]
    verify(client, app, election["cycle_id"], cin, birth)
    url = f"/cycles/{election['cycle_id']}/vote/cast"
    data = {
        "csrf_token": token_for_ballot(client, election["cycle_id"]),
        f"scope-{election['commune_scope']}": election["projects"]["commune"][:1],
    }
    assert client.post(url, data=data).status_code == 302
    again = client.post(url, data=data)  # the same request replayed
    assert again.status_code == 409
    assert "already voted" in again.get_data(as_text=True)
    # Verifying again does not give a second vote either.
    other = app.test_client()
    verify(other, app, election["cycle_id"], cin, birth, phone="+212612345679")
    assert other.get(f"/cycles/{election['cycle_id']}/vote/ballot").status_code == 409
    mix_now(app, election["cycle_id"])
    with app.app_context():
        assert len(db.session.scalars(select(Ballot)).all()) == 2


def test_fifty_concurrent_casts_by_one_resident_give_exactly_one_vote(app, election):
    cycle_id = election["cycle_id"]
    cin, birth = election["residents"][0]
    first = app.test_client()
    verify(first, app, cycle_id, cin, birth)
    session_cookie = first.get_cookie("session")
    clients, tokens = [], []
    for _ in range(50):
        client = app.test_client()
        client.set_cookie("session", session_cookie.value)
        clients.append(client)
        tokens.append(token_for_ballot(client, cycle_id))
    barrier = threading.Barrier(50)
    results = [None] * 50
    picks = election["projects"]["commune"][:1]

    def attempt(index):
        barrier.wait()
        response = clients[index].post(
            f"/cycles/{cycle_id}/vote/cast",
            data={
                "csrf_token": tokens[index],
                f"scope-{election['commune_scope']}": picks,
            },
        )
        results[index] = (response.status_code, response.get_data(as_text=True))

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(code for code, _ in results)
    assert codes.count(302) == 1
    assert codes.count(409) == 49
    assert all("already voted" in body for code, body in results if code == 409)
    mix_now(app, election["cycle_id"])
    with app.app_context():
        assert db.session.query(Ballot).count() == 2  # one per scope
        assert db.session.query(VoterMark).count() == 1
        assert db.session.get(ElectionKey, cycle_id).ballot_count == 2


def test_a_voter_who_comes_back_is_told_the_vote_is_recorded(app, election):
    cin, birth = election["residents"][0]
    first = app.test_client()
    verify(first, app, election["cycle_id"], cin, birth)
    assert cast(first, election).status_code == 302
    # Later, in another browser (the first answer was lost in a restart).
    back = app.test_client()
    verify(back, app, election["cycle_id"], cin, birth, phone="+212612345611")
    done = back.get(f"/cycles/{election['cycle_id']}/vote/done")
    assert done.status_code == 200
    assert "Your vote is in the ballot box" in done.get_data(as_text=True)
    # Someone who has not voted is sent to the start instead.
    other = app.test_client()
    verify(
        other,
        app,
        election["cycle_id"],
        *election["residents"][1],
        phone="+212612345612",
    )
    assert other.get(f"/cycles/{election['cycle_id']}/vote/done").status_code == 302


@pytest.mark.commits  # other connections must see the committed rows
def test_a_database_restart_between_pages_is_invisible_to_the_voter(app, election):
    """Every pooled connection is cut (as a PostgreSQL restart does); the cast
    still goes through on a fresh connection (pool_pre_ping), and is recorded."""
    client = app.test_client()
    cin, birth = election["residents"][0]
    verify(client, app, election["cycle_id"], cin, birth)
    token = token_for_ballot(client, election["cycle_id"])
    import psycopg

    url = app.config["SQLALCHEMY_DATABASE_URI"].replace(
        "postgresql+psycopg", "postgresql"
    )
    with psycopg.connect(url, autocommit=True) as outsider:  # not from the pool
        cut = outsider.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]
    assert cut >= 1
    response = client.post(
        f"/cycles/{election['cycle_id']}/vote/cast",
        data={"csrf_token": token, f"scope-{election['commune_scope']}": []},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.query(VoterMark).count() == 1
