"""Residents' voice: follow, ask a public question answered by staff, rate a
completed project and say whether they would take part again."""

from sqlalchemy import select

from pbvote.accountability.models import ExecutionRecord, Follow, Rating
from tests.accountability.factories import execution_setup, resident
from tests.helpers import login_resident, login_staff, submit

PHONE = "+212612345678"


def test_follow_and_unfollow(app, client, committed, commune):
    setup = execution_setup(committed, commune)
    record_id = setup["record_ids"][0]
    page = client.get(f"/execution/{record_id}").get_data(as_text=True)
    assert "to follow this project" in page  # anonymous: invited to sign in
    anonymous = client.post(f"/execution/{record_id}/follow")
    assert anonymous.status_code in (302, 400)  # no token, no account: refused
    resident(committed, commune, PHONE)
    login_resident(client, app, PHONE)
    submit(
        client, f"/execution/{record_id}/follow", {}, form_url=f"/execution/{record_id}"
    )
    with committed() as session:
        assert session.scalars(select(Follow.sms_opt_in)).one() is False
    submit(
        client,
        f"/execution/{record_id}/follow",
        {"sms_opt_in": "y"},
        form_url=f"/execution/{record_id}",
    )
    with committed() as session:
        assert session.scalars(select(Follow.sms_opt_in)).one() is True
    submit(
        client,
        f"/execution/{record_id}/unfollow",
        {},
        form_url=f"/execution/{record_id}",
    )
    with committed() as session:
        assert session.scalars(select(Follow)).all() == []


def test_public_question_answered_by_staff(app, client, committed, commune):
    setup = execution_setup(committed, commune)
    record_id = setup["record_ids"][0]
    resident(committed, commune, PHONE)
    login_resident(client, app, PHONE)
    url = f"/execution/{record_id}"
    short = submit(client, f"{url}/questions", {"body": "Quand ?"}, form_url=url)
    assert short.status_code == 422 and "between 10 and 1000" in short.get_data(
        as_text=True
    )
    assert "Quand ?" in short.get_data(as_text=True)  # kept
    ok = submit(
        client,
        f"{url}/questions",
        {"body": "Quand la rue <b>Rmel</b> sera-t-elle goudronnée ?"},
        form_url=url,
    )
    assert ok.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "&lt;b&gt;Rmel&lt;/b&gt;" in page and "Awaiting an answer." in page
    staff = app.test_client()
    login_staff(staff, *setup["finance"])
    listing = staff.get("/staff/execution/questions").get_data(as_text=True)
    assert "goudronnée" in listing
    answer_url = "/staff/execution/questions/1/answer"
    empty = submit(staff, answer_url, {"answer": ""})
    assert empty.status_code == 422 and "Write the answer." in empty.get_data(
        as_text=True
    )
    assert (
        submit(
            staff,
            answer_url,
            {"answer": "En juin, après les pluies.", "service": "Service voirie"},
        ).status_code
        == 302
    )
    page = client.get(url).get_data(as_text=True)
    assert "En juin, après les pluies." in page and "Service voirie" in page
    clerk = app.test_client()
    login_staff(clerk, *setup["clerk"])
    assert clerk.get(answer_url).status_code == 403


def test_rating_only_once_completed(app, client, committed, commune):
    setup = execution_setup(committed, commune)
    record_id = setup["record_ids"][0]
    resident(committed, commune, PHONE)
    login_resident(client, app, PHONE)
    url = f"/execution/{record_id}"
    early = submit(
        client, f"{url}/rating", {"score": "4", "again": "yes"}, form_url=url
    )
    assert early.status_code == 422
    assert "once it is completed" in early.get_data(as_text=True)
    with committed() as session:
        session.get(ExecutionRecord, record_id).status_key = "completed"
        session.get(ExecutionRecord, record_id).progress = 100
    missing = submit(client, f"{url}/rating", {"score": "4"}, form_url=url)
    assert "Say whether you would take part again." in missing.get_data(as_text=True)
    bad = submit(client, f"{url}/rating", {"score": "9", "again": "yes"}, form_url=url)
    assert bad.status_code == 422
    assert (
        submit(
            client, f"{url}/rating", {"score": "4", "again": "yes"}, form_url=url
        ).status_code
        == 302
    )
    assert (
        submit(
            client, f"{url}/rating", {"score": "2", "again": "no"}, form_url=url
        ).status_code
        == 302
    )
    with committed() as session:
        rows = session.scalars(select(Rating)).all()
        assert [(r.score, r.take_part_again) for r in rows] == [(2, False)]


def test_staff_hide_an_abusive_question_with_a_public_reason(
    app, client, committed, commune
):
    setup = execution_setup(committed, commune)
    record_id = setup["record_ids"][0]
    resident(committed, commune, PHONE)
    login_resident(client, app, PHONE)
    url = f"/execution/{record_id}"
    submit(
        client,
        f"{url}/questions",
        {"body": "Appelez le 0612345678 pour acheter"},
        form_url=url,
    )
    staff = app.test_client()
    login_staff(staff, *setup["admin"])
    hide_url = "/staff/execution/questions/1/hide"
    assert "Hide a question?" in staff.get(hide_url).get_data(as_text=True)
    empty = submit(staff, hide_url, {"reason": ""})
    assert empty.status_code == 422
    assert "Say publicly why the question is hidden." in empty.get_data(as_text=True)
    assert submit(staff, hide_url, {"reason": "Publicité"}).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "0612345678" not in page
    assert "hidden by the moderators: Publicité" in page
