"""Identity: the registry's phone counts, codes per typed ID are limited for every
typed ID, and the rate limiter's check-and-count is atomic."""

import threading
from datetime import date, timedelta

import pytest

from pbvote.core import ratelimit
from pbvote.core.time import utcnow
from pbvote.extensions import db
from tests.helpers import last_code, submit
from tests.voting.factories import create_entry
from tests.voting.helpers import verify

OWNER = "+212612000001"
IMPOSTOR = "+212612000002"


def _start(client, cycle_id, cin, birth, phone):
    return submit(
        client,
        f"/cycles/{cycle_id}/vote",
        {"cin": cin, "birth_date": birth, "phone": phone},
    )


def _code(client, cycle_id, code):
    return submit(client, f"/cycles/{cycle_id}/vote/code", {"code": code})


def _registered_with_phone(committed, election) -> tuple[str, str]:
    from pbvote.cycles.models import Scope

    with committed():
        scope = db.session.get(Scope, election["district_scope"])
        create_entry(
            election["cycle_id"], scope.district_id, "RP100001", date(1985, 5, 5), OWNER
        )
    return "RP100001", "05/05/1985"


def test_an_impostor_with_the_id_and_birth_date_cannot_verify(app, committed, election):
    cin, birth = _registered_with_phone(committed, election)
    cycle_id = election["cycle_id"]
    impostor = app.test_client()
    assert _start(impostor, cycle_id, cin, birth, IMPOSTOR).status_code == 302
    page = impostor.get(f"/cycles/{cycle_id}/vote/code").get_data(as_text=True)
    assert "•02" in page  # the code went to the impostor's own phone
    refused = _code(impostor, cycle_id, last_code(app, IMPOSTOR))
    assert "Wrong code. 4 tries left." in refused.get_data(as_text=True)
    assert impostor.get(f"/cycles/{cycle_id}/vote/ballot").status_code == 302
    # The resident, with the registry's phone, verifies and votes.
    owner = app.test_client()
    verify(owner, app, cycle_id, cin, birth, phone=OWNER)
    assert owner.get(f"/cycles/{cycle_id}/vote/ballot").status_code == 200


def test_codes_per_typed_id_are_limited_valid_or_not(app, election, monkeypatch):
    monkeypatch.setitem(app.config, "OTP_RESEND_COOLDOWN_SECONDS", 0)
    monkeypatch.setitem(app.config, "VOTE_CODES_PER_ID_PER_HOUR", 2)
    cycle_id = election["cycle_id"]
    cin, birth = election["residents"][0]
    answers = {}
    for typed in (cin, "ZZ999999"):  # in the registry, and not
        pages = []
        for n in range(3):
            response = _start(
                app.test_client(), cycle_id, typed, birth, f"+21261200010{n}"
            )
            pages.append((response.status_code, response.get_data(as_text=True)))
        answers[typed] = pages
    for typed, pages in answers.items():
        assert [status for status, _ in pages] == [302, 302, 200], typed
        assert "before asking for a new code" in pages[2][1], typed


def _hit_concurrently(app, workers: int, limit: int) -> int:
    barrier = threading.Barrier(workers)
    passed = []
    now = utcnow()

    def attempt():
        with app.app_context():
            barrier.wait()
            try:
                ratelimit.check_and_hit(
                    "test-burst", "one-key", limit, timedelta(hours=1), now
                )
                db.session.commit()
                passed.append(1)
            except ratelimit.RateLimited:
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(passed)


@pytest.mark.commits  # other connections must see the committed rows
def test_concurrent_requests_cannot_pass_the_rate_limit(app):
    # Twenty requests at once against a limit of five: exactly five pass.
    assert _hit_concurrently(app, 20, 5) == 5
    with app.app_context():
        assert db.session.query(ratelimit.RateEvent).count() == 5


def _check_many_concurrently(app, workers: int, limit: int) -> int:
    """``workers`` requests at once, each checking two shared keys (listed in
    opposite orders by half of them: the locks are taken in one fixed order, so
    they cannot deadlock) and one key of its own, in one ``check_many``."""
    import threading
    from datetime import timedelta

    barrier, passed = threading.Barrier(workers), []
    now = utcnow()

    def attempt(index):
        hour = timedelta(hours=1)
        shared = [("test-a", "phone", limit, hour), ("test-b", "ip", 100, hour)]
        if index % 2:
            shared.reverse()
        with app.app_context():
            barrier.wait()
            try:
                ratelimit.check_many(
                    [*shared, ("test-c", f"own-{index}", 1, hour)], now, hit_all=True
                )
                db.session.commit()
                passed.append(1)
            except ratelimit.RateLimited:
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(passed)


@pytest.mark.commits  # other connections must see the committed rows
def test_concurrent_requests_cannot_pass_several_limits_checked_at_once(app):
    # Twenty requests at once, limit five on the shared key: exactly five pass,
    # each counted once on each of its three keys.
    assert _check_many_concurrently(app, 20, 5) == 5
    with app.app_context():
        assert db.session.query(ratelimit.RateEvent).count() == 15
