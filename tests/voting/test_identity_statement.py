"""The identity step on PostgreSQL: the rate limits' locks, then ONE statement that
counts the events and inserts the events, the SMS, the code and the verification
attempt only when every limit allows it (pbvote.accounts.otp._issue_statement).
Its limits hold under concurrency as :func:`ratelimit.check_many`'s do, a limited
request inserts nothing, and the attempt's registry entry is found inside it."""

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from pbvote.accounts.errors import TooSoon
from pbvote.accounts.models import OtpChallenge
from pbvote.core import ratelimit
from pbvote.core.time import utcnow
from pbvote.cycles.models import Cycle, Scope
from pbvote.extensions import db
from pbvote.sms.models import SmsMessage
from pbvote.voting import verification
from pbvote.voting.models import VerificationAttempt, VoterEntry
from pbvote.voting.registry import cin_hash, parse_birth_date
from tests.voting.factories import create_entry


def _rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _request(app, cycle_id, cin, birth, phone, ip, now):
    """One identity request in its own transaction: True when a code was sent."""
    with app.app_context():
        try:
            cycle = db.session.get(Cycle, cycle_id)
            verification.request_vote_code(cycle, cin, birth, phone, ip, now)
            db.session.commit()
            return True
        except TooSoon:
            db.session.rollback()
            return False
        finally:
            db.session.remove()


@pytest.mark.commits  # other connections must see the committed rows
def test_concurrent_identity_requests_for_one_id_are_limited(
    app, election, monkeypatch
):
    # Twelve requests at once for one typed ID (each from its own phone and
    # address), three codes per ID per hour: exactly three pass.
    monkeypatch.setitem(app.config, "VOTE_CODES_PER_ID_PER_HOUR", 3)
    cin, _birth = election["residents"][0]
    barrier, passed, now = threading.Barrier(12), [], utcnow()

    def attempt(index):
        barrier.wait()
        phone, ip = f"+2126120002{index:02d}", f"192.0.2.{index + 1}"
        if _request(app, election["cycle_id"], cin, None, phone, ip, now):
            passed.append(index)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(passed) == 3
    with app.app_context():
        # Each code sent counted its five limits; the refused ones wrote nothing.
        assert _rows(ratelimit.RateEvent) == 3 * 5
        assert _rows(SmsMessage) == _rows(OtpChallenge) == 3
        assert _rows(VerificationAttempt) == 3


@pytest.mark.commits
def test_a_limited_request_inserts_nothing_and_says_how_long_to_wait(app, election):
    cin, birth = election["residents"][0]
    cycle_id, now = election["cycle_id"], utcnow()
    args = (app, cycle_id, cin, date(1990, 1, 1), "+212612000301", "192.0.2.9")
    assert _request(*args, now)
    with app.app_context():
        cycle = db.session.get(Cycle, cycle_id)
        with pytest.raises(TooSoon) as refused:  # the resend cooldown
            verification.request_vote_code(cycle, cin, birth, *args[4:], now)
        cooldown = app.config["OTP_RESEND_COOLDOWN_SECONDS"]
        assert refused.value.retry_after == cooldown + 1
        db.session.rollback()
        assert _rows(ratelimit.RateEvent) == 5
        assert _rows(SmsMessage) == _rows(OtpChallenge) == 1


@pytest.mark.commits
def test_the_attempt_names_the_entry_only_for_a_matching_identity(
    app, committed, election, monkeypatch
):
    with committed():
        scope = db.session.get(Scope, election["district_scope"])
        entry = create_entry(
            election["cycle_id"],
            scope.district_id,
            "RP200001",
            date(1985, 5, 5),
            "+212612000401",
        )
        entry_id = entry.id
    cin, birth = election["residents"][1]  # in the registry without a phone
    birth = parse_birth_date(birth)
    with app.app_context():
        resident_id = db.session.scalar(
            select(VoterEntry.id).where(VoterEntry.cin_hash == cin_hash(cin))
        )
    typed = [
        ("RP200001", date(1985, 5, 5), "+212612000401", entry_id),  # all match
        ("rp 200001", date(1985, 5, 5), "+212612000401", entry_id),  # normalised
        ("RP200001", date(1985, 5, 5), "+212612000402", None),  # not its phone
        ("RP200001", date(1985, 5, 6), "+212612000403", None),  # other birth date
        ("RP200002", date(1985, 5, 5), "+212612000404", None),  # other ID
        (cin, birth, "+212612000405", resident_id),  # any phone: none registered
        (cin, None, "+212612000406", None),  # no date of birth: IS NULL
    ]
    monkeypatch.setitem(app.config, "OTP_RESEND_COOLDOWN_SECONDS", 0)
    monkeypatch.setitem(app.config, "VOTE_CODES_PER_ID_PER_HOUR", 10)
    for index, (typed_cin, typed_birth, phone, expected) in enumerate(typed):
        with app.app_context():
            cycle = db.session.get(Cycle, election["cycle_id"])
            attempt = verification.request_vote_code(
                cycle, typed_cin, typed_birth, phone, f"192.0.2.{index + 20}", utcnow()
            )
            db.session.commit()
            found = db.session.get(VerificationAttempt, attempt.id)
            assert found.registry_entry_id == expected, typed_cin
            challenge = db.session.get(OtpChallenge, found.challenge_id)
            assert challenge.phone == phone and challenge.sms_message_id is not None
