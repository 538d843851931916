"""pbvote.core.ratelimit.check_many counts each key in its own window with one
statement built once per number of keys (issue 13)."""

from datetime import timedelta

import pytest

from pbvote.core import ratelimit
from pbvote.core.time import utcnow
from pbvote.extensions import db

MINUTE, HOUR = timedelta(minutes=1), timedelta(hours=1)


def test_each_key_is_counted_in_its_own_window(app):
    now = utcnow()
    with app.app_context():
        for minutes_ago in (2, 30, 90):
            ratelimit.hit(
                "phone", "+212612345678", now - timedelta(minutes=minutes_ago)
            )
            ratelimit.hit("ip", "192.0.2.1", now - timedelta(minutes=minutes_ago))
        db.session.flush()
        limits = [
            ("ip", "192.0.2.1", 3, MINUTE),  # none in the last minute
            ("phone", "+212612345678", 2, HOUR),  # two in the hour: limited
        ]
        with pytest.raises(ratelimit.RateLimited) as limited:
            ratelimit.check_many(limits, now, hit_all=True)
        # The oldest event in the window (30 minutes ago) leaves it in 30 minutes.
        assert limited.value.retry_after == 30 * 60 + 1
        ratelimit.check_many(limits[:1], now, hit_all=True)  # the address alone
        ratelimit.check_many([("phone", "+212612345678", 3, MINUTE)], now)
        counted = db.session.query(ratelimit.RateEvent).filter_by(bucket="ip").count()
        assert counted == 4  # the three older events and this one
        db.session.rollback()
