"""Voting opens only when every proposal of the cycle has its published answer."""

from pbvote.proposals.models import Proposal
from tests.factories import create_resident
from tests.helpers import submit


def test_verification_is_refused_while_a_proposal_lacks_an_answer(
    app, client, commune, committed, election
):
    from pbvote.proposals.services import ensure_categories
    from pbvote.proposals.text import normalise

    cycle_id = election["cycle_id"]
    with committed() as session:
        author = create_resident(commune["id"], "+212612340001")
        category = ensure_categories(commune["id"])[0]
        session.add(
            Proposal(
                cycle_id=cycle_id,
                author_id=author.id,
                scope_id=election["commune_scope"],
                category_id=category.id,
                title="Un banc",
                description="Un banc public",
                beneficiaries=",everyone,",
                estimated_cost=5000,
                status="submitted",
                support_count=0,
                search_text=normalise("Un banc"),
                created_at_dt=author.created_at_dt,
                updated_at_dt=author.created_at_dt,
                submitted_at_dt=author.created_at_dt,
            )
        )
    cin, birth = election["residents"][0]
    page = submit(
        client,
        f"/cycles/{cycle_id}/vote",
        {"cin": cin, "birth_date": birth, "phone": "+212612345678"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Voting cannot open: 1 proposal still has no published answer" in page
