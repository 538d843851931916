"""The demo's cycles start their phases on whole local days, as staff type them:
seeded at 'now minus N days', the timeline showed 'Oct 26 - Nov 25' then
'Nov 25 - Dec 25', one day in two phases."""

from datetime import timedelta
from itertools import pairwise

from sqlalchemy import select

from pbvote.core.time import local_day_start, to_local_day, utcnow
from pbvote.cycles import services
from pbvote.cycles.models import Cycle
from pbvote.extensions import db


def test_demo_phases_start_at_local_midnight_and_days_do_not_overlap(app, seeded_demo):
    with app.app_context():
        cycles = db.session.scalars(select(Cycle)).all()
        assert len(cycles) == 3
        for cycle in cycles:
            moments = [p.starts_at_dt for p in cycle.phases] + [cycle.ends_at_dt]
            for moment in moments:
                assert moment == local_day_start(to_local_day(moment)), moment
            rows = services.timeline(cycle, utcnow())
            for row, following in pairwise(rows):
                last = to_local_day(row["last_day"])
                assert last + timedelta(days=1) == to_local_day(following["starts"])
