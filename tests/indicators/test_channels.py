"""Petitions, information requests, proposals and execution on hand-built data."""

from datetime import date, timedelta

from pbvote.core.time import to_local_day, utcnow
from pbvote.extensions import db
from pbvote.indicators import periods, services
from pbvote.inforequests.models import InfoRequest
from pbvote.petitions.models import Petition
from pbvote.reviews.models import AdvisoryBody, Review
from tests.accountability.factories import execution_setup
from tests.factories import create_resident
from tests.indicators.factories import moment
from tests.proposals.factories import create_proposal, setup_cycle

DAY = date(2025, 2, 3)


def rows(commune_id, key, period) -> dict:
    return {r[0]: r[2] for r in services.MEASURES[key](commune_id, period)}


def test_petitions_by_citizens_and_accepted(app, committed, commune):
    with committed():
        author = create_resident(commune["id"])
        for status in ("admissible", "not_admissible", "filed", "decided"):
            db.session.add(
                Petition(
                    commune_id=commune["id"],
                    kind="citizens",
                    author_id=author.id,
                    agent_name="Agent",
                    title="Pétition",
                    request="Demande",
                    status=status,
                    created_at_dt=moment(DAY),
                    filed_at_dt=moment(DAY),
                    decision_due_on=DAY + timedelta(days=90),
                    decided_at_dt=None if status == "filed" else moment(DAY),
                )
            )
    with app.app_context():
        figures = rows(commune["id"], "petitions", periods.quarter(2025, 1))
    assert figures == {"filed": 4, "citizens": 4, "associations": 0, "accepted": 2}


def _request(commune_id, number, status, days_taken, late=False):
    due = DAY + timedelta(days=28)
    closed = None
    if status != "received":
        closed = moment(due + timedelta(days=3 if late else -3))
    return InfoRequest(
        commune_id=commune_id,
        tracking_number=f"DI-T-{number}",
        channel="online",
        subject="Budget",
        requester_enc=b"sealed",
        status=status,
        received_at_dt=moment(DAY),
        due_on=due,
        closed_at_dt=closed,
        working_days_taken=days_taken,
        refusal_ground="other" if status == "refused" else None,
        explanation="Motif" if status == "refused" else "",
    )


def test_information_requests_share_in_time_and_median(app, committed, commune):
    with committed():
        for number, (status, taken, late) in enumerate(
            [
                ("answered", 5, False),
                ("answered", 10, False),
                ("refused", 30, True),
                ("received", None, False),
            ]
        ):
            db.session.add(_request(commune["id"], number, status, taken, late))
    with app.app_context():
        figures = rows(commune["id"], "information", periods.quarter(2025, 1))
    assert figures["received"] == 4
    assert figures["answered"] == 75.0
    assert figures["in_time"] == 66.7
    assert figures["median"] == 10


def test_proposals_answered_and_median_time(app, committed, commune):
    with committed():
        setup = setup_cycle(commune)
        author = create_resident(commune["id"])
        body = AdvisoryBody(
            commune_id=commune["id"], key="tech", name_ar="لجنة", name_fr="Comité"
        )
        db.session.add(body)
        db.session.flush()  # reviews need its id
        for delay in (2, 4, None):
            proposal = create_proposal(setup, author.id, submitted_at=moment(DAY))
            db.session.add(
                Review(
                    proposal_id=proposal.id,
                    body_id=body.id,
                    assigned_at_dt=moment(DAY),
                    published_at_dt=moment(DAY + timedelta(days=delay))
                    if delay
                    else None,
                )
            )
    with app.app_context():
        figures = rows(commune["id"], "proposals", periods.quarter(2025, 1))
        mechanisms = rows(commune["id"], "mechanisms", periods.quarter(2025, 1))
    assert figures["proposed"] == 3
    assert figures["answered"] == 66.7
    assert figures["median"] == 3.0
    assert mechanisms["bodies"] == 1


def test_execution_money_and_statuses(app, committed, commune):
    # Records are opened now: they count from this year (as of the period's end).
    execution_setup(committed, commune, costs=(400_000, 250_000))
    this_year = to_local_day(utcnow()).year
    with app.app_context():
        figures = rows(commune["id"], "execution", periods.year(this_year))
        before = rows(commune["id"], "execution", periods.year(this_year - 1))
    assert figures["projects"] == 2
    assert figures["allocated"] == 650_000
    assert figures["spent"] == 0
    assert before["projects"] == 0
