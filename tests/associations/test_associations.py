"""Associations: registered by a representative, approved by an administrator, then
proposals on their behalf."""

from sqlalchemy import select

from pbvote.associations.models import Association
from pbvote.audit.models import AuditEntry
from pbvote.extensions import db
from pbvote.proposals.models import Proposal
from tests.factories import create_resident, create_staff
from tests.helpers import login_resident, login_staff, submit
from tests.proposals.factories import setup_cycle
from tests.proposals.test_proposal_submission import form_data, new_url

PHONE = "+212612345678"
DATA = {
    "name_ar": "جمعية الأمل للتنمية",
    "name_fr": "Association Al Amal",
    "registration_number": "ouz-2015/114",
    "seat_address": "Hay Rmel, Ouazzane",
    "founded_on": "2015-03-21",
    "field": "social",
}


def register(client, **changes):
    return submit(client, "/associations/new", {**DATA, **changes})


def test_register_then_approval_by_an_administrator(client, app, committed, commune):
    with committed():
        _, secret = create_staff(commune["id"], "amina", ["admin"])
    login_resident(client, app, PHONE)
    response = register(client)
    assert response.status_code == 302
    mine = client.get("/associations/mine").get_data(as_text=True)
    assert "Waiting for approval" in mine and "OUZ-2015/114" in mine
    public = client.get("/associations").get_data(as_text=True)
    assert "Association Al Amal" not in public
    staff = app.test_client()
    login_staff(staff, "amina", secret)
    with app.app_context():
        association_id = db.session.scalar(select(Association.id))
    listing = staff.get("/staff/associations?status=pending").get_data(as_text=True)
    assert "OUZ-2015/114" in listing
    assert (
        submit(staff, f"/staff/associations/{association_id}/approve", {}).status_code
        == 302
    )
    assert "Association Al Amal" in client.get("/associations").get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(
                select(AuditEntry.action).where(AuditEntry.target_type == "association")
            )
            == "association.approve"
        )


def test_bad_registrations_are_explained(client, app, committed, commune):
    with committed():
        pass
    login_resident(client, app, PHONE)
    text = register(client, name_ar="", name_fr="").get_data(as_text=True)
    assert "Give the association&#39;s name in Arabic or in French." in text
    assert 'value="ouz-2015/114"' in text
    text = register(client, founded_on="2999-01-01").get_data(as_text=True)
    assert "The founding date cannot be in the future." in text
    text = register(client, founded_on="hier").get_data(as_text=True)
    assert "Enter the founding date, e.g. 2015-03-21." in text
    assert register(client).status_code == 302
    text = register(client, registration_number=" OUZ-2015/114 ").get_data(as_text=True)
    assert "is already registered" in text


def test_rejection_needs_a_reason_shown_to_the_representative(
    client, app, committed, commune
):
    with committed():
        _, secret = create_staff(commune["id"], "amina", ["admin"])
        user = create_resident(commune["id"], phone=PHONE)
        association = Association(
            commune_id=commune["id"],
            name_fr="Fantôme",
            registration_number="X-1",
            seat_address="?",
            founded_on=user.created_at_dt.date(),
            field="other",
            representative_id=user.id,
            created_at_dt=user.created_at_dt,
        )
        db.session.add(association)
        db.session.flush()
        association_id = association.id
    login_staff(client, "amina", secret)
    url = f"/staff/associations/{association_id}/reject"
    assert "Explain why the registration is refused." in submit(
        client, url, {"reason": ""}
    ).get_data(as_text=True)
    assert (
        submit(client, url, {"reason": "Numéro inconnu au registre"}).status_code == 302
    )
    resident = app.test_client()
    login_resident(resident, app, PHONE)
    assert "Numéro inconnu au registre" in resident.get("/associations/mine").get_data(
        as_text=True
    )


def test_residents_cannot_approve(client, app, committed, commune):
    login_resident(client, app, PHONE)
    assert client.get("/staff/associations").status_code == 403


def _association(commune, user, status, number=None):
    association = Association(
        commune_id=commune["id"],
        name_ar="جمعية الأمل",
        registration_number=number or f"N-{status}",
        seat_address="Rmel",
        founded_on=user.created_at_dt.date(),
        field="social",
        representative_id=user.id,
        status=status,
        created_at_dt=user.created_at_dt,
    )
    db.session.add(association)
    db.session.flush()
    return association.id


def test_proposal_on_behalf_of_an_approved_association(client, app, committed, commune):
    with committed():
        setup = setup_cycle(commune)
        user = create_resident(commune["id"], phone=PHONE)
        approved = _association(commune, user, "approved")
        pending = _association(commune, user, "pending")
        stranger = create_resident(commune["id"], phone="+212612000002")
        foreign = _association(commune, stranger, "approved", "N-other")
    login_resident(client, app, PHONE)
    form = client.get(new_url(setup)).get_data(as_text=True)
    assert "Myself, as a resident" in form and "جمعية الأمل" in form
    text = submit(
        client, new_url(setup), form_data(setup, association_id=str(pending))
    ).get_data(as_text=True)
    assert "This association is not approved yet" in text
    text = submit(
        client, new_url(setup), form_data(setup, association_id=str(foreign))
    ).get_data(as_text=True)
    assert "You can only act for an association you represent." in text
    response = submit(
        client, new_url(setup), form_data(setup, association_id=str(approved))
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Association: جمعية الأمل" in page
    with app.app_context():
        assert db.session.scalar(select(Proposal.association_id)) == approved
