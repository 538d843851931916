"""The issue's "done when", on the demo as seeded for a first run (SQLite, jobs
in-process): the first demo resident follows a proposal and reads its answer in
the notifications page and in one SMS, replies to a comment, finds the proposal on
the map; the reviewer sees their queue on the staff home."""

import json
import re

import flask_migrate
import pytest
from sqlalchemy import select

from pbvote.demo import DEMO_PASSWORD
from pbvote.extensions import db
from pbvote.proposals.models import Comment
from tests.conftest import test_config
from tests.helpers import submit, totp_code

pytestmark = pytest.mark.sqlite
PHONE = "+212612345601"


def sign_in(client, app):
    submit(client, "/login", {"phone": "0612345601"})
    code = re.search(r"\b(\d{6})\b", outbox(app)[-1]["body"]).group(1)
    assert submit(client, "/login/code", {"code": code}).status_code == 302


def outbox(app) -> list[dict]:
    with open(app.config["SMS_OUTBOX"], encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def mails(app) -> list[dict]:
    with open(app.config["EMAIL_OUTBOX"], encoding="utf-8") as handle:
        found = [json.loads(line) for line in handle if line.strip()]
    return [m for m in found if m["to"] == "resident1@example.ma"]


def test_demo_story(tmp_path_factory, tmp_path):
    from pbvote import create_app
    from pbvote.demo import seed_demo

    app = create_app(
        test_config(
            tmp_path_factory,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'demo.db'}",
            REDIS_URL=None,
        )
    )
    with app.app_context():
        flask_migrate.upgrade()
        lines = seed_demo()
        comment_id = db.session.scalar(
            select(Comment.id).where(Comment.parent_id.is_(None)).order_by(Comment.id)
        )
        commented = db.session.get(Comment, comment_id).proposal_id
    followed = int(re.search(r"follows proposal no\. (\d+)", "\n".join(lines))[1])
    answers = [
        m
        for m in outbox(app)
        if m["to"] == PHONE and f"المقترح {followed} " in m["body"]  # Arabic SMS
    ]
    assert len(answers) == 1  # one SMS for the answer
    # By e-mail: one the same day (the resident's own proposal's answer came
    # first), the followed one in the daily digest.
    assert len(mails(app)) == 1
    assert "/notifications/email/unsubscribe/" in mails(app)[0]["body"]
    with app.app_context():
        from jobs.notifications import send_digests

        send_digests()
    digest = mails(app)[-1]
    assert len(mails(app)) == 2 and f"/proposals/{followed}" in digest["body"]
    client = app.test_client()
    sign_in(client, app)
    page = client.get("/notifications").get_data(as_text=True)
    assert "has its answer" in page and f"/proposals/{followed}" in page
    proposal = client.get(f"/proposals/{followed}").get_data(as_text=True)
    assert "You follow this" in proposal
    cycle_id = int(re.search(r"/cycles/(\d+)/proposals", proposal)[1])
    assert f"/proposals/{followed}" in client.get(
        f"/cycles/{cycle_id}/proposals/map"
    ).get_data(as_text=True)
    url = f"/proposals/{commented}"
    reply = submit(
        client,
        f"{url}/comments",
        {"body": "شكرا على التوضيح", "parent_id": str(comment_id)},
        form_url=url,
        follow_redirects=True,
    ).get_data(as_text=True)
    thread = reply[reply.index(f'id="comment-{comment_id}"') :]
    replies = thread[thread.index('class="replies"') :]
    assert "شكرا على التوضيح" in replies
    assert "Reviewing body" in replies  # the reviewer's answer, marked
    reviewer_line = next(line for line in lines if line.strip().startswith("reviewer"))
    totp = re.search(r"TOTP secret=(\w+)", reviewer_line)[1]
    staff = app.test_client()
    submit(staff, "/staff/login", {"username": "reviewer", "password": DEMO_PASSWORD})
    submit(staff, "/staff/login/code", {"code": totp_code(totp)})
    home = staff.get("/staff/").get_data(as_text=True)
    assert 'id="queue-to_review"' in home and "Proposals to review" in home
