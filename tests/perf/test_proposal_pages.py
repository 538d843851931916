"""Proposal pages send as many statements with 3N proposals as with N."""

from datetime import date, timedelta

from pbvote.associations.models import Association
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.reviews.models import AdvisoryBody, Review
from tests.factories import create_resident
from tests.perf.helpers import assert_same_counts, counts, statements
from tests.proposals.factories import create_proposal, setup_cycle

CATEGORIES = ("roads", "culture", "sports")


def add_proposals(commune: dict, setup: dict, count: int, first: int) -> list[int]:
    """``count`` proposals, each with its own author, association and published
    review, spread over every scope and category (so that a lazy load per row
    cannot hide behind the session's identity map)."""
    scopes = [setup["commune_scope"], *setup["district_scopes"]]
    body = db.session.query(AdvisoryBody).first()
    if body is None:
        body = AdvisoryBody(
            commune_id=commune["id"], key="technical", name_ar="لجنة", name_fr="Comité"
        )
        db.session.add(body)
        db.session.flush()
    ids = []
    for number in range(first, first + count):
        author = create_resident(commune["id"], phone=f"+2126{number:08d}")
        association = Association(
            commune_id=commune["id"],
            name_ar=f"جمعية {number}",
            name_fr=f"Association {number}",
            registration_number=f"R{number}",
            seat_address="Ouazzane",
            founded_on=date(2010, 1, 1),
            field="culture",
            representative_id=author.id,
            status="approved",
            created_at_dt=utcnow(),
        )
        db.session.add(association)
        db.session.flush()
        proposal = create_proposal(
            setup,
            author.id,
            title=f"Éclairage public {number}",
            scope_id=scopes[number % len(scopes)],
            category=CATEGORIES[number % len(CATEGORIES)],
            association_id=association.id,
            status="feasible" if number % 2 else "submitted",
            submitted_at=utcnow() - timedelta(minutes=number),
        )
        proposal.latitude, proposal.longitude = 34.79 + number / 1000, -5.58
        proposal.location_text = f"Rue {number}"
        db.session.add(
            Review(
                proposal_id=proposal.id,
                body_id=body.id,
                assigned_at_dt=utcnow(),
                decision="feasible",
                official_cost=100_000 + number,
                answer="Faisable.",
                recorded_at_dt=utcnow(),
                published_at_dt=utcnow(),
            )
        )
        ids.append(proposal.id)
    db.session.flush()
    return ids


def urls(cycle_id: int, proposal_id: int) -> list[str]:
    base = f"/cycles/{cycle_id}/proposals"
    return [
        base,
        f"{base}?page=2",
        f"{base}?page=99",  # the last page
        f"{base}?q=eclairage+public",
        f"{base}?sort=supported&status=feasible",
        f"{base}/map",
        f"{base}.csv",
        f"{base}.json",
        f"/api/v1/cycles/{cycle_id}/proposals",
        f"/api/v1/cycles/{cycle_id}/proposals?page=2",
        f"/proposals/{proposal_id}",
        f"/api/v1/proposals/{proposal_id}",
    ]


def test_proposal_pages_send_constant_statements(
    app, client, committed, commune, count_statements
):
    """N = 45 fills page 1 and 2 and part of 3 (20 a page); 3N fills 7 pages."""
    with committed():
        setup = setup_cycle(commune, phase="voting")
        first = add_proposals(commune, setup, 45, 0)
    pages = urls(setup["cycle_id"], first[0])
    client.get(pages[0])  # the app's per-process caches warm up first
    small = counts(count_statements, client, pages)
    with committed():
        add_proposals(commune, setup, 90, 45)
    large = counts(count_statements, client, pages)
    assert_same_counts(small, large)


def test_one_statement_per_card_is_not_back(
    app, client, committed, commune, count_statements
):
    """A page of 20 cards (or API items) costs what a page of 2 does."""
    with committed():
        setup = setup_cycle(commune, phase="voting")
        add_proposals(commune, setup, 22, 0)
    client.get(f"/cycles/{setup['cycle_id']}/proposals")
    for url in (
        f"/cycles/{setup['cycle_id']}/proposals",
        f"/cycles/{setup['cycle_id']}/proposals?q=public",
        f"/api/v1/cycles/{setup['cycle_id']}/proposals",
    ):
        join = "&" if "?" in url else "?"
        full = statements(count_statements, client, url)
        last = statements(count_statements, client, f"{url}{join}page=2")
        assert full == last, url


def test_search_can_use_the_trigram_index(app):
    """On PostgreSQL a search word (LIKE '%word%' on the folded text) can be
    looked up through the trigram index; the planner takes it once the table is
    large (bench/pages.py), here sequential scans are turned off to see it."""
    from sqlalchemy import text

    with app.app_context():
        definition = db.session.scalar(
            text(
                "SELECT indexdef FROM pg_indexes "
                "WHERE indexname = 'ix_proposals_search_trgm'"
            )
        )
        assert "gin" in definition and "gin_trgm_ops" in definition
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        db.session.execute(text("SET LOCAL enable_indexscan = off"))
        plan = "\n".join(
            db.session.scalars(
                text(
                    "EXPLAIN SELECT id FROM proposals "
                    "WHERE search_text LIKE '%eclairage%'"
                )
            )
        )
    assert "ix_proposals_search_trgm" in plan, plan


def test_a_page_past_the_end_shows_the_last_one(client, committed, commune):
    with committed():
        setup = setup_cycle(commune, phase="voting")
        add_proposals(commune, setup, 23, 0)
    html = client.get(f"/cycles/{setup['cycle_id']}/proposals?page=7").get_data(
        as_text=True
    )
    assert "23 proposals" in html
    assert html.count('class="card proposal-card"') == 3
