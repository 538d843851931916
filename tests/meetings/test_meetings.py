"""Meetings through the HTTP client: announcing in Ouazzane time, registration with
a capacity and a waiting list (also under concurrent registrations), SMS, the
iCalendar feed, attendance that must add up, minutes and commitments."""

import threading
from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from sqlalchemy import select

from pbvote.audit.models import AuditEntry
from pbvote.core.time import zone_named
from pbvote.extensions import db
from pbvote.meetings.models import Meeting, Registration
from tests.factories import create_resident
from tests.helpers import (
    csrf_token,
    login_resident,
    login_staff,
    outbox,
    run_jobs,
    submit,
)
from tests.meetings.factories import create_meeting, setup_meetings

PHONES = [f"+2126120001{n:02d}" for n in range(10)]


def residents(committed, commune, count):
    with committed():
        for phone in PHONES[:count]:
            create_resident(commune["id"], phone=phone)


def resident_client(app, phone):
    client = app.test_client()
    login_resident(client, app, phone)
    return client


def register(client, meeting_id):
    url = f"/meetings/{meeting_id}/register"
    return submit(client, url, {}, form_url=f"/meetings/{meeting_id}")


def statuses(app, meeting_id):
    with app.app_context():
        rows = db.session.execute(
            select(Registration.user_id, Registration.status)
            .where(Registration.meeting_id == meeting_id)
            .order_by(Registration.id)
        )
        return [status for _user, status in rows]


def sms_moment(app, meeting_id):
    """How an SMS names a meeting: its start, short, in Arabic (one segment)."""
    from flask_babel import force_locale

    from pbvote.core.i18n import format_moment

    with app.test_request_context(), force_locale("ar_MA"):
        return format_moment(db.session.get(Meeting, meeting_id).starts_at_dt, "short")


MEETING_FORM = {
    "kind": "hearing",
    "title": "Audience publique: transport scolaire",
    "agenda": "Présentation puis questions",
    "starts_at": "2027-05-14T18:00",
    "ends_at": "2027-05-14T20:00",
    "place": "Maison des jeunes, Ouazzane",
    "step_free": "y",
    "sign_language": "y",
    "language": "ar_fr",
    "organiser": "Instance de l'accessibilité",
    "capacity": "40",
    "body_id": "",
}


def test_staff_announce_a_meeting_in_ouazzane_time(client, app, committed, commune):
    with committed():
        data = setup_meetings(commune)
    login_staff(client, "amina", data["secret"])
    response = submit(client, "/staff/meetings/new", MEETING_FORM)
    assert response.status_code == 302
    with app.app_context():
        meeting = db.session.scalar(
            select(Meeting).where(Meeting.title == MEETING_FORM["title"])
        )
        # 18:00 in Ouazzane in May is 17:00 UTC (UTC+1 outside Ramadan).
        assert meeting.starts_at_dt == datetime(2027, 5, 14, 17, 0, tzinfo=UTC)
        meeting_id = meeting.id
        assert db.session.scalar(
            select(AuditEntry.id).where(AuditEntry.action == "meeting.save")
        )
    page = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "6:00" in page and "step-free access" in page
    assert "sign language interpretation" in page


def test_meeting_ending_before_it_starts_is_refused_and_kept(
    client, app, committed, commune
):
    with committed():
        data = setup_meetings(commune)
    login_staff(client, "amina", data["secret"])
    form = MEETING_FORM | {"ends_at": "2027-05-14T17:00", "title": "Titre gardé"}
    response = submit(client, "/staff/meetings/new", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The meeting must end after it starts." in page
    assert "Titre gardé" in page
    form = MEETING_FORM | {"title": "A\x00B"}
    response = submit(client, "/staff/meetings/new", form)
    assert response.status_code == 400
    assert "a character that cannot be accepted" in response.get_data(as_text=True)


def test_full_meeting_puts_residents_on_a_waiting_list_then_promotes(
    app, committed, commune
):
    with committed():
        data = setup_meetings(commune, capacity=2)
    residents(committed, commune, 3)
    meeting_id = data["meeting_id"]
    clients = [resident_client(app, phone) for phone in PHONES[:3]]
    for c in clients:
        assert register(c, meeting_id).status_code == 302
    assert statuses(app, meeting_id) == ["confirmed", "confirmed", "waiting"]
    page = clients[2].get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "number 1 on the waiting list" in page

    cancel = submit(
        clients[0],
        f"/meetings/{meeting_id}/cancel",
        {},
        form_url=f"/meetings/{meeting_id}",
    )
    assert cancel.status_code == 302
    assert statuses(app, meeting_id) == ["cancelled", "confirmed", "confirmed"]
    run_jobs(app, "sms")
    # The SMS names the meeting by its start (one segment: no title).
    told = [m["body"] for m in outbox(app) if m["to"] == PHONES[2]]
    assert sum(sms_moment(app, meeting_id) in body for body in told) == 1


def test_second_registration_by_the_same_resident_is_refused(app, committed, commune):
    with committed():
        data = setup_meetings(commune, capacity=5)
    residents(committed, commune, 1)
    client = resident_client(app, PHONES[0])
    register(client, data["meeting_id"])
    response = register(client, data["meeting_id"])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You are already registered for this meeting." in page
    assert statuses(app, data["meeting_id"]) == ["confirmed"]


def test_concurrent_registrations_never_exceed_capacity(app, committed, commune):
    with committed():
        data = setup_meetings(commune, capacity=3)
    residents(committed, commune, 8)
    meeting_id = data["meeting_id"]
    clients = [resident_client(app, phone) for phone in PHONES[:8]]
    tokens = [csrf_token(c, f"/meetings/{meeting_id}") for c in clients]
    barrier = threading.Barrier(len(clients))
    codes = []

    def go(client, token):
        barrier.wait()
        response = client.post(
            f"/meetings/{meeting_id}/register", data={"csrf_token": token}
        )
        codes.append(response.status_code)

    threads = [threading.Thread(target=go, args=pair) for pair in zip(clients, tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [302] * 8
    result = statuses(app, meeting_id)
    assert result.count("confirmed") == 3 and result.count("waiting") == 5


def test_registration_closes_when_the_meeting_starts(app, committed, commune):
    with committed():
        data = setup_meetings(commune, starts_in=timedelta(hours=-1))
    residents(committed, commune, 1)
    client = resident_client(app, PHONES[0])
    response = register(client, data["meeting_id"])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Registration for this meeting is closed." in page
    assert statuses(app, data["meeting_id"]) == []


def test_signed_out_visitor_is_asked_to_sign_in(client, committed, commune):
    with committed():
        data = setup_meetings(commune)
    page = client.get(f"/meetings/{data['meeting_id']}").get_data(as_text=True)
    assert f"/login?next=/meetings/{data['meeting_id']}" in page
    url = f"/meetings/{data['meeting_id']}/register"
    response = submit(client, url, {}, form_url="/login")  # a crafted POST
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_reminders_go_once_to_confirmed_residents(app, runner, committed, commune):
    with committed():
        data = setup_meetings(commune, starts_in=timedelta(hours=20), capacity=1)
    residents(committed, commune, 2)
    for phone in PHONES[:2]:
        register(resident_client(app, phone), data["meeting_id"])
    run_jobs(app, "sms")
    before = len(outbox(app))
    result = runner.invoke(args=["meetings", "remind"])
    assert "1 meetings to remind" in result.output
    run_jobs(app)
    sent = outbox(app)[before:]
    assert [m["to"] for m in sent] == [PHONES[0]]  # not the waiting resident
    assert sms_moment(app, data["meeting_id"]) in sent[0]["body"]
    # A second cron run finds the meeting reminded and sends nothing.
    assert "0 meetings to remind" in runner.invoke(args=["meetings", "remind"]).output
    run_jobs(app)
    assert len(outbox(app)) == before + 1


def test_icalendar_feed_parses_back(client, committed, commune):
    with committed():
        data = setup_meetings(commune, title="Audience « budget » 2027")
        create_meeting(commune["id"], starts_in=timedelta(days=-10), title="Passée")
    response = client.get("/meetings.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    events = list(calendar.walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == ["Audience « budget » 2027"]
    event = events[0]
    assert f"/meetings/{data['meeting_id']}" in str(event["url"])
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert end - start == timedelta(hours=2)
    assert str(event["location"]) == "Salle du conseil communal"


ATTENDANCE = {
    "action": "attendance",
    "att-total": "30",
    "att-women": "17",
    "att-men": "13",
    "att-under_18": "2",
    "att-from_18_to_35": "12",
    "att-from_36_to_60": "10",
    "att-over_60": "6",
    "att-with_disability": "3",
}


def test_attendance_that_does_not_add_up_is_refused(client, app, committed, commune):
    with committed():
        data = setup_meetings(commune, starts_in=timedelta(days=-1))
    login_staff(client, "amina", data["secret"])
    url = f"/staff/meetings/{data['meeting_id']}"
    response = submit(client, url, ATTENDANCE | {"att-men": "12"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Women and men add up to 29, not the 30 people present." in page
    response = submit(client, url, ATTENDANCE | {"att-over_60": "7"})
    assert "The age bands add up to 31" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Meeting, data["meeting_id"]).attended_total is None
    assert submit(client, url, ATTENDANCE).status_code == 302
    page = client.get(f"/meetings/{data['meeting_id']}").get_data(as_text=True)
    assert "30 people: 17 women and 13 men; 3 with a disability." in page


def test_minutes_and_commitments_are_followed_in_public(
    client, app, committed, commune
):
    with committed():
        data = setup_meetings(commune, starts_in=timedelta(days=-1))
    login_staff(client, "amina", data["secret"])
    url = f"/staff/meetings/{data['meeting_id']}"
    submit(client, url, {"action": "minutes", "min-minutes": "Procès-verbal: 3 points"})
    submit(
        client,
        url,
        {
            "action": "commitment",
            "com-text": "Installer une rampe à la maison des jeunes",
            "com-responsible": "Service technique",
            "com-due_on": "2027-09-30",
        },
    )
    with app.app_context():
        commitment_id = db.session.get(Meeting, data["meeting_id"]).commitments[0].id
    response = submit(
        client,
        f"/staff/meetings/commitments/{commitment_id}",
        {"upd-status": "in_progress", "upd-note": "Devis signé"},
        form_url=url,
    )
    assert response.status_code == 302
    page = client.get(f"/meetings/{data['meeting_id']}").get_data(as_text=True)
    assert "Procès-verbal: 3 points" in page
    assert "Installer une rampe à la maison des jeunes" in page
    assert "In progress" in page and "Devis signé" in page


def test_body_page_lists_its_meetings(client, committed, commune):
    with committed():
        data = setup_meetings(commune, title="Réunion du conseil")
    page = client.get(f"/bodies/{data['body_id']}").get_data(as_text=True)
    assert "Réunion du conseil" in page


def test_huge_ids_are_not_found(app, client, committed, commune):
    with committed():
        setup_meetings(commune)
    residents(committed, commune, 1)
    assert client.get(f"/meetings/{2**31}").status_code == 404
    resident = resident_client(app, PHONES[0])
    token = csrf_token(resident, "/meetings")
    response = resident.post(f"/meetings/{2**40}/register", data={"csrf_token": token})
    assert response.status_code == 404


def test_staff_pages_need_an_organiser(app, committed, commune):
    with committed():
        data = setup_meetings(commune)
    residents(committed, commune, 1)
    resident = resident_client(app, PHONES[0])
    assert resident.get("/staff/meetings").status_code == 403
    assert resident.get(f"/staff/meetings/{data['meeting_id']}").status_code == 403


def test_raising_the_capacity_promotes_those_waiting(client, app, committed, commune):
    with committed():
        data = setup_meetings(commune, capacity=1)
    residents(committed, commune, 2)
    for phone in PHONES[:2]:
        register(resident_client(app, phone), data["meeting_id"])
    assert statuses(app, data["meeting_id"]) == ["confirmed", "waiting"]
    login_staff(client, "amina", data["secret"])
    url = f"/staff/meetings/{data['meeting_id']}/edit"
    form = client.get(url).get_data(as_text=True)
    assert "Audience publique sur l&#39;éclairage" in form
    with app.app_context():
        meeting = db.session.get(Meeting, data["meeting_id"])
        local = meeting.starts_at_dt.astimezone(zone_named(None))
    fields = MEETING_FORM | {
        "title": "Audience publique sur l'éclairage",
        "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (local + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "2",
    }
    assert submit(client, url, fields).status_code == 302
    assert statuses(app, data["meeting_id"]) == ["confirmed", "confirmed"]


def test_cancelling_a_meeting_tells_those_registered(client, app, committed, commune):
    with committed():
        data = setup_meetings(commune, capacity=1)
    residents(committed, commune, 3)
    for phone in PHONES[:2]:
        register(resident_client(app, phone), data["meeting_id"])
    run_jobs(app, "sms")
    before = len(outbox(app))
    login_staff(client, "amina", data["secret"])
    url = f"/staff/meetings/{data['meeting_id']}/cancel"
    form_url = f"/staff/meetings/{data['meeting_id']}"
    assert submit(client, url, {}, form_url=form_url).status_code == 302
    submit(client, url, {}, form_url=form_url)  # a second click tells nobody twice
    run_jobs(app, "sms")
    told = sorted(m["to"] for m in outbox(app)[before:])
    assert told == PHONES[:2]  # the confirmed and the waiting resident
    page = client.get(f"/meetings/{data['meeting_id']}").get_data(as_text=True)
    assert "This meeting is cancelled." in page


def test_a_meeting_shows_its_start_and_end_alike_without_seconds(
    client, app, committed, commune
):
    """The page read "Dec 6, 2026, 6:00:00 PM – 12/6/26, 8:00 PM": two formats,
    and seconds nobody needs to come to a meeting."""
    with committed():
        data = setup_meetings(commune)
    login_staff(client, "amina", data["secret"])
    assert submit(client, "/staff/meetings/new", MEETING_FORM).status_code == 302
    with app.app_context():
        meeting_id = db.session.scalar(
            select(Meeting.id).where(Meeting.title == MEETING_FORM["title"])
        )
    page = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "5/14/27, 6:00\u202fPM – 5/14/27, 8:00\u202fPM" in page
    assert "6:00:00" not in page
    listing = client.get("/meetings").get_data(as_text=True)
    assert "5/14/27, 6:00\u202fPM" in listing and "6:00:00" not in listing
