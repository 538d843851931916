"""Other domains' public lists, exports and APIs send as many statements with
3N rows as with N."""

from datetime import timedelta

from pbvote.complaints.models import Complaint
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.inforequests.models import InfoDocument, InfoRequest
from pbvote.petitions.models import Petition, PetitionEvent
from pbvote.reviews.models import AdvisoryBody, Review
from tests.factories import create_cycle, create_resident
from tests.perf.helpers import assert_same_counts, counts
from tests.proposals.factories import create_proposal, setup_cycle

URLS = [
    "/petitions",
    "/petitions.csv",
    "/petitions.json",
    "/api/v1/petitions",
    "/information",
    "/information.csv",
    "/information.json",
    "/api/v1/information-requests",
    "/complaints",
    "/complaints.csv",
    "/complaints.json",
    "/api/v1/complaints",
    "/bodies/1",
    "/cycles",
    "/api/v1/cycles",
]


def add_rows(commune: dict, setup: dict, count: int, first: int) -> None:
    """``count`` petitions (with their history), information requests (with a
    document each), complaints (over every district), reviewed proposals and
    cycles."""
    now = utcnow()
    body = db.session.get(AdvisoryBody, 1)
    for n in range(first, first + count):
        author = create_resident(commune["id"], phone=f"+2127{n:08d}")
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
        request = InfoRequest(
            commune_id=commune["id"],
            tracking_number=f"IR-{n}",
            channel="online",
            subject=f"Budget {n}",
            requester_enc=b"sealed",
            status="answered",
            received_at_dt=now - timedelta(minutes=n),
            due_on=now.date(),
        )
        request.documents.append(
            InfoDocument(
                filename=f"doc{n}.pdf",
                content_type="application/pdf",
                size=10,
                stored_name=f"stored-{n}",
            )
        )
        db.session.add(request)
        db.session.add(
            Complaint(
                commune_id=commune["id"],
                tracking_number=f"C-{n}",
                author_id=author.id,
                category="roads",
                district_id=commune["district_ids"][n % len(commune["district_ids"])],
                description="Nid de poule.",
                submitted_at_dt=now - timedelta(minutes=n),
                due_on=now.date(),
            )
        )
        proposal = create_proposal(setup, author.id, title=f"Proposition {n}")
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
        create_cycle(commune["id"], year=2000 + n, current_phase="closed")
    db.session.flush()


def test_other_lists_send_constant_statements(
    app, client, committed, commune, count_statements
):
    with committed():
        setup = setup_cycle(commune, phase="review")
        db.session.add(
            AdvisoryBody(
                commune_id=commune["id"],
                key="technical",
                name_ar="لجنة",
                name_fr="Comité",
            )
        )
        db.session.flush()
        add_rows(commune, setup, 3, 0)
    client.get("/petitions")
    small = counts(count_statements, client, URLS)
    with committed():
        add_rows(commune, setup, 6, 3)
    large = counts(count_statements, client, URLS)
    assert_same_counts(small, large)
