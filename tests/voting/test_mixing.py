"""The database administrator's view after a few hundred casts: nothing they can
read (system columns, physical row order, tables with a time or a phone, Redis)
links a voter to a ballot better than chance."""

from datetime import date, timedelta
from math import comb

import pytest
from redis import Redis
from sqlalchemy import text
from werkzeug.datastructures import MultiDict

from jobs.voting import mix_ballots
from pbvote.core.time import utcnow
from pbvote.cycles.models import Cycle
from pbvote.extensions import db
from pbvote.voting.holding import HoldingError, open_held
from pbvote.voting.models import HeldBallot
from pbvote.voting.purge import purge_personal_trail
from pbvote.voting.services import cast_ballots
from pbvote.voting.verification import verify_entry
from tests.helpers import outbox, run_jobs
from tests.voting.factories import create_entry

VOTERS = 240
BATCH = 20


@pytest.fixture
def mixed_in_batches(app):
    app.config["MIX_MIN_BATCH"] = BATCH
    yield BATCH


def _cast_all(app, election) -> dict[int, set[str]]:
    """VOTERS residents verify (with a phone) and cast through the services, each
    in its own transaction; the mixing job runs after each commit as a worker
    would. Returns the truth the administrator must not find: entry -> receipts."""
    truth = {}
    district = election["district_id"]
    with app.app_context():
        cycle_id = election["cycle_id"]
        for number in range(VOTERS):
            entry = create_entry(
                cycle_id,
                district,
                f"MX{number:06d}",
                date(1970, 1, 1) + timedelta(days=number),
            )
            now = utcnow()
            cycle = db.session.get(Cycle, cycle_id)
            phone = f"+2126{number:08d}"
            token = verify_entry(cycle, entry.id, "sms", phone, now)
            db.session.commit()
            form = MultiDict([(f"scope-{election['commune_scope']}", election["pick"])])
            receipts, _token = cast_ballots(cycle, token, None, form, now)
            truth[entry.id] = {receipt for _scope, receipt in receipts}
            db.session.commit()
            mix_ballots(cycle_id)
    return truth


def _rows(sql: str) -> list:
    return list(db.session.execute(text(sql)))


def _same_transaction(marks, ballots) -> dict[int, str]:
    """Guess: a ballot written by the mark's transaction (or the next xid)."""
    by_xmin = {}
    for xmin, _ctid, receipt in ballots:
        by_xmin.setdefault(xmin, receipt)
    return {
        entry: by_xmin.get(xmin) or by_xmin.get(xmin + 1)
        for entry, xmin, _ctid in marks
    }


def _rank_in_batch(marks, ballots) -> dict[int, str]:
    """Guess: batches keep the cast order (the k-th mark before a batch's xid
    owns the k-th ballot of that batch)."""
    batches = {}
    for xmin, ctid, receipt in ballots:
        batches.setdefault(xmin, []).append((ctid, receipt))
    guesses, pending = {}, sorted(marks, key=lambda m: m[1])
    for batch_xmin in sorted(batches):
        rows = [r for _c, r in sorted(batches[batch_xmin])]
        members = [m for m in pending if m[1] < batch_xmin]
        pending = [m for m in pending if m[1] >= batch_xmin]
        for rank, (entry, _xmin, _ctid) in enumerate(members):
            if 2 * rank < len(rows):  # two ballots (scopes) per voter
                guesses[entry] = rows[2 * rank]
    return guesses


def _physical_order(marks, ballots) -> dict[int, str]:
    """Guess: the i-th mark on disk owns the i-th pair of ballots on disk."""
    in_order = [r for _x, _c, r in sorted(ballots, key=lambda b: b[1])]
    ordered = sorted(marks, key=lambda m: m[2])
    return {entry: in_order[2 * i] for i, (entry, _x, _c) in enumerate(ordered)}


def _chance_threshold(trials: int, p: float, alpha: float = 1e-4) -> int:
    """The smallest k with P(Binomial(trials, p) >= k) < alpha."""
    tail = 1.0
    for k in range(trials + 1):
        if tail < alpha:
            return k
        tail -= comb(trials, k) * p**k * (1 - p) ** (trials - k)
    return trials + 1


def test_a_database_administrator_links_no_voter_to_a_ballot(
    app, committed, election, mixed_in_batches
):
    from pbvote.cycles.models import Scope

    with committed():
        district_scope = db.session.get(Scope, election["district_scope"])
        election = {
            **election,
            "district_id": district_scope.district_id,
            "pick": str(election["projects"]["commune"][0]),
        }
    truth = _cast_all(app, election)
    run_jobs(app, "sms", "default")  # receipts delivered; mixing jobs drained
    with app.app_context():
        purge_personal_trail(utcnow())
        db.session.commit()
        # What the administrator reads: system columns and physical order.
        # Physical order as a rank: ctid order is the order of rows on disk.
        marks = _rows(
            "SELECT registry_entry_id, xmin::text::bigint, "
            "row_number() OVER (ORDER BY ctid) FROM voter_marks"
        )
        ballots = _rows(
            "SELECT xmin::text::bigint, row_number() OVER (ORDER BY ctid), receipt "
            "FROM ballots ORDER BY position"
        )
        assert len(marks) == VOTERS and len(ballots) == 2 * VOTERS
        batches = {xmin for xmin, _c, _r in ballots}
        assert len(batches) <= VOTERS // BATCH  # never smaller than a batch
        # A blind guess in a batch of BATCH voters hits one of the voter's two
        # ballots with probability 1/BATCH.
        limit = _chance_threshold(VOTERS, 1 / BATCH)
        for attack in (_same_transaction, _rank_in_batch, _physical_order):
            guesses = attack(marks, ballots)
            hits = sum(1 for entry, guess in guesses.items() if guess in truth[entry])
            assert hits < limit, (attack.__name__, hits, limit)
        _assert_no_personal_trail(app, truth)


def _assert_no_personal_trail(app, truth):
    """Every table with a time or a phone is empty of the voting trail, and
    nothing in Redis names a phone or a receipt."""
    for table in (
        "held_ballots",
        "otp_challenges",
        "voter_verification_attempts",
        "rate_events",
        "deferred_jobs",
        "tally_chunks",
    ):
        assert _rows(f'SELECT count(*) FROM "{table}"')[0][0] == 0, table
    sms = _rows("SELECT to_phone, purpose FROM sms_messages")
    assert sms == [], sms  # delivered receipts are deleted, not wiped
    times = _rows(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND data_type LIKE 'timestamp%' "
        "AND table_name IN ('voter_marks', 'ballots', 'voter_verifications')"
    )
    assert times == []
    assert len(outbox(app)) >= VOTERS  # the receipts did go out
    redis = Redis.from_url(app.config["REDIS_URL"])
    receipts = {r[:16] for rs in truth.values() for r in rs}
    for key in redis.scan_iter(count=1000):
        dump = key + b" ".join(_redis_values(redis, key))
        assert b"+2126" not in dump, key
        assert not any(r.encode() in dump for r in receipts), key


def _redis_values(redis, key) -> list[bytes]:
    kind = redis.type(key)
    if kind == b"hash":
        values = []
        for name, value in redis.hgetall(key).items():
            values.append(name)
            values.append(_unpacked(value))
        return values
    if kind == b"string":
        return [_unpacked(redis.get(key) or b"")]
    if kind == b"list":
        return redis.lrange(key, 0, -1)
    if kind == b"set":
        return list(redis.smembers(key))
    if kind == b"zset":
        return redis.zrange(key, 0, -1)
    return []


def _unpacked(value: bytes) -> bytes:
    """RQ stores a job's call zlib-compressed (and pickled): look inside."""
    import zlib

    try:
        return value + zlib.decompress(value)
    except zlib.error:
        return value


def test_held_ballots_cannot_be_opened_without_the_environment_secret(app, election):
    from tests.voting.helpers import cast, verify

    app.config["MIX_MIN_BATCH"] = BATCH
    client = app.test_client()
    cin, birth = election["residents"][0]
    verify(client, app, election["cycle_id"], cin, birth)
    assert (
        cast(client, election, election["projects"]["commune"][:1]).status_code == 302
    )
    with app.app_context():
        [held] = db.session.query(HeldBallot).all()
        assert open_held(election["cycle_id"], held.payload)[1]  # the app can
        wrap = app.config["ELECTION_KEY_WRAP"]
        app.config["ELECTION_KEY_WRAP"] = "what a database administrator guesses"
        try:
            with pytest.raises(HoldingError):
                open_held(election["cycle_id"], held.payload)
        finally:
            app.config["ELECTION_KEY_WRAP"] = wrap
        assert _rows("SELECT count(*) FROM ballots")[0][0] == 0  # held, not chained
    done = client.get(f"/cycles/{election['cycle_id']}/vote/done").get_data(
        as_text=True
    )
    assert "waiting to join the public chain" in done
    box = client.get(f"/cycles/{election['cycle_id']}/ballot-box")
    assert "Votes received, waiting to join the chain" in box.get_data(as_text=True)


def test_the_ballot_box_codes_stay_left_to_right_in_arabic_sentences(client, election):
    """The receipt example and the check command sit inside sentences: without
    isolation an Arabic page breaks "1a2b-3c4d-5e6f-7a8b" and reorders the command."""
    box = client.get(f"/cycles/{election['cycle_id']}/ballot-box").get_data(True)
    assert '<bdi dir="ltr">1a2b-3c4d-5e6f-7a8b</bdi>' in box
    command = "pbvote verify-results FILE --key FINGERPRINT"
    assert f'<bdi dir="ltr">{command}</bdi>' in box
