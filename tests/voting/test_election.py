"""The election key (made once, race-safe) and the public ballot-box API."""

import threading

from sqlalchemy import select

from pbvote.audit.models import AuditEntry
from pbvote.core.time import utcnow
from pbvote.cycles.models import Cycle
from pbvote.extensions import db
from pbvote.voting.models import ElectionKey
from pbvote.voting.services import ensure_election_key
from tests.factories import create_staff
from tests.helpers import login_staff, submit
from tests.voting.helpers import cast, verify


def test_ensure_election_key_is_race_safe(app, election):
    publics, errors = [], []
    barrier = threading.Barrier(10)

    def make():
        with app.app_context():
            try:
                cycle = db.session.get(Cycle, election["cycle_id"])
                barrier.wait()
                key = ensure_election_key(cycle, utcnow())
                publics.append(key.sealing_public)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - collected for the assertion
                errors.append(error)

    threads = [threading.Thread(target=make) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        keys = db.session.scalars(select(ElectionKey)).all()
    assert len(keys) == 1 and set(publics) == {keys[0].sealing_public}


def test_an_administrator_makes_the_key_when_voting_opens(
    app, committed, commune, election
):
    with committed():
        _user, secret = create_staff(commune["id"], "admin", ["admin"])
    client = app.test_client()
    login_staff(client, "admin", secret)
    url = f"/staff/cycles/{election['cycle_id']}/election"
    assert submit(client, url, {}).status_code == 302
    assert submit(client, url, {}).status_code == 302  # a second time changes nothing
    page = client.get(url).get_data(as_text=True)
    assert "The election key exists" in page
    with app.app_context():
        assert db.session.query(ElectionKey).count() == 1
        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert actions == ["voting.election_key"]


def test_the_ballot_box_api_gives_count_head_and_chain(app, client, election):
    cin, birth = election["residents"][0]
    verify(client, app, election["cycle_id"], cin, birth)
    cast(client, election, election["projects"]["commune"][:1])
    box = client.get(f"/api/v1/cycles/{election['cycle_id']}/ballot-box").get_json()
    chain = client.get(
        f"/api/v1/cycles/{election['cycle_id']}/ballot-box/chain"
    ).get_json()
    assert box["ballots"] == 2 and box["head"] == chain["items"][-1]["chain_hash"]
    assert [item["position"] for item in chain["items"]] == [1, 2]
    assert set(chain["items"][0]) == {
        "position",
        "receipt",
        "previous_hash",
        "chain_hash",
    }
    assert client.get("/api/v1/cycles/999/ballot-box").status_code == 404
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/cycles/{cycle_id}/ballot-box/chain" in spec["paths"]


def test_the_ballot_box_is_empty_before_any_vote(client, election):
    page = client.get(f"/cycles/{election['cycle_id']}/ballot-box")
    assert page.status_code == 200 and "0" * 64 in page.get_data(as_text=True)
