"""Filing, the bureau's reasoned decision, the agenda and the council's outcome;
association conditions; the 3-month deadline and its warning; open data."""

import json
from datetime import date, timedelta

from pbvote.core.time import to_local_day, utcnow
from pbvote.core.workdays import add_months
from pbvote.extensions import db
from pbvote.petitions import services
from pbvote.petitions.models import Petition
from tests.helpers import login_resident, login_staff, submit
from tests.petitions.conftest import AUTHOR, new_petition, post_step
from tests.petitions.factories import PEOPLE


def _filed(client, app, registry) -> int:
    """A citizens' petition with 2 signatures, filed (threshold 2)."""
    petition_id = new_petition(client, app)
    post_step(client, petition_id, "open")
    for index, (cin, birth) in enumerate(PEOPLE[:2]):
        signer = app.test_client()
        login_resident(signer, app, f"+21261234570{index}")
        response = post_step(
            signer, petition_id, "sign", {"cin": cin, "birth_date": birth.isoformat()}
        )
        assert response.status_code == 302
    assert post_step(client, petition_id, "file").status_code == 302
    return petition_id


def _admin(app, registry):
    staff = app.test_client()
    login_staff(staff, "admin", registry["admin"])
    return staff


def _decide(staff, petition_id, decision, reasons=""):
    url = f"/staff/petitions/{petition_id}"
    return submit(
        staff,
        url + "/decision",
        {"decision-decision": decision, "decision-reasons": reasons},
        form_url=url,
    )


def test_filing_needs_the_threshold(app, client, registry, monkeypatch):
    monkeypatch.setitem(app.config, "PETITION_SIGNATURE_THRESHOLD", 3)
    petition_id = new_petition(client, app)
    post_step(client, petition_id, "open")
    response = post_step(client, petition_id, "file")
    page = client.get(response.location).get_data(as_text=True)
    assert "0 of the 3 signatures needed" in page
    with app.app_context():
        assert db.session.get(Petition, petition_id).status == "collecting"


def test_the_default_threshold_is_ouazzanes_200(app, client, registry):
    petition_id = new_petition(client, app)
    post_step(client, petition_id, "open")
    with app.app_context():
        assert db.session.get(Petition, petition_id).threshold == 200


def test_filing_sets_the_three_month_deadline(app, client, registry, low_threshold):
    petition_id = _filed(client, app, registry)
    due = add_months(to_local_day(utcnow()), 3)
    with app.app_context():
        petition = db.session.get(Petition, petition_id)
        assert petition.status == "filed" and petition.decision_due_on == due
    staff_page = _admin(app, registry).get(f"/staff/petitions/{petition_id}")
    assert "The bureau must decide by" in staff_page.get_data(as_text=True)


def test_a_refusal_without_reasons_is_refused(app, client, registry, low_threshold):
    petition_id = _filed(client, app, registry)
    staff = _admin(app, registry)
    response = _decide(staff, petition_id, "not_admissible", "   ")
    assert response.status_code == 400
    assert "with the reasons" in response.get_data(as_text=True)
    response = _decide(staff, petition_id, "not_admissible", "Hors compétence.")
    assert response.status_code == 302
    page = client.get(f"/petitions/{petition_id}").get_data(as_text=True)
    assert "Not admissible" in page and "Hors compétence." in page


def test_admissible_agenda_and_outcome_are_public_with_dates(
    app, client, registry, low_threshold
):
    petition_id = _filed(client, app, registry)
    staff = _admin(app, registry)
    assert _decide(staff, petition_id, "admissible").status_code == 302
    url = f"/staff/petitions/{petition_id}"
    past = (date.today() - timedelta(days=3)).isoformat()
    refused = submit(staff, url + "/agenda", {"agenda-session_on": past}, form_url=url)
    assert "today or later" in refused.get_data(as_text=True)
    session = (date.today() + timedelta(days=30)).isoformat()
    submit(staff, url + "/agenda", {"agenda-session_on": session}, form_url=url)
    empty = submit(staff, url + "/outcome", {"outcome-outcome": ""}, form_url=url)
    assert "Write what the council decided" in empty.get_data(as_text=True)
    submit(staff, url + "/outcome", {"outcome-outcome": "Adopté."}, form_url=url)
    page = client.get(f"/petitions/{petition_id}").get_data(as_text=True)
    for text in ("Admissible", "On the council", "Decided by the council", "Adopté."):
        assert text in page
    assert page.count("<time") == 5  # collecting, filed, admissible, agenda, decided


def test_a_clerk_cannot_decide(app, client, registry, low_threshold):
    petition_id = _filed(client, app, registry)
    clerk = app.test_client()
    login_staff(clerk, "clerk", registry["clerk"])
    url = f"/staff/petitions/{petition_id}"
    token_page = url
    response = submit(
        clerk,
        url + "/decision",
        {"decision-decision": "admissible"},
        form_url=token_page,
    )
    assert response.status_code == 403


def _association(committed, commune, founded: date):
    from pbvote.associations.models import Association
    from tests.factories import create_resident

    with committed() as session:
        representative = create_resident(commune["id"], AUTHOR)
        association = Association(
            commune_id=commune["id"],
            name_ar="جمعية",
            name_fr="Association",
            registration_number="OUZ-1",
            seat_address="Rmel",
            founded_on=founded,
            field="social",
            representative_id=representative.id,
            status="approved",
            created_at_dt=utcnow(),
        )
        session.add(association)
        session.flush()
        return association.id


def test_a_young_association_is_not_eligible(app, client, committed, commune):
    association_id = _association(
        committed, commune, date.today() - timedelta(days=2 * 365)
    )
    login_resident(client, app, AUTHOR)
    response = submit(
        client,
        "/petitions/new",
        {
            "association_id": str(association_id),
            "agent_name": "Nadia",
            "title": "Centre de rééducation",
            "request": "Inscrire la création d'un centre à l'ordre du jour.",
        },
    )
    assert response.status_code == 200
    assert "more than 3 years ago" in response.get_data(as_text=True)


def test_an_eligible_association_files_without_signatures(
    app, client, committed, commune
):
    association_id = _association(committed, commune, date(2010, 1, 1))
    login_resident(client, app, AUTHOR)
    response = submit(
        client,
        "/petitions/new",
        {
            "association_id": str(association_id),
            "agent_name": "Nadia",
            "title": "Centre de rééducation",
            "request": "Inscrire la création d'un centre à l'ordre du jour.",
        },
    )
    petition_id = int(response.location.rsplit("/", 1)[1])
    assert post_step(client, petition_id, "file").status_code == 302
    with app.app_context():
        assert db.session.get(Petition, petition_id).status == "filed"


def test_administrators_are_warned_before_the_deadline(app, committed, registry):
    with committed():
        from pbvote.accounts.models import User

        author = db.session.query(User).filter_by(username="admin").one()
        author.kind = "staff"
        for days, title in ((80, "Bientôt dû"), (10, "Pas encore")):
            moment = utcnow() - timedelta(days=days)
            association = None
            petition = services.create_petition(
                author,
                author.commune_id,
                association=association,
                agent_name="A",
                title=title,
                request="x" * 30,
                now=moment,
            )
            petition.threshold = 0
            petition.status = "collecting"
            services.file_petition(author, petition, moment)
    staff = _admin(app, registry)
    page = staff.get("/staff/petitions").get_data(as_text=True)
    warning = page.split("Decisions due soon", 1)[1].split("</div>", 1)[0]
    assert "Bientôt dû" in warning and "Pas encore" not in warning
    assert "due soon" in page


def test_open_data_has_no_personal_data(app, client, registry, low_threshold):
    petition_id = _filed(client, app, registry)
    draft_id = new_petition(client, app, title="Brouillon privé", login=False)
    anonymous = app.test_client()
    listing = anonymous.get("/api/v1/petitions").get_json()
    assert [item["id"] for item in listing["items"]] == [petition_id]
    assert anonymous.get(f"/api/v1/petitions/{draft_id}").status_code == 404
    assert anonymous.get(f"/petitions/{draft_id}").status_code == 404
    exported = json.dumps(
        anonymous.get("/petitions.json").get_json(), ensure_ascii=False
    )
    csv_text = anonymous.get("/petitions.csv").get_data(as_text=True)
    for text in (exported, csv_text):
        assert "Sécurité devant les écoles" in text
        assert "AB100001" not in text and AUTHOR not in text and "cin" not in text
