"""The indicators dashboard sends as few statements with 3N rows as with N, and
few in all: the look-ups its indicators share are made once per request, each
for all the periods the dashboard reads."""

from datetime import timedelta

from pbvote.core.time import to_local_day, utcnow
from pbvote.extensions import db
from pbvote.petitions.models import Petition, PetitionEvent
from pbvote.proposals.models import Comment
from pbvote.reviews.models import AdvisoryBody, Review
from tests.factories import create_resident
from tests.perf.helpers import assert_same_counts, counts
from tests.proposals.factories import create_proposal, setup_cycle

# One statement per source for all the periods read (a quarter also reads the
# same quarters a year earlier: five periods, the same statements as a year's
# three); 46 when each period had its own statements.
MOST = 23


def add_rows(commune: dict, setup: dict, count: int, first: int) -> None:
    """``count`` residents who propose (answered), comment and file a petition."""
    now = utcnow()
    body = db.session.query(AdvisoryBody).filter_by(commune_id=commune["id"]).first()
    for n in range(first, first + count):
        author = create_resident(commune["id"], phone=f"+2127{n:08d}")
        proposal = create_proposal(setup, author.id, title=f"Proposition {n}")
        proposal.submitted_at_dt = now - timedelta(days=1, minutes=n)
        db.session.add(
            Comment(
                proposal_id=proposal.id,
                author_id=author.id,
                body=f"Oui {n}",
                created_at_dt=now,
            )
        )
        db.session.add(
            Review(
                proposal_id=proposal.id,
                body_id=body.id,
                assigned_at_dt=now,
                decision="feasible",
                official_cost=1000,
                recorded_at_dt=now,
                published_at_dt=now,
            )
        )
        petition = Petition(
            commune_id=commune["id"],
            kind="citizens",
            author_id=author.id,
            agent_name=f"Agent {n}",
            title=f"Pétition {n}",
            request="Inscrire à l'ordre du jour.",
            status="filed",
            created_at_dt=now - timedelta(minutes=n),
        )
        petition.events.append(PetitionEvent(status="filed", at_dt=now))
        db.session.add(petition)
    db.session.flush()  # statements: 9 indicators over the period and the one before


def test_the_indicators_dashboard_sends_few_constant_statements(
    app, client, committed, commune, count_statements
):
    year = to_local_day(utcnow()).year
    district = commune["district_ids"][0]
    urls = [
        "/indicators",
        f"/indicators?period={year}-Q1",
        f"/indicators?district={district}",
        "/indicators.json",
        "/indicators.csv",
        "/api/v1/indicators",
    ]
    with committed():
        setup = setup_cycle(commune, phase="review")
        db.session.add(
            AdvisoryBody(
                commune_id=commune["id"], key="technical", name_ar="لجنة", name_fr="C"
            )
        )
        db.session.flush()
        add_rows(commune, setup, 3, 0)
    assert (
        client.get("/api/v1/indicators").get_json()["indicators"][5]["rows"][0]["value"]
        >= 3
    )  # proposals counted: the rows are in the period
    small = counts(count_statements, client, urls)
    with committed():
        add_rows(commune, setup, 6, 3)
    large = counts(count_statements, client, urls)
    assert_same_counts(small, large)
    assert max(large.values()) <= MOST, large
