"""The documented limits on residents: 10 drafts, 10 comments an hour, and no
reporting of one's own comment."""

from datetime import timedelta

from sqlalchemy import func, select

from pbvote.extensions import db
from pbvote.proposals.models import Comment, CommentFlag, Proposal
from tests.factories import create_resident
from tests.helpers import login_resident, submit
from tests.proposals.factories import create_proposal, setup_cycle
from tests.proposals.test_proposal_submission import PHONE, form_data, new_url


def _drafts(committed, commune, count: int) -> dict:
    with committed():
        setup = setup_cycle(commune)
        author = create_resident(commune["id"], phone=PHONE)
        for number in range(count):
            create_proposal(
                setup, author.id, title=f"Brouillon {number}", status="draft"
            )
        return setup


def _count(app, **where) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(Proposal).filter_by(**where)
        )


def test_an_eleventh_draft_is_refused_and_kept_on_screen(
    client, app, committed, commune
):
    setup = _drafts(committed, commune, 10)
    login_resident(client, app, PHONE)
    draft = form_data(setup, title="Onzième brouillon", submit=None, save_draft="1")
    response = submit(client, new_url(setup), draft)
    text = response.get_data(as_text=True)
    assert "You have 10 drafts already: finish or withdraw one first." in text
    assert 'value="Onzième brouillon"' in text
    assert _count(app, status="draft") == 10


def test_the_tenth_draft_is_accepted(client, app, committed, commune):
    setup = _drafts(committed, commune, 9)
    login_resident(client, app, PHONE)
    draft = form_data(setup, title="Dixième brouillon", submit=None, save_draft="1")
    assert submit(client, new_url(setup), draft).status_code == 302
    assert _count(app, status="draft") == 10


def _public_proposal(committed, commune) -> int:
    """A submitted (public) proposal by another resident; returns its id."""
    with committed():
        setup = setup_cycle(commune)
        author = create_resident(commune["id"], phone="+212612000001")
        proposal_id = create_proposal(setup, author.id).id
    return proposal_id


def test_an_eleventh_comment_within_the_hour_is_refused(
    client, app, committed, commune
):
    proposal_id = _public_proposal(committed, commune)
    login_resident(client, app, PHONE)
    url = f"/proposals/{proposal_id}"
    for number in range(10):
        sent = submit(
            client, f"{url}/comments", {"body": f"Avis {number}"}, form_url=url
        )
        assert sent.status_code == 302, number
    refused = submit(client, f"{url}/comments", {"body": "Avis 10"}, form_url=url)
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "You have written many comments in the last hour." in text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 10


def test_comments_are_accepted_again_once_the_hour_has_passed(app, committed, commune):
    from pbvote.accounts.models import User
    from pbvote.core.time import utcnow
    from pbvote.proposals.conversations import add_comment

    proposal_id = _public_proposal(committed, commune)
    with committed():
        resident = create_resident(commune["id"], phone=PHONE)
        proposal = db.session.get(Proposal, proposal_id)
        start = utcnow()
        for number in range(10):
            add_comment(resident, proposal, f"Avis {number}", start)
    with committed():
        resident = db.session.scalar(select(User).filter_by(phone=PHONE))
        proposal = db.session.get(Proposal, proposal_id)
        later = start + timedelta(hours=1, seconds=1)
        assert add_comment(resident, proposal, "Avis 10", later).body == "Avis 10"


def test_a_resident_cannot_report_their_own_comment(client, app, committed, commune):
    proposal_id = _public_proposal(committed, commune)
    login_resident(client, app, PHONE)
    url = f"/proposals/{proposal_id}"
    submit(client, f"{url}/comments", {"body": "Mon propre avis"}, form_url=url)
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id))
    response = submit(
        client, f"/comments/{comment_id}/flag", {}, form_url=url, follow_redirects=True
    )
    assert "You cannot report your own comment." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CommentFlag)) == 0
        assert db.session.get(Comment, comment_id).flag_count == 0
