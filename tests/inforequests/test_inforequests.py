"""Information requests (Law 31-13): contact, deadlines in working days, one
extension, reasoned refusals, answers with documents, a register without
personal data."""

import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from pbvote.audit.models import AuditEntry
from pbvote.core.time import to_local_day, utcnow
from pbvote.core.workdays import add_working_days
from pbvote.extensions import db
from pbvote.holidays.services import holiday_days
from pbvote.inforequests import services
from pbvote.inforequests.models import InfoRequest
from tests.factories import create_staff
from tests.helpers import login_staff, outbox, run_jobs, submit

FORM = {
    "name": "Khadija Alaoui",
    "address": "12 rue Hassan II, Ouazzane",
    "cin": "gk 123456",
    "email": "khadija@example.org",
    "phone": "",
    "subject": "Le budget 2026 de l'éclairage public, par quartier.",
}


@pytest.fixture
def clerk(app, committed, commune):
    with committed():
        _user, secret = create_staff(commune["id"], "clerk", ["clerk"])
    staff = app.test_client()
    login_staff(staff, "clerk", secret)
    return staff


def _file(client, **changes) -> InfoRequest:
    response = submit(client, "/information/new", {**FORM, **changes})
    assert response.status_code == 302, response.get_data(as_text=True)
    number = response.location.rsplit("/", 1)[1]
    row = db.session.scalar(
        select(InfoRequest).where(InfoRequest.tracking_number == number)
    )
    return row


def test_anyone_files_and_gets_a_tracking_number_and_the_20_day_deadline(
    app, client, commune
):
    with app.app_context():
        item = _file(client)
        assert item.tracking_number.startswith("DI-")
        today = to_local_day(utcnow())
        assert item.due_on == add_working_days(today, 20, holiday_days())
    page = client.get(f"/information/requests/{item.tracking_number}")
    assert "Being prepared" in page.get_data(as_text=True)


def test_a_missing_contact_is_refused(app, client, commune):
    response = submit(client, "/information/new", {**FORM, "email": ""})
    assert response.status_code == 200
    assert "e-mail address or a mobile number" in response.get_data(as_text=True)
    bad = submit(client, "/information/new", {**FORM, "email": "", "phone": "12"})
    assert "Example: 06 12 34 56 78" in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(InfoRequest.id)) is None


def test_a_phone_gets_an_sms_receipt_after_commit(app, client, commune):
    with app.app_context():
        item = _file(client, email="", phone="06 12 34 56 77")
        number = item.tracking_number
    run_jobs(app, "sms")
    messages = [m for m in outbox(app) if m["to"] == "+212612345677"]
    assert len(messages) == 1 and number in messages[0]["body"]


def test_personal_data_is_sealed_and_never_public(app, client, commune, clerk):
    with app.app_context():
        item = _file(client, phone="0612345677")
        request_id, sealed = item.id, item.requester_enc
    assert b"Alaoui" not in sealed and b"GK123456" not in sealed
    public = [
        client.get("/information").get_data(as_text=True),
        client.get("/information.csv").get_data(as_text=True),
        json.dumps(client.get("/information.json").get_json(), ensure_ascii=False),
        json.dumps(client.get("/api/v1/information-requests").get_json()),
    ]
    for text in public:
        assert "éclairage public" in text or "\\u00e9clairage" in text
        for private in ("Alaoui", "GK123456", "khadija@", "612345677", "Hassan II"):
            assert private not in text
    staff_page = clerk.get(f"/staff/information/{request_id}").get_data(as_text=True)
    assert "Khadija Alaoui" in staff_page and "GK123456" in staff_page


def test_urgent_requests_get_3_working_days_around_a_holiday(app, commune):
    # Wednesday 29 July 2026; Thursday 30 is Throne Day.
    received = datetime(2026, 7, 29, 9, tzinfo=UTC)
    with app.app_context():
        requester = services.Requester("A", "B", "GK1", email="a@b.ma")
        urgent = services.file_request(
            commune["id"],
            requester,
            subject="x" * 20,
            urgent=True,
            channel="online",
            now=received,
        )
        assert urgent.due_on == date(2026, 8, 4)
        normal = services.file_request(
            commune["id"],
            requester,
            subject="x" * 20,
            urgent=False,
            channel="online",
            now=datetime(2026, 8, 7, 9, tzinfo=UTC),
        )
        # 14, 20, 21 August and the estimated Mawlid (25-26) are skipped.
        assert normal.due_on == date(2026, 9, 11)
        db.session.rollback()


def _staff_post(staff, request_id, step, data, **kwargs):
    url = f"/staff/information/{request_id}"
    return submit(staff, f"{url}/{step}", data, form_url=url, **kwargs)


def test_one_extension_with_a_reason_and_no_more(app, client, commune, clerk):
    with app.app_context():
        item = _file(client)
        request_id, due = item.id, item.due_on
    refused = _staff_post(clerk, request_id, "extend", {"extend-reason": " "})
    assert "reason for the extension" in refused.get_data(as_text=True)
    ok = _staff_post(clerk, request_id, "extend", {"extend-reason": "Archives"})
    assert ok.status_code == 302
    again = _staff_post(clerk, request_id, "extend", {"extend-reason": "Encore"})
    assert again.status_code == 400
    assert "no second extension" in again.get_data(as_text=True)
    with app.app_context():
        item = db.session.get(InfoRequest, request_id)
        assert item.due_on == add_working_days(due, 20, holiday_days())
        assert item.extension_reason == "Archives"


def test_a_refusal_needs_a_legal_ground_and_an_explanation(app, client, commune, clerk):
    with app.app_context():
        item = _file(client)
        request_id, number = item.id, item.tracking_number
    no_ground = _staff_post(
        clerk, request_id, "refuse", {"refuse-ground": "", "refuse-explanation": "x"}
    )
    assert "legal ground" in no_ground.get_data(as_text=True)
    no_words = _staff_post(
        clerk,
        request_id,
        "refuse",
        {"refuse-ground": "not_held", "refuse-explanation": ""},
    )
    assert "Explain the refusal" in no_words.get_data(as_text=True)
    done = _staff_post(
        clerk,
        request_id,
        "refuse",
        {"refuse-ground": "not_held", "refuse-explanation": "Détenu par l'État."},
    )
    assert done.status_code == 302
    page = client.get(f"/information/requests/{number}").get_data(as_text=True)
    assert "does not hold this information" in page and "Détenu par" in page
    with app.app_context():
        assert (
            "inforequest.refuse" in db.session.scalars(select(AuditEntry.action)).all()
        )


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_an_answer_with_a_document_is_public_with_its_delay(
    app, client, commune, clerk
):
    with app.app_context():
        item = _file(client)
        request_id, number = item.id, item.tracking_number
    empty = _staff_post(clerk, request_id, "answer", {"answer-answer": ""})
    assert "Write the answer or attach" in empty.get_data(as_text=True)
    fake = _staff_post(
        clerk,
        request_id,
        "answer",
        {"answer-answer": "x", "answer-documents": (io.BytesIO(b"MZ..."), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert "not a JPEG or PNG photo or a PDF" in fake.get_data(as_text=True)
    done = _staff_post(
        clerk,
        request_id,
        "answer",
        {
            "answer-answer": "Voici le budget.",
            "answer-documents": (io.BytesIO(PDF), "budget.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    page = client.get(f"/information/requests/{number}").get_data(as_text=True)
    assert "Voici le budget." in page and "0 working days" in page
    with app.app_context():
        doc_id = db.session.get(InfoRequest, request_id).documents[0].id
    document = client.get(f"/information/requests/{number}/documents/{doc_id}")
    assert document.data == PDF
    closed = _staff_post(clerk, request_id, "extend", {"extend-reason": "x"})
    assert "already closed" in closed.get_data(as_text=True)


def test_a_clerk_registers_a_paper_request(app, client, commune, clerk):
    response = submit(clerk, "/staff/information/new", {**FORM, "channel": "post"})
    assert response.status_code == 302
    with app.app_context():
        item = db.session.scalar(select(InfoRequest))
        assert item.channel == "post" and item.registered_by_id
        assert (
            "inforequest.register"
            in db.session.scalars(select(AuditEntry.action)).all()
        )


def test_late_requests_are_flagged(app, client, commune, clerk):
    with app.app_context():
        requester = services.Requester("A", "B", "GK1", email="a@b.ma")
        services.file_request(
            commune["id"],
            requester,
            subject="Ancienne demande",
            urgent=False,
            channel="online",
            now=utcnow() - timedelta(days=60),
        )
        db.session.commit()
    page = clerk.get("/staff/information?status=overdue").get_data(as_text=True)
    assert "Ancienne demande" in page and "late" in page
    assert "Late" in client.get("/information").get_data(as_text=True)


def test_nul_bytes_and_huge_ids_get_clear_answers(app, client, commune, clerk):
    response = submit(client, "/information/new", {**FORM, "subject": "a\x00" * 10})
    assert response.status_code == 400
    assert "a character that cannot be accepted" in response.get_data(as_text=True)
    assert client.get("/information/requests/DI%00X").status_code == 400
    assert client.get("/api/v1/information-requests/NOPE").status_code == 404
    assert clerk.get(f"/staff/information/{2**31}").status_code == 404


def test_one_connection_cannot_flood_the_register(app, client, commune, monkeypatch):
    monkeypatch.setitem(app.config, "INFO_REQUESTS_PER_DAY", 2)
    for _ in range(2):
        assert submit(client, "/information/new", FORM).status_code == 302
    third = submit(client, "/information/new", FORM)
    assert "Too many requests from this connection" in third.get_data(as_text=True)


def test_the_tracking_number_stays_left_to_right_in_arabic_sentences(
    app, client, commune
):
    """Codes inside Arabic sentences are isolated left to right (``ltr``), as phone
    numbers and receipts are: the number was the one code left bare."""
    with app.app_context():
        response = submit(client, "/information/new", FORM)
        number = response.location.rsplit("/", 1)[1]
    page = client.get(response.location).get_data(as_text=True)
    isolated = f'<bdi dir="ltr">{number}</bdi>'
    # once in the confirmation message, once in the heading
    assert page.count(isolated) == 2, page
