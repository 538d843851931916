"""Supports once per resident; comments, reports, and moderation with a visible
reason."""

from sqlalchemy import select

from pbvote.audit.models import AuditEntry
from pbvote.extensions import db
from pbvote.proposals.models import Comment, Proposal
from tests.factories import create_resident, create_staff
from tests.helpers import login_resident, login_staff, submit
from tests.proposals.factories import create_proposal, setup_cycle


def make(committed, commune, phase="proposals"):
    with committed():
        setup = setup_cycle(commune, phase=phase)
        author = create_resident(commune["id"], phone="+212612000001")
        return setup, create_proposal(setup, author.id).id


def test_a_resident_supports_once(client, app, committed, commune):
    _, proposal_id = make(committed, commune)
    login_resident(client, app)
    url = f"/proposals/{proposal_id}"
    response = submit(client, f"{url}/support", {}, form_url=url, follow_redirects=True)
    assert "your support is counted" in response.get_data(as_text=True)
    again = client.post(
        f"{url}/support",
        data={"csrf_token": _token(client, url)},
        follow_redirects=True,
    )
    assert "You already support this proposal" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Proposal, proposal_id).support_count == 1


def _token(client, url):
    from tests.helpers import csrf_token

    return csrf_token(client, url)


def test_supports_close_with_the_review_phase(client, app, committed, commune):
    _, proposal_id = make(committed, commune, phase="voting")
    login_resident(client, app)
    url = f"/proposals/{proposal_id}"
    response = submit(client, f"{url}/support", {}, form_url=url, follow_redirects=True)
    assert "Supports are collected during the proposals and review phases only." in (
        response.get_data(as_text=True)
    )


def test_signed_out_visitor_cannot_support(client, committed, commune):
    _, proposal_id = make(committed, commune)
    url = f"/proposals/{proposal_id}"
    response = submit(client, f"{url}/support", {}, form_url="/login")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_comment_is_plain_text(client, app, committed, commune):
    _, proposal_id = make(committed, commune)
    login_resident(client, app)
    url = f"/proposals/{proposal_id}"
    response = submit(
        client,
        f"{url}/comments",
        {"body": "Très bonne idée <script>alert(1)</script>"},
        form_url=url,
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert "Très bonne idée &lt;script&gt;" in text and "<script>alert" not in text
    empty = submit(client, f"{url}/comments", {"body": "   "}, form_url=url)
    assert empty.status_code == 400
    assert "Write your comment first." in empty.get_data(as_text=True)
    long = submit(client, f"{url}/comments", {"body": "é" * 2001}, form_url=url)
    assert "At most 2000 characters." in long.get_data(as_text=True)


def test_reported_comment_is_hidden_with_a_visible_reason(
    client, app, committed, commune
):
    _, proposal_id = make(committed, commune)
    with committed():
        writer = create_resident(commune["id"], phone="+212612000009")
        comment = Comment(
            proposal_id=proposal_id,
            author_id=writer.id,
            body="Insulte grossière",
            created_at_dt=writer.created_at_dt,
        )
        db.session.add(comment)
        db.session.flush()
        comment_id = comment.id
        _, secret = create_staff(commune["id"], "amina", ["admin"])
    login_resident(client, app)
    url = f"/proposals/{proposal_id}"
    response = submit(
        client, f"/comments/{comment_id}/flag", {}, form_url=url, follow_redirects=True
    )
    assert "a moderator will look at this comment" in response.get_data(as_text=True)
    again = submit(
        client, f"/comments/{comment_id}/flag", {}, form_url=url, follow_redirects=True
    )
    assert "You already reported this comment" in again.get_data(as_text=True)

    staff = app.test_client()
    assert staff.get("/staff/moderation").status_code == 302  # sign-in first
    assert client.get("/staff/moderation").status_code == 403  # residents never
    login_staff(staff, "amina", secret)
    queue = staff.get("/staff/moderation").get_data(as_text=True)
    assert "Insulte grossière" in queue
    hide_url = f"/staff/comments/{comment_id}/hide"
    refused = submit(staff, hide_url, {"reason": ""})
    assert "Give the reason readers will see." in refused.get_data(as_text=True)
    assert submit(staff, hide_url, {"reason": "Propos injurieux"}).status_code == 302
    page = app.test_client().get(url).get_data(as_text=True)
    assert "Insulte grossière" not in page
    assert "Comment hidden by the moderator. Reason: Propos injurieux" in page
    assert "Insulte grossière" not in staff.get("/staff/moderation").get_data(
        as_text=True
    )
    with app.app_context():
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "comment.hide")
        )
        assert entry.actor_name == "amina" and entry.target_id == str(comment_id)


def test_moderator_keeps_a_comment(client, app, committed, commune):
    _, proposal_id = make(committed, commune)
    with committed():
        writer = create_resident(commune["id"], phone="+212612000009")
        comment = Comment(
            proposal_id=proposal_id,
            author_id=writer.id,
            flag_count=1,
            body="Critique honnête",
            created_at_dt=writer.created_at_dt,
        )
        db.session.add(comment)
        db.session.flush()
        comment_id = comment.id
        _, secret = create_staff(commune["id"], "amina", ["admin"])
    login_staff(client, "amina", secret)
    assert (
        submit(
            client,
            f"/staff/comments/{comment_id}/keep",
            {},
            form_url="/staff/moderation",
        ).status_code
        == 302
    )
    assert "Critique honnête" not in client.get("/staff/moderation").get_data(
        as_text=True
    )
    assert "Critique honnête" in client.get(f"/proposals/{proposal_id}").get_data(
        as_text=True
    )
