"""Complaints: filed by residents with an optional photo, routed, answered in
public, rated by their author; late ones flagged; no personal data published."""

import io
import json
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from pbvote.complaints import services
from pbvote.complaints.models import Complaint
from pbvote.core.time import to_local_day, utcnow
from pbvote.core.workdays import add_working_days
from pbvote.extensions import db
from pbvote.holidays.services import holiday_days
from tests.factories import create_resident, create_staff
from tests.helpers import login_resident, login_staff, outbox, run_jobs, submit

AUTHOR = "+212612345611"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def clerk(app, committed, commune):
    with committed():
        _user, secret = create_staff(commune["id"], "clerk", ["clerk"])
    staff = app.test_client()
    login_staff(staff, "clerk", secret)
    return staff


def _file(client, commune, **changes):
    data = {
        "category": "lighting",
        "district_id": str(commune["district_ids"][1]),
        "description": "Lampadaire en panne devant le numéro 12.",
        **changes,
    }
    return submit(client, "/complaints/new", data, content_type="multipart/form-data")


def _filed(client, app, commune, **changes) -> int:
    login_resident(client, app, AUTHOR)
    response = _file(client, commune, **changes)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.location.rsplit("/", 1)[1])


def test_a_resident_files_with_a_photo_seen_only_by_author_and_staff(
    app, client, commune, clerk
):
    complaint_id = _filed(client, app, commune, photo=(io.BytesIO(_png()), "panne.png"))
    with app.app_context():
        complaint = db.session.get(Complaint, complaint_id)
        today = to_local_day(utcnow())
        assert complaint.due_on == add_working_days(today, 10, holiday_days())
        assert complaint.photo_type == "image/png"
    url = f"/complaints/{complaint_id}/photo"
    assert client.get(url).status_code == 200
    assert clerk.get(url).status_code == 200
    assert app.test_client().get(url).status_code == 404
    public = app.test_client().get(f"/complaints/{complaint_id}").get_data(True)
    assert "Lampadaire en panne" in public and "/photo" not in public


def test_bad_complaints_are_refused_clearly(app, client, commune):
    login_resident(client, app, AUTHOR)
    no_district = _file(client, commune, district_id="0")
    assert "Choose the district" in no_district.get_data(as_text=True)
    no_category = _file(client, commune, category="")
    assert "Choose a category" in no_category.get_data(as_text=True)
    not_photo = _file(client, commune, photo=(io.BytesIO(b"%PDF-1.4 x"), "a.png"))
    assert "not a JPEG or PNG photo" in not_photo.get_data(as_text=True)
    nul = _file(client, commune, description="Panne\x00 de courant ici")
    assert nul.status_code == 400
    assert "a character that cannot be accepted" in nul.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Complaint.id)) is None


def test_anonymous_visitors_sign_in_to_complain(app, client, commune):
    response = client.get("/complaints/new")
    assert response.status_code == 302 and "/login" in response.location


def _staff(clerk, complaint_id, step, data):
    url = f"/staff/complaints/{complaint_id}"
    return submit(clerk, f"{url}/{step}", data, form_url=url)


def test_routed_answered_and_rated_by_its_author(app, client, commune, clerk):
    complaint_id = _filed(client, app, commune)
    bad = _staff(clerk, complaint_id, "route", {"route-service": "nasa"})
    assert bad.status_code == 400
    assert (
        _staff(clerk, complaint_id, "route", {"route-service": "works"}).status_code
        == 302
    )
    early = submit(
        client,
        f"/complaints/{complaint_id}/rate",
        {"rating": "5"},
        form_url=f"/complaints/{complaint_id}",
    )
    assert "after it is answered" in early.get_data(as_text=True)
    empty = _staff(clerk, complaint_id, "answer", {"answer-answer": " "})
    assert "Write the answer" in empty.get_data(as_text=True)
    done = _staff(clerk, complaint_id, "answer", {"answer-answer": "Réparé jeudi."})
    assert done.status_code == 302
    run_jobs(app, "sms")
    assert any(m["to"] == AUTHOR and "RC-" in m["body"] for m in outbox(app))

    other = app.test_client()
    login_resident(other, app, "+212612345612")
    stranger = submit(
        other,
        f"/complaints/{complaint_id}/rate",
        {"rating": "1"},
        form_url=f"/complaints/{complaint_id}",
    )
    assert "Only the person who filed" in stranger.get_data(as_text=True)
    rated = submit(
        client,
        f"/complaints/{complaint_id}/rate",
        {"rating": "4", "comment": "Merci"},
        form_url=f"/complaints/{complaint_id}",
    )
    assert rated.status_code == 302
    twice = submit(
        client,
        f"/complaints/{complaint_id}/rate",
        {"rating": "1"},
        form_url=f"/complaints/{complaint_id}",
    )
    assert twice.status_code == 400
    page = client.get("/complaints").get_data(as_text=True)
    assert "Closed" in page and "4/5" in page


def test_a_rating_out_of_range_is_refused(app, client, commune, clerk):
    complaint_id = _filed(client, app, commune)
    _staff(clerk, complaint_id, "answer", {"answer-answer": "Fait."})
    response = submit(
        client,
        f"/complaints/{complaint_id}/rate",
        {"rating": "9"},
        form_url=f"/complaints/{complaint_id}",
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Complaint, complaint_id).rating is None


def test_late_complaints_are_flagged(app, client, committed, commune, clerk):
    with committed():
        author = create_resident(commune["id"], AUTHOR)
        services.file_complaint(
            author,
            category="water",
            district_id=commune["district_ids"][0],
            description="Fuite ancienne",
            photo=None,
            now=utcnow() - timedelta(days=40),
        )
    assert "Late" in client.get("/complaints").get_data(as_text=True)
    late = clerk.get("/staff/complaints?status=overdue").get_data(as_text=True)
    assert "Water and sanitation" in late


def test_open_data_has_no_personal_data(app, client, commune, clerk):
    complaint_id = _filed(client, app, commune)
    _staff(clerk, complaint_id, "answer", {"answer-answer": "Fait."})
    submit(
        client,
        f"/complaints/{complaint_id}/rate",
        {"rating": "3", "comment": "commentaire privé"},
        form_url=f"/complaints/{complaint_id}",
    )
    anonymous = app.test_client()
    texts = [
        anonymous.get("/complaints.csv").get_data(as_text=True),
        json.dumps(anonymous.get("/complaints.json").get_json(), ensure_ascii=False),
        json.dumps(anonymous.get("/api/v1/complaints").get_json(), ensure_ascii=False),
    ]
    for text in texts:
        assert "Lampadaire en panne" in text and "Fait." in text
        assert "612345611" not in text and "commentaire privé" not in text


def test_huge_ids_are_not_found(app, client, commune, clerk):
    assert client.get(f"/complaints/{2**31}").status_code == 404
    assert clerk.get(f"/staff/complaints/{2**40}").status_code == 404


def test_a_resident_cannot_flood_complaints(app, client, commune, monkeypatch):
    monkeypatch.setitem(app.config, "COMPLAINTS_PER_DAY", 1)
    _filed(client, app, commune)
    second = _file(client, commune)
    assert "many complaints today" in second.get_data(as_text=True)


def test_the_complaint_number_stays_left_to_right_in_arabic_sentences(
    app, client, commune
):
    """Codes inside Arabic sentences are isolated left to right (``ltr``), as phone
    numbers and receipts are: the number was the one code left bare."""
    complaint_id = _filed(client, app, commune)
    with app.app_context():
        number = db.session.get(Complaint, complaint_id).tracking_number
    page = client.get(f"/complaints/{complaint_id}").get_data(as_text=True)
    # once in the confirmation message, once in the heading
    assert page.count(f'<bdi dir="ltr">{number}</bdi>') == 2, page
