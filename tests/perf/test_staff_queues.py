"""Staff queues send as many statements with 3N rows as with N."""

from datetime import date

from pbvote.associations.models import Association
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.proposals.models import Comment
from pbvote.reviews.models import AdvisoryBody, Review
from tests.factories import create_resident, create_staff
from tests.helpers import login_staff
from tests.perf.helpers import assert_same_counts, counts
from tests.perf.test_other_lists import add_rows
from tests.proposals.factories import create_proposal, setup_cycle


def add_queue_rows(commune: dict, setup: dict, count: int, first: int) -> None:
    """Besides :func:`add_rows`: reviews to do, associations waiting, reported
    comments."""
    add_rows(commune, setup, count, first)
    now = utcnow()
    for n in range(first, first + count):
        author = create_resident(commune["id"], phone=f"+2125{n:08d}")
        proposal = create_proposal(setup, author.id, title=f"À revoir {n}")
        db.session.add(Review(proposal_id=proposal.id, body_id=1, assigned_at_dt=now))
        db.session.add(
            Association(
                commune_id=commune["id"],
                name_ar=f"جمعية {n}",
                name_fr=f"Association {n}",
                registration_number=f"Q{n}",
                seat_address="Ouazzane",
                founded_on=date(2012, 1, 1),
                field="culture",
                representative_id=author.id,
                status="pending",
                created_at_dt=now,
            )
        )
        db.session.add(
            Comment(
                proposal_id=proposal.id,
                author_id=author.id,
                body="Hors sujet",
                flag_count=1,
                created_at_dt=now,
            )
        )
    db.session.flush()


def test_staff_queues_send_constant_statements(
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
        _admin, secret = create_staff(commune["id"], "admin", ["admin"])
        db.session.flush()
        add_queue_rows(commune, setup, 3, 0)
    login_staff(client, "admin", secret)
    urls = [
        "/staff/reviews",
        "/staff/reviews?status=published",
        f"/staff/cycles/{setup['cycle_id']}/reviews",
        "/staff/associations",
        "/staff/moderation",
        "/staff/petitions",
        "/staff/complaints",
        "/staff/information",
        "/staff/meetings",
        "/staff/tallies",
    ]
    client.get(urls[0])
    small = counts(count_statements, client, urls)
    with committed():
        add_queue_rows(commune, setup, 6, 3)
    large = counts(count_statements, client, urls)
    assert_same_counts(small, large)
