"""Signing: residents of the voter registry, once each, only while collecting."""

from sqlalchemy import select

from pbvote.extensions import db
from pbvote.petitions.models import Petition, PetitionSignature
from tests.helpers import login_resident, login_staff, submit
from tests.petitions.conftest import new_petition, post_step
from tests.petitions.factories import PEOPLE


def _sign(client, petition_id, cin, birth):
    return post_step(
        client, petition_id, "sign", {"cin": cin, "birth_date": birth.isoformat()}
    )


def _open(client, app, registry):
    petition_id = new_petition(client, app)
    assert post_step(client, petition_id, "open").status_code == 302
    return petition_id


def _signer(app, phone):
    other = app.test_client()
    login_resident(other, app, phone)
    return other


def test_a_registered_resident_signs_and_the_id_is_kept_only_as_a_hash(
    app, client, registry
):
    petition_id = _open(client, app, registry)
    cin, birth = PEOPLE[0]
    response = _sign(client, petition_id, " ab 100001 ", birth)
    assert response.status_code == 302
    page = client.get(f"/petitions/{petition_id}").get_data(as_text=True)
    assert "1 signature" in page and "You have signed this petition." in page
    with app.app_context():
        signature = db.session.scalar(select(PetitionSignature))
        assert signature.channel == "online"
        assert cin not in signature.cin_hash and len(signature.cin_hash) == 64


def test_a_second_signature_with_the_same_id_is_refused(app, client, registry):
    petition_id = _open(client, app, registry)
    cin, birth = PEOPLE[1]
    assert _sign(client, petition_id, cin, birth).status_code == 302
    other = _signer(app, "+212612345602")
    response = _sign(other, petition_id, cin, birth)
    assert response.status_code == 400
    assert "already signed this petition" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Petition, petition_id).signature_count == 1


def test_one_account_cannot_sign_twice_with_two_ids(app, client, registry):
    petition_id = _open(client, app, registry)
    assert _sign(client, petition_id, *PEOPLE[0]).status_code == 302
    response = _sign(client, petition_id, *PEOPLE[1])
    assert response.status_code == 400
    assert "already signed" in response.get_data(as_text=True)


def test_someone_outside_the_registry_cannot_sign(app, client, registry):
    petition_id = _open(client, app, registry)
    cin, birth = PEOPLE[0]
    response = _sign(client, petition_id, cin, birth.replace(year=1970))
    assert response.status_code == 400
    assert "voter registry" in response.get_data(as_text=True)


def test_a_malformed_id_number_is_refused(app, client, registry):
    petition_id = _open(client, app, registry)
    response = _sign(client, petition_id, "12345", PEOPLE[0][1])
    assert response.status_code == 400
    assert "one or two letters then digits" in response.get_data(as_text=True)


def test_a_signature_after_filing_is_refused(app, client, registry, low_threshold):
    petition_id = _open(client, app, registry)
    assert _sign(client, petition_id, *PEOPLE[0]).status_code == 302
    other = _signer(app, "+212612345602")
    assert _sign(other, petition_id, *PEOPLE[1]).status_code == 302
    assert post_step(client, petition_id, "file").status_code == 302
    late = _signer(app, "+212612345603")
    response = _sign(late, petition_id, *PEOPLE[2])
    assert response.status_code == 400
    assert "no longer collects signatures" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Petition, petition_id).signature_count == 2


def test_a_clerk_registers_a_paper_signature_checked_against_the_registry(
    app, client, registry
):
    petition_id = _open(client, app, registry)
    staff = app.test_client()
    login_staff(staff, "clerk", registry["clerk"])
    url = f"/staff/petitions/{petition_id}"
    cin, birth = PEOPLE[2]
    data = {"paper-cin": cin, "paper-birth_date": birth.isoformat()}
    response = submit(staff, url + "/paper", data, form_url=url)
    assert response.status_code == 302
    again = submit(staff, url + "/paper", data, form_url=url)
    assert again.status_code == 400
    assert "already signed" in again.get_data(as_text=True)
    unknown = submit(
        staff, url + "/paper", {**data, "paper-cin": "ZZ999999"}, form_url=url
    )
    assert "voter registry" in unknown.get_data(as_text=True)
    with app.app_context():
        signature = db.session.scalar(select(PetitionSignature))
        assert signature.channel == "paper" and signature.registered_by_id
        from pbvote.audit.models import AuditEntry

        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert "petition.paper_signature" in actions


def test_nul_bytes_and_huge_ids_get_clear_answers(app, client, registry):
    login_resident(client, app, "+212612345601")
    response = submit(
        client,
        "/petitions/new",
        {
            "association_id": "0",
            "agent_name": "A",
            "title": "Titre\x00 piégé",
            "request": "x" * 30,
        },
    )
    assert response.status_code == 400
    assert "a character that cannot be accepted" in response.get_data(as_text=True)
    assert client.get(f"/petitions/{2**31}").status_code == 404
    assert client.get(f"/petitions/{2**63}").status_code == 404
    assert client.get(f"/api/v1/petitions/{2**31}").status_code == 404


def test_guessing_ids_is_stopped_after_ten_failures(app, client, registry):
    petition_id = _open(client, app, registry)
    cin, birth = PEOPLE[0]
    for year in range(1960, 1970):
        response = _sign(client, petition_id, cin, birth.replace(year=year))
        assert "voter registry" in response.get_data(as_text=True)
    # Even the right date is refused now: the limit is per account.
    blocked = _sign(client, petition_id, cin, birth)
    assert blocked.status_code == 400
    assert "Too many unsuccessful tries" in blocked.get_data(as_text=True)


def test_the_date_of_birth_is_typed_as_on_the_id_card(app, client, registry):
    """Day/month/year, as on the card and on the voting form, in a text field: a
    resident typing 21/04/1990 was refused when only 1990-04-21 was understood."""
    petition_id = _open(client, app, registry)
    form = client.get(f"/petitions/{petition_id}").get_data(as_text=True)
    assert 'name="birth_date"' in form and 'type="date"' not in form
    assert "23/04/1990" in form  # the hint shows the card's order
    cin, birth = PEOPLE[0]
    typed = birth.strftime("%d/%m/%Y")
    response = post_step(client, petition_id, "sign", {"cin": cin, "birth_date": typed})
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(f"/petitions/{petition_id}").get_data(as_text=True)
    assert "You have signed this petition." in page
    with app.app_context():
        assert db.session.scalar(select(PetitionSignature.id)) is not None


def test_a_date_of_birth_that_is_no_date_is_refused_clearly(app, client, registry):
    petition_id = _open(client, app, registry)
    cin, _birth = PEOPLE[0]
    response = post_step(
        client, petition_id, "sign", {"cin": cin, "birth_date": "31/02/1990"}
    )
    assert "Enter the date of birth as on your ID card" in response.get_data(True)
    with app.app_context():
        assert db.session.scalar(select(PetitionSignature.id)) is None
