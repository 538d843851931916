"""A running phase's dates change only with a confirmation and a public reason;
voting, once opened, can only be extended; the audit keeps old and new dates."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from pbvote.audit.models import AuditEntry
from pbvote.core.time import local_day_start, to_local_day, utcnow
from pbvote.cycles import services
from pbvote.cycles.models import PHASES, Cycle
from pbvote.extensions import db
from tests.factories import create_staff
from tests.helpers import login_staff, submit

# Days from today (local) at which each phase starts: voting opened yesterday.
OFFSETS = {
    "preparation": -40,
    "proposals": -30,
    "review": -20,
    "voting": -1,
    "tally": 5,
    "execution": 10,
    "evaluation": 20,
}
LAST_DAY = 30


def form_data(today, offsets=OFFSETS, last_day=LAST_DAY, **extra):
    data = {
        "year": str(today.year),
        "title_ar": "الميزانية",
        "title_fr": "Budget",
        "total_budget": "1000000",
        "ends_at": str(today + timedelta(days=last_day)),
    }
    data.update(
        {f"start_{k}": str(today + timedelta(days=d)) for k, d in offsets.items()}
    )
    data.update(extra)
    return data


@pytest.fixture
def voting(app, client, committed, commune):
    """A cycle typed by the administrator, in its voting phase; returns its id and
    local today."""
    with committed() as session:
        admin, secret = create_staff(commune["id"], "amina", ["admin"])
        today = to_local_day(utcnow())
        starts = {
            kind: local_day_start(today + timedelta(days=d))
            for kind, d in OFFSETS.items()
        }
        cycle = services.save_cycle(
            admin,
            _commune(session, commune),
            None,
            year=today.year,
            title_ar="الميزانية",
            title_fr="Budget",
            total_budget=1_000_000,
            starts=starts,
            ends_at=local_day_start(today + timedelta(days=LAST_DAY + 1)),
            now=utcnow(),
        )
        cycle_id = cycle.id
    login_staff(client, "amina", secret)
    return cycle_id, today


def _commune(session, commune):
    from pbvote.communes.models import Commune

    return session.get(Commune, commune["id"])


def voting_span(app, cycle_id):
    with app.app_context():
        return services.phase_span(db.session.get(Cycle, cycle_id), "voting")


def edit(client, cycle_id, data):
    return submit(client, f"/staff/cycles/{cycle_id}/edit", data)


def test_saving_unchanged_dates_needs_nothing(app, client, voting):
    cycle_id, today = voting
    assert edit(client, cycle_id, form_data(today)).status_code == 302


def test_voting_cannot_be_ended_early(app, client, voting):
    cycle_id, today = voting
    before = voting_span(app, cycle_id)
    shorter = dict(OFFSETS, tally=0)  # the vote would close tonight
    page = edit(
        client,
        cycle_id,
        form_data(today, shorter, change_reason="Budget cut", confirm_change="y"),
    ).get_data(as_text=True)
    assert "its end can only be made later" in page
    assert voting_span(app, cycle_id) == before


def test_the_start_of_an_opened_vote_cannot_move(app, client, voting):
    cycle_id, today = voting
    later = dict(OFFSETS, voting=0)
    page = edit(
        client,
        cycle_id,
        form_data(today, later, change_reason="Late", confirm_change="y"),
    ).get_data(as_text=True)
    assert "its start cannot move" in page


def test_extending_the_vote_needs_a_confirmation_and_a_reason(app, client, voting):
    cycle_id, today = voting
    before = voting_span(app, cycle_id)
    longer = dict(OFFSETS, tally=8)
    page = edit(client, cycle_id, form_data(today, longer)).get_data(as_text=True)
    assert "Give the reason that will be shown to the public" in page
    unconfirmed = form_data(today, longer, change_reason="Power cut in Rmel")
    assert edit(client, cycle_id, unconfirmed).status_code == 200
    assert voting_span(app, cycle_id) == before


def test_an_extension_is_published_and_audited_with_old_and_new_dates(
    app, client, voting
):
    cycle_id, today = voting
    before = voting_span(app, cycle_id)
    longer = dict(OFFSETS, tally=8)
    reason = "Power cut in Rmel on Saturday"
    response = edit(
        client,
        cycle_id,
        form_data(today, longer, change_reason=reason, confirm_change="y"),
    )
    assert response.status_code == 302
    after = voting_span(app, cycle_id)
    assert after[0] == before[0] and after[1] - before[1] == timedelta(days=3)
    page = client.get(f"/cycles/{cycle_id}").get_data(as_text=True)
    assert reason in page and "Phases moved:" in page
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "cycle.update")
        ).one()
    dates = entry.details["dates"]
    assert dates["voting"]["old"] == [m.isoformat() for m in before]
    assert dates["voting"]["new"] == [m.isoformat() for m in after]
    assert set(dates) == {"voting", "tally"} and entry.details["reason"] == reason


def test_a_later_phase_moves_without_ceremony(app, client, voting):
    cycle_id, today = voting
    later = dict(OFFSETS, execution=12)
    assert edit(client, cycle_id, form_data(today, later)).status_code == 302
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "cycle.update")
        ).one()
    assert set(entry.details["dates"]) == {"tally", "execution"}


def test_a_closed_vote_cannot_be_reopened(app, client, committed, voting):
    cycle_id, today = voting
    closed = {k: d - 10 for k, d in OFFSETS.items()}  # counting started 5 days ago
    with committed() as session:
        cycle = session.get(Cycle, cycle_id)
        for phase in cycle.phases:
            phase.starts_at_dt = local_day_start(
                today + timedelta(days=closed[phase.kind])
            )
    reopened = dict(closed, tally=1, execution=2)
    page = edit(
        client,
        cycle_id,
        form_data(today, reopened, change_reason="Reopen", confirm_change="y"),
    ).get_data(as_text=True)
    assert "Voting has closed" in page
    assert len(PHASES) == len(OFFSETS)
