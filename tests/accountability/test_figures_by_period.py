"""figures_by_period (one read for several periods, for the indicators) gives
compute_figures' figures for each period, but the project lines it leaves out."""

from datetime import date

from pbvote.accountability.reports import (
    compute_figures,
    figures_by_period,
    period_span,
)
from pbvote.communes.models import Commune
from pbvote.core.time import to_local_day, utcnow
from pbvote.extensions import db

LEFT_OUT = ("projects", "updates_published")


def test_figures_by_period_match_compute_figures(app, seeded_demo):
    with app.test_request_context():
        commune_id = db.session.query(Commune.id).scalar()
        year = to_local_day(utcnow()).year
        spans = [period_span("year", y) for y in (year, year - 1, year - 2)]
        spans += [
            period_span("quarter", y, q) for y in (year, year - 1) for q in (1, 2, 3, 4)
        ]
        spans.append((date(year - 1, 7, 1), date(year, 6, 30)))  # overlaps others
        fast = figures_by_period(commune_id, spans)
        assert len(fast) == len(spans)
        shown = 0
        for (start, end), figures in zip(spans, fast, strict=True):
            slow = compute_figures(commune_id, start, end)
            expected = {k: v for k, v in slow.items() if k not in LEFT_OUT}
            expected["delayed"] = [
                {k: v for k, v in p.items() if not k.startswith(("title", "cycle"))}
                for p in slow["delayed"]
            ]
            assert figures == expected, (start, end)
            shown += figures["records"] + figures["satisfaction"]["ratings"]
        # Not an empty comparison: the demo has records, updates and ratings.
        assert shown
        assert any(f["committed"] for f in fast)
        assert any(f["satisfaction"]["ratings"] for f in fast)
