"""Following and notifications: in the site with an unread count, by SMS once
(after commit, by a real RQ worker, even when the job runs twice), one SMS a day
then a daily digest, a weekly cap, and nothing for what is no longer followed."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from jobs.notifications import fan_out, send_digests
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.notifications.models import Follow, Notification
from pbvote.sms.models import SmsMessage
from tests.factories import create_resident
from tests.helpers import login_resident, outbox, run_jobs, submit
from tests.reviews.test_reviews import assign_all, feasible, review_id, seed

FOLLOWER = "+212612345678"


def follow(client, app, url):
    return submit(client, url, {"next": "/notifications"}, form_url="/notifications")


def publish_first(app, committed, commune, client):
    """Seed the review tests' cycle, have a resident follow the first proposal,
    record and publish its answer; returns the seed data."""
    from tests.helpers import login_staff

    data = seed(committed, commune)
    resident = app.test_client()
    login_resident(resident, app, phone=FOLLOWER)
    assert follow(resident, app, f"/follow/proposal/{data['first']}").status_code == 302
    assign_all(client, data)
    reviewer = app.test_client()
    login_staff(reviewer, "youssef", data["reviewer"])
    submit(reviewer, f"/staff/reviews/{review_id(app, data['first'])}", feasible())
    submit(client, f"/staff/cycles/{data['cycle_id']}/reviews/publish", {})
    return data, resident


def sms_to(app, phone):
    """The notification SMS sent to ``phone`` (not the sign-in codes)."""
    return [
        m for m in outbox(app) if m["to"] == phone and "your code is" not in m["body"]
    ]


def test_following_twice_is_one_follow(client, app, committed, commune):
    data = seed(committed, commune)
    login_resident(client, app)
    url = f"/follow/proposal/{data['first']}"
    assert follow(client, app, url).status_code == 302
    page = client.get(f"/proposals/{data['first']}").get_data(as_text=True)
    assert "You follow this" in page and "Stop following" in page
    again = submit(client, url, {}, form_url="/notifications", follow_redirects=True)
    assert "You follow it" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Follow.id))) == 1
    # Unknown targets and kinds are a plain 404 page, never an error.
    assert follow(client, app, "/follow/proposal/2147483647").status_code == 404
    assert follow(client, app, "/follow/petition/1").status_code == 404
    assert follow(client, app, "/follow/proposal/99999999999").status_code == 404


@pytest.mark.commits  # the worker reads what the request really committed
def test_a_follower_reads_the_answer_and_gets_one_sms(client, app, committed, commune):
    data, resident = publish_first(app, committed, commune, client)
    with app.app_context():  # nothing before the worker runs
        assert db.session.scalar(select(func.count(Notification.id))) == 0
    run_jobs(app)  # the fan-out job, then the SMS jobs it queued
    page = resident.get("/notifications").get_data(as_text=True)
    assert "Éclairage de la rue Rmel" in page and "has its answer: Feasible" in page
    assert "1 unread notification" in page
    assert 'class="badge count"' in resident.get("/").get_data(as_text=True)
    messages = sms_to(app, FOLLOWER)
    assert len(messages) == 1
    # In the resident's SMS language, Arabic by default.
    assert f"المقترح {data['first']} تلقى جوابه" in messages[0]["body"]
    # The same job run again (a retry, a duplicate) adds and sends nothing.
    with app.app_context():
        review = review_id(app, data["first"])
        fan_out(
            "review",
            ["proposal", data["first"]],
            f"review:{review}",
            {"proposal_id": data["first"], "title": "x", "decision": "feasible"},
            [["cycle", data["cycle_id"]]],
            [],
            False,
        )
    run_jobs(app)
    assert len(sms_to(app, FOLLOWER)) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(Notification.id))) == 2  # + author
    # The author reads it in the site; their own SMS comes from the review.
    submit(resident, "/notifications/read", {}, form_url="/notifications")
    assert "unread notification" not in resident.get("/notifications").get_data(
        as_text=True
    )


def test_a_second_event_waits_for_the_daily_digest(client, app, committed, commune):
    data, _ = publish_first(app, committed, commune, client)
    run_jobs(app)
    with app.app_context():
        fan_out(
            "staff_answer",
            ["proposal", data["first"]],
            "comment:900",
            {"proposal_id": data["first"], "title": "t"},
            [],
            [],
            True,
        )
        fan_out(
            "staff_answer",
            ["proposal", data["first"]],
            "comment:901",
            {"proposal_id": data["first"], "title": "t"},
            [],
            [],
            True,
        )
        states = db.session.scalars(
            select(Notification.sms_state).where(Notification.kind == "staff_answer")
        )
        assert sorted(states) == ["digest", "digest"]
        assert send_digests() == 1
        assert send_digests() == 0  # run twice: nothing more
    run_jobs(app)
    messages = sms_to(app, FOLLOWER)
    assert len(messages) == 2
    assert "2 تحديثان جديدان فيما تتابعه" in messages[-1]["body"]  # Arabic dual


def test_no_digest_for_what_the_resident_unfollowed(client, app, committed, commune):
    data, resident = publish_first(app, committed, commune, client)
    run_jobs(app)
    with app.app_context():
        fan_out(
            "staff_answer",
            ["proposal", data["first"]],
            "comment:900",
            {"proposal_id": data["first"], "title": "t"},
            [],
            [],
            True,
        )
    response = submit(
        resident,
        f"/unfollow/proposal/{data['first']}",
        {},
        form_url="/notifications",
        follow_redirects=True,
    )
    assert "You no longer follow it." in response.get_data(as_text=True)
    with app.app_context():
        assert send_digests() == 0
        assert (
            db.session.scalar(
                select(Notification.sms_state).where(
                    Notification.event_key == "comment:900"
                )
            )
            == "dropped"
        )
    run_jobs(app)
    assert len(sms_to(app, FOLLOWER)) == 1


def test_the_weekly_cap_stops_sms_not_the_page(client, app, committed, commune):
    data = seed(committed, commune)
    with committed():
        user = create_resident(commune["id"], phone=FOLLOWER)
        db.session.add(
            Follow(
                user_id=user.id,
                target_type="proposal",
                target_id=data["first"],
                created_at_dt=utcnow(),
            )
        )
        for days in (1, 2, 3):  # three notification SMS this week already
            db.session.add(
                SmsMessage(
                    to_phone=FOLLOWER,
                    purpose="notification",
                    status="sent",
                    created_at_dt=utcnow() - timedelta(days=days),
                )
            )
    with app.app_context():
        fan_out(
            "staff_answer",
            ["proposal", data["first"]],
            "comment:77",
            {"proposal_id": data["first"], "title": "Rue Rmel"},
            [],
            [],
            True,
        )
        assert db.session.scalar(select(Notification.sms_state)) == "capped"
    run_jobs(app)
    assert sms_to(app, FOLLOWER) == []
    login_resident(client, app, phone=FOLLOWER)
    # The title is isolated (U+2068 ... U+2069) inside the sentence.
    assert "The commune answered on “\u2068Rue Rmel\u2069”." in client.get(
        "/notifications"
    ).get_data(as_text=True)


def test_a_reply_tells_the_comment_author(client, app, committed, commune):
    data = seed(committed, commune, phase="proposals")
    writer = app.test_client()
    login_resident(writer, app, phone="+212612000002")
    url = f"/proposals/{data['first']}"
    submit(writer, f"{url}/comments", {"body": "Bonne idée"}, form_url=url)
    # The writer prefers no SMS, in French: the page still tells them.
    submit(
        writer,
        "/notifications/preferences",
        {"language": "fr"},
        form_url="/notifications",
    )
    login_resident(client, app)
    with app.app_context():
        from pbvote.proposals.models import Comment

        first = db.session.scalar(select(Comment.id))
    submit(
        client,
        f"{url}/comments",
        {"body": "D'accord", "parent_id": str(first)},
        form_url=url,
    )
    run_jobs(app)
    page = writer.get("/notifications").get_data(as_text=True)
    assert "Someone replied to your comment on" in page
    assert sms_to(app, "+212612000002") == []


def test_bad_preferences_get_a_clear_message(client, app, committed, commune):
    seed(committed, commune)
    login_resident(client, app)
    response = submit(
        client,
        "/notifications/preferences",
        {"language": "xx"},
        form_url="/notifications",
        follow_redirects=True,
    )
    assert "Choose Arabic or French for your SMS." in response.get_data(as_text=True)


def test_signals_tell_the_followers_of_a_project_and_a_cycle(
    client, app, committed, commune
):
    from pbvote.accountability.signals import execution_updated
    from pbvote.results.signals import results_published

    data = seed(committed, commune)
    with committed():
        user = create_resident(commune["id"], phone=FOLLOWER)
        for kind, target in (("project", 41), ("cycle", data["cycle_id"])):
            db.session.add(
                Follow(
                    user_id=user.id,
                    target_type=kind,
                    target_id=target,
                    created_at_dt=utcnow(),
                )
            )
    with committed():  # what accountability and results send once they commit
        execution_updated.send(41, update_id=7, now=utcnow())
        results_published.send(data["cycle_id"], now=utcnow())
    run_jobs(app)
    login_resident(client, app, phone=FOLLOWER)
    page = client.get("/notifications").get_data(as_text=True)
    assert "The works of a project you follow have news." in page
    assert "The results of a cycle you follow are published." in page
    assert len(sms_to(app, FOLLOWER)) == 1  # the second waits for the digest
