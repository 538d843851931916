"""Conversations: author names (never a phone), one level of replies, staff answers
marked, moderation of replies, and the author who cannot support their own
proposal."""

from sqlalchemy import select

from pbvote.accounts.models import User
from pbvote.extensions import db
from pbvote.proposals.models import Comment, Proposal, Support
from pbvote.reviews.bodies import ensure_bodies
from pbvote.reviews.models import AdvisoryBody, BodyMember, Review
from tests.factories import create_resident, create_staff
from tests.helpers import login_resident, login_staff, submit
from tests.proposals.factories import create_proposal, setup_cycle

AUTHOR = "+212612000001"
READER = "+212612345678"


def make(committed, commune, phase="proposals"):
    with committed():
        setup = setup_cycle(commune, phase=phase)
        author = create_resident(commune["id"], phone=AUTHOR)
        author.display_name = "Fatima Z."
        return create_proposal(setup, author.id).id


def comment_as(committed, proposal_id, author_phone, body, commune, parent_id=None):
    with committed():
        user = db.session.scalar(select(User.id).where(User.phone == author_phone))
        user = user or create_resident(commune["id"], phone=author_phone).id
        comment = Comment(
            proposal_id=proposal_id,
            author_id=user,
            parent_id=parent_id,
            body=body,
            created_at_dt=db.session.get(Proposal, proposal_id).created_at_dt,
        )
        db.session.add(comment)
        db.session.flush()
        return comment.id


def test_the_author_cannot_support_their_own_proposal(client, app, committed, commune):
    proposal_id = make(committed, commune)
    login_resident(client, app, phone=AUTHOR)
    url = f"/proposals/{proposal_id}"
    assert "you cannot support it yourself" in client.get(url).get_data(as_text=True)
    response = submit(client, f"{url}/support", {}, form_url=url, follow_redirects=True)
    assert "You cannot support your own proposal." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Support.id)) is None
        assert db.session.get(Proposal, proposal_id).support_count == 0


def test_support_count_is_recounted_from_residents(client, app, committed, commune):
    proposal_id = make(committed, commune)
    with committed():
        # A count gone wrong (e.g. edited by hand) is put right by the next support.
        db.session.get(Proposal, proposal_id).support_count = 7
    login_resident(client, app)
    url = f"/proposals/{proposal_id}"
    submit(client, f"{url}/support", {}, form_url=url)
    with app.app_context():
        assert db.session.get(Proposal, proposal_id).support_count == 1


def test_a_reply_shows_under_its_comment_with_names(client, app, committed, commune):
    proposal_id = make(committed, commune)
    first = comment_as(committed, proposal_id, "+212612000002", "Bonne idée", commune)
    login_resident(client, app, phone=AUTHOR)
    url = f"/proposals/{proposal_id}"
    response = submit(
        client,
        f"{url}/comments",
        {"body": "Merci, la rue est très sombre.", "parent_id": str(first)},
        form_url=url,
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Your comment is published." in page
    # The reply sits in the first comment's list of replies, under its author's
    # chosen name with the author's mark; no phone number is ever shown.
    thread = page[page.index(f'id="comment-{first}"') :]
    replies = thread[thread.index('class="replies"') :]
    assert "Merci, la rue est très sombre." in replies
    assert "Fatima Z." in replies and "Author of the proposal" in replies
    assert "A resident" in thread[: thread.index('class="replies"')]
    assert "+212612000002" not in page and "612000002" not in page
    with app.app_context():
        reply = db.session.scalar(select(Comment).where(Comment.parent_id == first))
        assert reply.author.phone == AUTHOR


def test_a_reply_to_a_reply_joins_the_same_thread(client, app, committed, commune):
    proposal_id = make(committed, commune)
    first = comment_as(committed, proposal_id, "+212612000002", "Bonne idée", commune)
    reply = comment_as(
        committed, proposal_id, "+212612000003", "Oui", commune, parent_id=first
    )
    login_resident(client, app)
    url = f"/proposals/{proposal_id}"
    submit(
        client,
        f"{url}/comments",
        {"body": "Moi aussi", "parent_id": str(reply)},
        form_url=url,
    )
    with app.app_context():
        made = db.session.scalar(select(Comment).where(Comment.body == "Moi aussi"))
        assert made.parent_id == first  # one level only


def test_a_hidden_comment_takes_no_reply(client, app, committed, commune):
    proposal_id = make(committed, commune)
    first = comment_as(committed, proposal_id, "+212612000002", "Insulte", commune)
    with committed():
        hidden = db.session.get(Comment, first)
        hidden.hidden_reason = "Propos injurieux"
        hidden.hidden_at_dt = hidden.created_at_dt
    login_resident(client, app)
    url = f"/proposals/{proposal_id}"
    response = submit(
        client,
        f"{url}/comments",
        {"body": "Réponse", "parent_id": str(first)},
        form_url=url,
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "This comment was hidden by a moderator: it cannot be answered." in text
    for bad in ("99999999999", "abc", "0", str(first + 1000)):
        response = submit(
            client,
            f"{url}/comments",
            {"body": "Réponse", "parent_id": bad},
            form_url=url,
        )
        assert response.status_code == 400, bad
        assert "The comment you answer no longer exists." in response.get_data(
            as_text=True
        )
    with app.app_context():
        assert (
            db.session.scalar(select(Comment).where(Comment.body == "Réponse")) is None
        )


def test_a_reviewer_answers_marked_as_the_reviewing_body(
    client, app, committed, commune
):
    proposal_id = make(committed, commune, phase="review")
    first = comment_as(committed, proposal_id, "+212612000002", "Quand ?", commune)
    with committed():
        ensure_bodies(commune["id"])
        reviewer, secret = create_staff(commune["id"], "youssef", ["reviewer"])
        body = db.session.scalar(
            select(AdvisoryBody).where(AdvisoryBody.key == "neighbourhoods")
        )
        body.members.append(BodyMember(user_id=reviewer.id))
        db.session.add(
            Review(
                proposal_id=proposal_id,
                body_id=body.id,
                assigned_at_dt=db.session.get(Proposal, proposal_id).created_at_dt,
            )
        )
        _, clerk_secret = create_staff(commune["id"], "karim", ["clerk"])
    url = f"/proposals/{proposal_id}"
    answer_url = f"/staff/proposals/{proposal_id}/answer"
    login_staff(client, "youssef", secret)
    response = submit(
        client,
        answer_url,
        {"body": "L'étude se termine en mai.", "parent_id": str(first)},
        form_url=url,
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    replies = page[page.index('class="replies"') :]
    assert "étude se termine en mai" in replies
    assert "Reviewing body" in replies and "staff-answer" in replies
    # Residents and staff without the role cannot use the staff route.
    resident = app.test_client()
    login_resident(resident, app)
    assert (
        submit(resident, answer_url, {"body": "x" * 5}, form_url=url).status_code == 403
    )
    clerk = app.test_client()
    login_staff(clerk, "karim", clerk_secret)
    assert submit(clerk, answer_url, {"body": "x" * 5}, form_url=url).status_code == 403


def test_a_reply_can_be_reported_and_hidden(client, app, committed, commune):
    proposal_id = make(committed, commune)
    first = comment_as(committed, proposal_id, "+212612000002", "Bonne idée", commune)
    reply = comment_as(
        committed,
        proposal_id,
        "+212612000003",
        "Réponse grossière",
        commune,
        parent_id=first,
    )
    with committed():
        _, secret = create_staff(commune["id"], "amina", ["admin"])
    login_resident(client, app)
    url = f"/proposals/{proposal_id}"
    flagged = submit(
        client, f"/comments/{reply}/flag", {}, form_url=url, follow_redirects=True
    )
    assert "a moderator will look at this comment" in flagged.get_data(as_text=True)
    staff = app.test_client()
    login_staff(staff, "amina", secret)
    assert "Réponse grossière" in staff.get("/staff/moderation").get_data(as_text=True)
    hidden = submit(staff, f"/staff/comments/{reply}/hide", {"reason": "Insultes"})
    assert hidden.status_code == 302
    page = app.test_client().get(url).get_data(as_text=True)
    assert "Réponse grossière" not in page
    assert "Comment hidden by the moderator. Reason: Insultes" in page
    assert "Bonne idée" in page
