"""Advisory bodies in public: mandate, members without contact details, published
opinions and reviews; staff publish opinions (admins only, audited)."""

from sqlalchemy import select

from pbvote.audit.models import AuditEntry
from pbvote.bodies.models import BodyOpinion
from pbvote.extensions import db
from pbvote.reviews.bodies import ensure_bodies
from pbvote.reviews.models import AdvisoryBody, BodyMember
from tests.factories import create_staff
from tests.helpers import login_staff, submit

MEMBER_PHONE = "+212612000055"


def seed(committed, commune):
    with committed():
        ensure_bodies(commune["id"])
        _admin, secret = create_staff(commune["id"], "amina", ["admin"])
        reviewer, _ = create_staff(commune["id"], "youssef", ["reviewer"])
        body = db.session.scalar(
            select(AdvisoryBody).where(AdvisoryBody.key == "youth")
        )
        body.members.append(
            BodyMember(user_id=reviewer.id, resident_phone=MEMBER_PHONE)
        )
        db.session.flush()
        return {"body_id": body.id, "secret": secret}


def test_body_page_shows_mandate_and_members_but_no_contact(client, committed, commune):
    data = seed(committed, commune)
    page = client.get(f"/bodies/{data['body_id']}").get_data(as_text=True)
    assert "Conseil des jeunes" in page
    assert "Associer les jeunes aux affaires locales" in page
    assert "Youssef" in page
    assert MEMBER_PHONE not in page and "612000055" not in page
    listing = client.get("/bodies").get_data(as_text=True)
    assert f"/bodies/{data['body_id']}" in listing


def test_admin_publishes_an_opinion_shown_on_the_page(client, app, committed, commune):
    data = seed(committed, commune)
    login_staff(client, "amina", data["secret"])
    url = f"/staff/bodies/{data['body_id']}/opinions"
    response = submit(
        client,
        url,
        {
            "kind": "recommendation",
            "title_fr": "Éclairer les terrains de proximité",
            "text_fr": "Le conseil recommande l'éclairage solaire des terrains.",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/bodies/{data['body_id']}").get_data(as_text=True)
    assert "Éclairer les terrains de proximité" in page
    assert "Recommendation" in page
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert "body.publish_opinion" in actions


def test_opinion_without_title_keeps_the_text_and_says_why(
    client, app, committed, commune
):
    data = seed(committed, commune)
    login_staff(client, "amina", data["secret"])
    url = f"/staff/bodies/{data['body_id']}/opinions"
    response = submit(client, url, {"kind": "opinion", "text_ar": "نص الرأي"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Give a title in Arabic or in French." in page
    assert "نص الرأي" in page
    with app.app_context():
        assert db.session.scalar(select(BodyOpinion.id)) is None


def test_nul_byte_in_an_opinion_is_a_clear_error(client, committed, commune):
    data = seed(committed, commune)
    login_staff(client, "amina", data["secret"])
    url = f"/staff/bodies/{data['body_id']}/opinions"
    response = submit(
        client, url, {"kind": "opinion", "title_fr": "A\x00B", "text_fr": "Texte"}
    )
    assert response.status_code == 400
    assert "a character that cannot be accepted" in response.get_data(as_text=True)


def test_residents_and_reviewers_cannot_publish(client, committed, commune):
    data = seed(committed, commune)
    with committed():
        _r, secret = create_staff(commune["id"], "karim", ["reviewer"])
    login_staff(client, "karim", secret)
    response = client.get(f"/staff/bodies/{data['body_id']}/opinions")
    assert response.status_code == 403


def test_huge_and_unknown_body_ids_are_not_found(client, committed, commune):
    seed(committed, commune)
    assert client.get(f"/bodies/{2**31}").status_code == 404
    assert client.get(f"/bodies/{2**63}").status_code == 404
    assert client.get("/bodies/999999").status_code == 404


def test_staff_body_page_links_to_its_opinions(client, committed, commune):
    data = seed(committed, commune)
    login_staff(client, "amina", data["secret"])
    page = client.get(f"/staff/bodies/{data['body_id']}").get_data(as_text=True)
    assert f"/staff/bodies/{data['body_id']}/opinions" in page
