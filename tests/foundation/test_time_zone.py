"""Dates are typed, stored (UTC), shown and enforced in the commune's time zone,
checked around local midnight (Africa/Casablanca is UTC+1 in October 2027)."""

import re
from datetime import UTC, datetime

from sqlalchemy import select

from pbvote.communes.models import Commune
from pbvote.core.i18n import format_moment
from pbvote.core.time import local_day_start
from pbvote.cycles.models import PHASES, Cycle
from pbvote.cycles.services import phase_at
from pbvote.extensions import db
from tests.factories import create_staff
from tests.helpers import login_staff, submit

STARTS = {
    "preparation": "2027-09-01",
    "proposals": "2027-09-10",
    "review": "2027-10-01",
    "voting": "2027-10-26",
    "tally": "2027-11-01",
    "execution": "2027-11-10",
    "evaluation": "2027-11-20",
}
LAST_DAY = "2027-11-30"


def typed_cycle(app, client, commune, committed) -> int:
    with committed():
        _, secret = create_staff(commune["id"], "amina", ["admin"])
    login_staff(client, "amina", secret)
    data = {
        "year": "2027",
        "title_ar": "الميزانية",
        "title_fr": "Budget 2027",
        "total_budget": "1000000",
        "ends_at": LAST_DAY,
    }
    data.update({f"start_{kind}": day for kind, day in STARTS.items()})
    assert submit(client, "/staff/cycles/new", data).status_code == 302
    with app.app_context():
        return db.session.scalar(select(Cycle.id).where(Cycle.year == 2027))


def test_typed_days_are_stored_as_local_midnights_in_utc(
    app, client, commune, committed
):
    cycle_id = typed_cycle(app, client, commune, committed)
    with app.app_context():
        cycle = db.session.get(Cycle, cycle_id)
        starts = cycle.phase_starts()
        assert starts["voting"] == datetime(2027, 10, 25, 23, 0, tzinfo=UTC)
        # The last day is a whole local day: the cycle ends at midnight after it.
        assert cycle.ends_at_dt == datetime(2027, 11, 30, 23, 0, tzinfo=UTC)


def test_the_timeline_shows_the_days_the_administrator_typed(
    app, client, commune, committed
):
    cycle_id = typed_cycle(app, client, commune, committed)
    page = client.get(f"/cycles/{cycle_id}").get_data(as_text=True)
    rows = dict(
        re.findall(r'>\s*([^<>]+?)\s*<span class="muted">· ([^<]+)</span>', page)
    )
    assert "Oct 26, 2027 – Oct 31, 2027" == rows["Voting"]
    assert "Oct 1, 2027 – Oct 25, 2027" == rows["Feasibility review"]
    assert "Nov 20, 2027 – Nov 30, 2027" == rows["Evaluation"]


def test_the_edit_form_shows_the_typed_days_back(app, client, commune, committed):
    cycle_id = typed_cycle(app, client, commune, committed)
    page = client.get(f"/staff/cycles/{cycle_id}/edit").get_data(as_text=True)
    assert 'value="2027-10-26"' in page and f'value="{LAST_DAY}"' in page
    assert 'value="2027-10-25"' not in page


def test_phases_open_and_close_at_local_midnight(app, client, commune, committed):
    cycle_id = typed_cycle(app, client, commune, committed)
    with app.app_context():
        cycle = db.session.get(Cycle, cycle_id)
        # 23:30 UTC is 00:30 the next day in Ouazzane.
        assert phase_at(cycle, datetime(2027, 10, 25, 22, 30, tzinfo=UTC)) == "review"
        assert phase_at(cycle, datetime(2027, 10, 25, 23, 30, tzinfo=UTC)) == "voting"
        last = datetime(2027, 11, 30, 22, 30, tzinfo=UTC)  # 23:30 on the last day
        assert phase_at(cycle, last) == "evaluation"
        after = datetime(2027, 11, 30, 23, 30, tzinfo=UTC)
        assert phase_at(cycle, after) == "closed"


def test_moments_are_shown_in_local_time(app, commune):
    with app.test_request_context("/"):
        shown = format_moment(datetime(2027, 10, 25, 23, 30, tzinfo=UTC))
    assert "Oct 26, 2027" in shown and "12:30" in shown


def test_the_communes_own_time_zone_governs(app, committed, commune):
    with committed() as session:
        session.get(Commune, commune["id"]).time_zone = "UTC"
    with app.test_request_context("/"):
        start = local_day_start(datetime(2027, 10, 26).date())
        shown = format_moment(datetime(2027, 10, 25, 23, 30, tzinfo=UTC))
    assert start == datetime(2027, 10, 26, tzinfo=UTC)
    assert "Oct 25, 2027" in shown
    assert len(PHASES) == len(STARTS)
