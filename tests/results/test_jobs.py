"""Tally jobs with a real RQ worker: every rule, refusals, a broken chain,
interrupted runs resumed."""

import hashlib
import json
import threading
import time
from datetime import timedelta

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import func, select
from sqlalchemy import text as sql

from pbvote.audit.models import AuditEntry
from pbvote.core.time import utcnow
from pbvote.cycles.models import Cycle
from pbvote.engine import Ballot as EngineBallot
from pbvote.engine import Instance, Project, tally
from pbvote.extensions import db
from pbvote.results import services
from pbvote.results.errors import (
    TallyAlreadyPublished,
    TallyAlreadyRunning,
    VotingNotClosed,
)
from pbvote.results.models import (
    ProjectResult,
    PublicBallot,
    PublicChainEntry,
    ScopeResult,
    TallyChunk,
    TallyRun,
)
from pbvote.results.record import record_digest, shuffle_key, shuffle_secret
from pbvote.sms.models import SmsMessage
from pbvote.voting.models import Ballot
from pbvote.voting.sealing import verify_signature
from tests.helpers import BurstWorker, run_jobs
from tests.results.factories import (
    HAND_BALLOTS,
    HAND_COSTS,
    ballots_of,
    create_election,
)


def start(app, cycle_id, actor=None, now=None):
    with app.app_context():
        run = services.start_tally(
            actor, db.session.get(Cycle, cycle_id), now or utcnow()
        )
        db.session.commit()
        return run.id


def run_some(app, count: int) -> None:
    """A worker that stops after ``count`` jobs: the rest of the tally waits."""
    connection = Redis.from_url(app.config["REDIS_URL"])
    with app.app_context():
        BurstWorker(
            [Queue("tally", connection=connection)], connection=connection
        ).work(burst=True, max_jobs=count, logging_level="WARNING")


def published(app, cycle_id) -> dict:
    with app.app_context():
        run = services.get_run(cycle_id)
        results = services.scope_results(run) if run.is_published else []
        return {
            "status": run.status,
            "payload": run.signed_payload,
            "signature": run.signature,
            "attempt": run.attempt,
            "scopes": [
                (
                    r.rule,
                    r.winners,
                    r.budget_used,
                    r.voters,
                    {p.project_id: p.votes for p in r.projects},
                )
                for r in results
            ],
        }


def engine_winners(rule, greedy_fill=False):
    instance = Instance(
        [Project(name, cost) for name, cost in HAND_COSTS.items()],
        100,
        [EngineBallot(frozenset(choice)) for choice in HAND_BALLOTS],
    )
    return tally(instance, rule, greedy_fill=greedy_fill).winners


@pytest.mark.parametrize(
    "rule, expected",
    [
        ("greedy", ["p3", "p1", "p4"]),  # p2 (50) no longer fits after 90
        ("greedy-no-skip", ["p3", "p1"]),  # stops at p2
        ("mes", None),
        ("mes-card", None),
    ],
)
def test_each_rule_counted_by_the_jobs(
    app, committed, commune, small_chunks, rule, expected
):
    with committed():
        election = create_election(commune["id"], rule=rule)
    start(app, election["cycle_id"])
    run_jobs(app, "tally")
    outcome = published(app, election["cycle_id"])
    assert outcome["status"] == "published"
    [(counted_rule, winners, used, voters, votes)] = outcome["scopes"]
    names = [election["names"][w] for w in winners]
    assert names == (expected or engine_winners(rule))
    assert counted_rule == rule and voters == len(HAND_BALLOTS)
    assert used == sum(HAND_COSTS[name] for name in names)
    by_name = {election["names"][pid]: n for pid, n in votes.items()}
    assert by_name == {"p1": 6, "p2": 4, "p3": 7, "p4": 2}


def test_mes_with_greedy_fill_uses_the_scope_option(app, committed, commune):
    with committed():
        election = create_election(commune["id"], rule="mes", greedy_fill=True)
    start(app, election["cycle_id"])
    run_jobs(app, "tally")
    [(_, winners, *_rest)] = published(app, election["cycle_id"])["scopes"]
    assert [election["names"][w] for w in winners] == engine_winners("mes", True)


def _opened_in_chain_order(run) -> list[tuple[str, int, list | None]]:
    """(receipt, scope, choice) of every ballot, opened here with the cycle's key."""
    from pbvote.results.counting import SEALING_PURPOSE, private_key
    from pbvote.voting.sealing import ballot_context, decode_choice, open_sealed

    secret = private_key(run.cycle_id, SEALING_PURPOSE)
    opened = []
    for ballot in db.session.scalars(
        select(Ballot).where(Ballot.cycle_id == run.cycle_id).order_by(Ballot.position)
    ):
        choice = decode_choice(
            open_sealed(secret, ballot.sealed, ballot_context(run.cycle_id))
        )
        opened.append((ballot.receipt, choice["scope"], sorted(choice["projects"])))
    return opened


def _published_lists(run):
    chain = list(
        db.session.scalars(
            select(PublicChainEntry)
            .where(PublicChainEntry.run_id == run.id)
            .order_by(PublicChainEntry.position)
        )
    )
    ballots = list(
        db.session.scalars(
            select(PublicBallot)
            .where(PublicBallot.run_id == run.id)
            .order_by(PublicBallot.shuffled_index)
        )
    )
    return chain, ballots


def test_publication_is_signed_shuffled_and_audited(
    app, committed, commune, small_chunks
):
    from pbvote.results.counting import SEALING_PURPOSE, private_key

    with committed():
        election = create_election(commune["id"])
    start(app, election["cycle_id"])
    run_jobs(app, "tally")
    with app.app_context():
        run = services.get_run(election["cycle_id"])
        assert run.chunk_count == 4  # 15 ballots in chunks of 4
        assert verify_signature(
            run.signing_public, run.signature, run.signed_payload.encode()
        )
        chain, ballots = _published_lists(run)
        stored = ballots_of(run.cycle_id)
        # the chain is the ballot box's, receipt for receipt, link for link
        assert [
            (e.position, e.receipt, e.previous_hash, e.chain_hash) for e in chain
        ] == [(b.position, b.receipt, b.previous_hash, b.chain_hash) for b in stored]
        assert chain[-1].chain_hash == run.chain_head
        # the opened ballots: each one's content, in the order of the HMAC of its
        # receipt under the secret derived from the sealing key
        secret = shuffle_secret(
            private_key(run.cycle_id, SEALING_PURPOSE), run.cycle_id, run.chain_head
        )
        expected = sorted(
            _opened_in_chain_order(run), key=lambda item: shuffle_key(secret, item[0])
        )
        assert [(b.scope_id, b.projects) for b in ballots] == [
            (scope_id, projects) for _receipt, scope_id, projects in expected
        ]
        assert [b.shuffled_index for b in ballots] == list(range(1, 16))
        payload = json.loads(run.signed_payload)
        assert payload["ballot_count"] == 15 and payload["chain_head"] == run.chain_head
        assert payload["record_digest"] == record_digest(ballots)
        # the private chunks (chain position -> choice) are gone once published
        assert db.session.scalar(select(func.count()).select_from(TallyChunk)) == 0
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "tally.publish")
            )
            == 1
        )


def test_opened_ballots_cannot_be_linked_to_the_chain(app, committed, commune, client):
    """The secrecy decision: the opened ballots are not in chain order, not in an
    order the public can compute from receipts, carry no receipt anywhere they are
    published, and one voter's two ballots (adjacent in the chain) are split."""
    from tests.factories import create_project
    from tests.results.factories import cast_ballot

    with committed():
        election = create_election(
            commune["id"],
            district_ids=commune["district_ids"][:1],
            ballots=[],
            budget=200,
        )
        cycle = db.session.get(Cycle, election["cycle_id"])
        scopes = sorted(cycle.scopes, key=lambda s: s.district_id is not None)
        commune_scope, district = scopes
        local = create_project(cycle, district, 10, title="local")
        for voter in range(12):  # each voter: the commune scope, then the district
            cast_ballot(
                cycle,
                commune_scope,
                [election["projects"]["p1"]]
                if voter % 2
                else [election["projects"]["p3"]],
            )
            cast_ballot(cycle, district, [local.id] if voter % 3 else [])
    start(app, election["cycle_id"])
    run_jobs(app, "tally")
    with app.app_context():
        run = services.get_run(election["cycle_id"])
        assert run.status == "published"
        chain, ballots = _published_lists(run)
        in_chain = _opened_in_chain_order(run)
        receipts = [receipt for receipt, _scope, _choice in in_chain]
        assert [e.receipt for e in chain] == receipts
        # where each chain position ended up in the published list
        secret_order = sorted(
            range(len(receipts)),
            key=lambda i: shuffle_key(
                shuffle_secret(_sealing_private(run), run.cycle_id, run.chain_head),
                receipts[i],
            ),
        )
        published_at = {position: index for index, position in enumerate(secret_order)}
        assert secret_order != list(range(len(receipts)))  # not the cast order
        assert [(b.scope_id, b.projects) for b in ballots] == [
            in_chain[i][1:] for i in secret_order
        ]
        # the old public shuffle (sha256 of head:receipt) no longer gives the order
        public_order = sorted(
            range(len(receipts)),
            key=lambda i: hashlib.sha256(
                f"{run.chain_head}:{receipts[i]}".encode()
            ).hexdigest(),
        )
        assert secret_order != public_order
        # one voter's two ballots (positions 2k, 2k+1) are not kept together
        adjacent = sum(
            1
            for k in range(0, len(receipts), 2)
            if abs(published_at[k] - published_at[k + 1]) == 1
        )
        assert adjacent < len(receipts) // 2
        assert set(PublicBallot.__table__.columns.keys()) == {
            "id",
            "run_id",
            "shuffled_index",
            "scope_id",
            "projects",
        }
    base = f"/cycles/{election['cycle_id']}/results"
    document = json.loads(client.get(f"{base}/record.json").get_data(as_text=True))
    assert [e["receipt"] for e in document["chain"]] == receipts
    assert all(
        set(b) == {"index", "scope_id", "projects", "valid"}
        for b in document["ballots"]
    )
    opened_texts = [
        json.dumps(document["ballots"]),
        client.get(f"{base}/ballots.csv").get_data(as_text=True),
        client.get(f"/api/v1/cycles/{election['cycle_id']}/opened-ballots").get_data(
            as_text=True
        ),
    ]
    for scope_id in (s["scope_id"] for s in document["scopes"]):
        opened_texts.append(
            client.get(f"{base}/scope-{scope_id}.pb").get_data(as_text=True)
        )
    chain_text = client.get(f"{base}/chain.csv").get_data(as_text=True)
    for receipt in receipts:
        assert receipt in chain_text
        for text in opened_texts:
            assert receipt not in text and receipt[:16] not in text
    page = client.get(f"{base}/record").get_data(as_text=True)
    opened_section = page[page.index('id="ballots"') :]
    assert not any(receipt[:16] in opened_section for receipt in receipts)


def _sealing_private(run) -> bytes:
    from pbvote.results.counting import SEALING_PURPOSE, private_key

    return private_key(run.cycle_id, SEALING_PURPOSE)


def test_tally_refused_before_voting_closes(app, committed, commune):
    with committed():
        election = create_election(commune["id"], phase="voting")
    with app.app_context():
        cycle = db.session.get(Cycle, election["cycle_id"])
        with pytest.raises(VotingNotClosed, match="Voting is open until"):
            services.start_tally(None, cycle, utcnow())
        db.session.rollback()
        assert services.get_run(cycle.id) is None


def test_second_start_refused_while_the_first_runs(app, committed, commune):
    with committed():
        election = create_election(commune["id"])
    start(app, election["cycle_id"])
    with pytest.raises(TallyAlreadyRunning):
        start(app, election["cycle_id"])
    run_jobs(app, "tally")
    assert published(app, election["cycle_id"])["status"] == "published"
    with pytest.raises(TallyAlreadyPublished):
        start(app, election["cycle_id"])


def waiting_on_our_row(thread, seconds: float = 20.0) -> None:
    """Return once another backend of this database waits for a lock, or
    ``thread`` has ended (PostgreSQL's own view, read on a fresh connection)."""
    deadline = time.monotonic() + seconds
    with db.engine.connect() as connection:
        while thread.is_alive() and time.monotonic() < deadline:
            if connection.scalar(
                sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname ="
                    " current_database() AND wait_event_type = 'Lock'"
                )
            ):
                return
            connection.rollback()
            thread.join(timeout=0.02)


def test_two_simultaneous_starts_make_one_run(app, committed, commune):
    """The first start holds its new row uncommitted while the second tries: the
    unique constraint (or the committed running row) refuses the second."""
    with committed():
        election = create_election(commune["id"])
    flushed, outcome = threading.Event(), {}

    def first():
        with app.app_context():
            services.start_tally(
                None, db.session.get(Cycle, election["cycle_id"]), utcnow()
            )
            flushed.set()
            # Commit only once the second start waits on our row (or has ended):
            # a fixed pause let a slow second start arrive after the commit, a
            # different path than the one this test is about.
            waiting_on_our_row(second_thread)
            db.session.commit()

    def second():
        flushed.wait()
        try:
            start(app, election["cycle_id"])
        except TallyAlreadyRunning:
            outcome["refused"] = True

    second_thread = threading.Thread(target=second)
    first_thread = threading.Thread(target=first)
    first_thread.start()
    second_thread.start()
    first_thread.join()
    second_thread.join()
    assert outcome == {"refused": True}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TallyRun)) == 1


def test_tampered_chain_stops_publication_and_alerts(app, committed, commune, admin):
    with committed():
        election = create_election(commune["id"])
    with committed():
        ballot = db.session.scalar(select(Ballot).where(Ballot.position == 5))
        ballot.sealed = ballot.sealed[:-1] + bytes([ballot.sealed[-1] ^ 1])
    start(app, election["cycle_id"])
    run_jobs(app, "tally")
    with app.app_context():
        run = services.get_run(election["cycle_id"])
        assert run.status == "failed" and run.error_code == "chain_broken"
        assert "position 5" in run.error
        assert db.session.scalar(select(func.count()).select_from(ScopeResult)) == 0
        assert db.session.scalar(select(func.count()).select_from(PublicBallot)) == 0
        assert (
            db.session.scalar(select(func.count()).select_from(PublicChainEntry)) == 0
        )
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "tally.failed")
            )
            == 1
        )
        texts = list(db.session.scalars(select(SmsMessage)))
        assert [t.to_phone for t in texts] == ["+212612340000"]


def test_a_link_removed_from_the_chain_is_found(app, committed, commune):
    with committed():
        election = create_election(commune["id"])
    with committed():
        db.session.delete(
            db.session.scalar(select(Ballot).where(Ballot.position == 15))
        )
    start(app, election["cycle_id"])
    run_jobs(app, "tally")
    with app.app_context():
        run = services.get_run(election["cycle_id"])
        assert run.status == "failed" and "removed" in run.error


def test_worker_stopped_between_chunks_then_finished(
    app, committed, commune, small_chunks
):
    with committed():
        twin = create_election(commune["id"], year=2001)
        election = create_election(commune["id"], year=2002)
    start(app, twin["cycle_id"])
    run_jobs(app, "tally")
    start(app, election["cycle_id"])
    run_some(app, 3)  # the chain check and two of the four chunks
    with app.app_context():
        run = services.get_run(election["cycle_id"])
        assert run.status == "running"
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(TallyChunk)
                .where(TallyChunk.run_id == run.id)
            )
            == 2
        )
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(ScopeResult)
                .where(ScopeResult.run_id == run.id)
            )
            == 0
        )  # nothing partial is published
    with pytest.raises(TallyAlreadyRunning):  # its jobs still wait in the queue
        start(app, election["cycle_id"])
    run_jobs(app, "tally")  # another worker picks up the rest
    assert published(app, election["cycle_id"])["status"] == "published"
    assert _same_by_name(app, twin, election)


def _same_by_name(app, twin, election) -> bool:
    first = published(app, twin["cycle_id"])["scopes"][0]
    second = published(app, election["cycle_id"])["scopes"][0]
    return (
        [twin["names"][w] for w in first[1]]
        == [election["names"][w] for w in second[1]]
        and first[2:4] == second[2:4]
        and {twin["names"][k]: v for k, v in first[4].items()}
        == {election["names"][k]: v for k, v in second[4].items()}
    )


@pytest.mark.parametrize("jobs_before_loss", [1, 3, 5])
def test_lost_jobs_resumed_give_the_same_result(
    app, committed, commune, small_chunks, jobs_before_loss
):
    """Redis loses the queue after the chain check (1), two chunks (3) or all
    chunks (5, just before the count): starting again finishes the run, reusing
    the stored chunks, with the result of an uninterrupted count."""
    with committed():
        twin = create_election(commune["id"], year=2001)
        election = create_election(commune["id"], year=2002)
    start(app, twin["cycle_id"])
    run_jobs(app, "tally")
    start(app, election["cycle_id"])
    run_some(app, jobs_before_loss)
    Redis.from_url(app.config["REDIS_URL"]).flushdb()
    start(app, election["cycle_id"])  # no job left: the run is resumed
    run_jobs(app, "tally")
    outcome = published(app, election["cycle_id"])
    assert outcome["status"] == "published" and outcome["attempt"] == 2
    assert _same_by_name(app, twin, election)
    with app.app_context():
        run = services.get_run(election["cycle_id"])
        assert verify_signature(
            run.signing_public, run.signature, run.signed_payload.encode()
        )


def test_count_run_again_changes_nothing(app, committed, commune, small_chunks):
    with committed():
        election = create_election(commune["id"])
    run_id = start(app, election["cycle_id"])
    run_jobs(app, "tally")
    before = published(app, election["cycle_id"])
    connection = Redis.from_url(app.config["REDIS_URL"])
    Queue("tally", connection=connection).enqueue("jobs.tally.count", run_id, 1)
    Queue("tally", connection=connection).enqueue("jobs.tally.open_chunk", run_id, 1, 0)
    run_jobs(app, "tally")
    assert published(app, election["cycle_id"]) == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProjectResult)) == 4


def test_stale_in_process_run_can_be_resumed_later(app, committed, commune):
    """Without a live job, a run is resumable; the service decides with ``now``."""
    with committed():
        election = create_election(commune["id"])
    start(app, election["cycle_id"])
    Redis.from_url(app.config["REDIS_URL"]).flushdb()
    start(app, election["cycle_id"], now=utcnow() + timedelta(minutes=1))
    run_jobs(app, "tally")
    assert published(app, election["cycle_id"])["attempt"] == 2


def test_scopes_are_counted_apart_and_bad_ballots_listed_as_invalid(
    app, committed, commune, client
):
    from pbvote.cycles.models import Scope
    from tests.factories import create_project
    from tests.results.factories import cast_ballot

    with committed():
        election = create_election(
            commune["id"],
            district_ids=commune["district_ids"][:1],
            ballots=[("p1",)],
            budget=200,
        )  # 100 per scope
        cycle = db.session.get(Cycle, election["cycle_id"])
        district = db.session.scalar(
            select(Scope).where(
                Scope.cycle_id == cycle.id, Scope.district_id.is_not(None)
            )
        )
        local = create_project(cycle, district, 10, title="local")
        cast_ballot(cycle, district, [local.id])
        cast_ballot(cycle, district, [local.id])
        cast_ballot(cycle, district, [election["projects"]["p2"]])  # not in this scope
        local_id, district_id = local.id, district.id
    start(app, election["cycle_id"])
    run_jobs(app, "tally")
    outcome = published(app, election["cycle_id"])
    commune_scope, district_scope = outcome["scopes"]
    assert [election["names"][w] for w in commune_scope[1]] == ["p1"]
    assert district_scope[1] == [local_id] and district_scope[3] == 2
    with app.app_context():
        record = list(db.session.scalars(select(PublicBallot)))
        assert [b.scope_id for b in record if b.projects is None] == [district_id]
        assert (
            db.session.scalar(
                select(ScopeResult.invalid).where(ScopeResult.scope_id == district_id)
            )
            == 1
        )
    page = client.get(f"/cycles/{election['cycle_id']}/results/record").get_data(
        as_text=True
    )
    assert "Invalid ballot (not counted)" in page
