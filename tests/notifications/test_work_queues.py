"""The staff home's work queues: per role, what waits, with links; recorded
answers published one by one or all at once."""

import re

from sqlalchemy import select

from pbvote.extensions import db
from pbvote.proposals.models import Comment
from pbvote.reviews.models import Review
from tests.factories import create_resident, create_staff
from tests.helpers import login_staff, submit
from tests.reviews.test_reviews import assign_all, feasible, review_id, seed


def count_of(page: str, key: str) -> int:
    block = page[page.index(f'id="queue-{key}"') :]
    return int(re.search(r'<span class="badge[^"]*">(\d+)</span>', block).group(1))


def test_a_reviewer_sees_what_to_review_and_by_when(client, app, committed, commune):
    data = seed(committed, commune)
    assign_all(client, data)  # the admin assigns the three proposals by rule
    reviewer = app.test_client()
    login_staff(reviewer, "youssef", data["reviewer"])
    page = reviewer.get("/staff/").get_data(as_text=True)
    assert count_of(page, "to_review") == 2  # the sports one goes to another body
    assert "Éclairage de la rue Rmel" in page and "answer by" in page
    # A reviewer has no publishing, moderation or execution queue.
    for key in ("to_publish", "reported", "questions", "overdue"):
        assert f'id="queue-{key}"' not in page
    submit(reviewer, f"/staff/reviews/{review_id(app, data['first'])}", feasible())
    assert count_of(reviewer.get("/staff/").get_data(as_text=True), "to_review") == 1


def test_an_admin_publishes_answers_one_by_one(client, app, committed, commune):
    data = seed(committed, commune)
    assign_all(client, data)
    reviewer = app.test_client()
    login_staff(reviewer, "youssef", data["reviewer"])
    for key in ("first", "second"):
        submit(reviewer, f"/staff/reviews/{review_id(app, data[key])}", feasible())
    with committed():
        writer = create_resident(commune["id"], phone="+212612000009")
        db.session.add(
            Comment(
                proposal_id=data["first"],
                author_id=writer.id,
                body="Signalé",
                flag_count=2,
                created_at_dt=writer.created_at_dt,
            )
        )
    page = client.get("/staff/").get_data(as_text=True)
    assert count_of(page, "to_publish") == 2 and count_of(page, "reported") == 1
    assert "Publish all recorded answers of the cycle" in page
    first = review_id(app, data["first"])
    response = submit(
        client,
        f"/staff/reviews/{first}/publish",
        {},
        form_url="/staff/",
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert "Answer published; its author is told by SMS." in text
    assert count_of(text, "to_publish") == 1
    with app.app_context():
        published = db.session.scalars(
            select(Review.proposal_id).where(Review.published_at_dt.is_not(None))
        )
        assert list(published) == [data["first"]]
    # Publishing it again is refused with a clear message, not an error page.
    again = submit(
        client,
        f"/staff/reviews/{first}/publish",
        {},
        form_url="/staff/",
        follow_redirects=True,
    )
    assert "No recorded answer is waiting to be published." in again.get_data(
        as_text=True
    )


def test_finance_sees_questions_and_overdue_records(client, app, committed, commune):
    with committed():
        _, secret = create_staff(commune["id"], "salma", ["finance"])
    login_staff(client, "salma", secret)
    page = client.get("/staff/").get_data(as_text=True)
    assert count_of(page, "questions") == 0 and count_of(page, "overdue") == 0
    assert 'id="queue-to_review"' not in page
