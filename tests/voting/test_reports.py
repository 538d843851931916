"""Vote-integrity reports: online after verifying, a missing receipt from the
ballot box, a clerk at the office; counts on the staff page and in the results."""

import pytest

from pbvote.extensions import db
from pbvote.voting.reports import VoteReport, report_counts
from tests.factories import create_staff
from tests.helpers import login_staff, submit
from tests.voting.helpers import cast, verify


def test_a_resident_whose_vote_was_taken_reports_it_once(app, election):
    cycle_id = election["cycle_id"]
    cin, birth = election["residents"][0]
    thief, resident = app.test_client(), app.test_client()
    verify(thief, app, cycle_id, cin, birth)
    assert cast(thief, election).status_code == 302
    verify(resident, app, cycle_id, cin, birth, phone="+212612345670")
    already = resident.get(f"/cycles/{cycle_id}/vote/ballot")
    assert already.status_code == 409
    assert "I did not vote: report it" in already.get_data(as_text=True)
    url = f"/cycles/{cycle_id}/vote/report-taken"
    done = submit(resident, url, {"note": "I never voted"})
    assert "Report received" in done.get_data(as_text=True)
    again = submit(resident, url, {"note": ""})
    assert "already made" in again.get_data(as_text=True)
    with app.app_context():
        assert report_counts(cycle_id) == {"vote_taken": 1, "receipt_missing": 0}
        report = db.session.query(VoteReport).one()
        assert report.channel == "online" and report.receipt is None
        assert "ballot" not in {c.key for c in VoteReport.__table__.columns}


def test_nobody_reports_a_taken_vote_without_verifying(client, election):
    response = client.get(f"/cycles/{election['cycle_id']}/vote/report-taken")
    assert response.status_code == 302


def test_a_missing_receipt_is_reported_from_the_ballot_box(app, client, election):
    cycle_id = election["cycle_id"]
    app.config["CITIZEN_OFFICE"] = "Avenue Hassan II, 8:30–16:30"
    try:
        box = client.get(f"/cycles/{cycle_id}/ballot-box?receipt=1a2b3c4d5e6f7a8b")
        assert "Report a receipt that is not in the ballot box" in box.get_data(
            as_text=True
        )
        url = f"/cycles/{cycle_id}/ballot-box/report"
        short = submit(client, url, {"receipt": "1a2b"})
        assert "16 characters" in short.get_data(as_text=True)
        done = submit(client, url, {"receipt": "1a2b-3c4d-5e6f-7a8b"})
        assert "Avenue Hassan II" in done.get_data(as_text=True)
    finally:
        app.config.pop("CITIZEN_OFFICE")
    with app.app_context():
        report = db.session.query(VoteReport).one()
        assert (report.kind, report.receipt) == ("receipt_missing", "1a2b3c4d5e6f7a8b")
        assert report.registry_entry_id is None


@pytest.mark.parametrize("role", ["clerk", "admin"])
def test_a_clerk_records_a_report_at_the_office(
    app, committed, commune, election, role
):
    with committed():
        _user, secret = create_staff(commune["id"], role, [role])
    staff = app.test_client()
    login_staff(staff, role, secret)
    url = f"/staff/cycles/{election['cycle_id']}/vote-reports"
    cin, birth = election["residents"][1]
    saved = submit(staff, url, {"kind": "vote_taken", "cin": cin, "birth_date": birth})
    assert saved.status_code == 302
    unknown = submit(
        staff, url, {"kind": "vote_taken", "cin": "NO000000", "birth_date": birth}
    )
    assert "Nobody with this ID number" in unknown.get_data(as_text=True)
    page = staff.get(url).get_data(as_text=True)
    assert "citizen office" in page and 'class="report-count-vote_taken">1<' in page
    assert app.test_client().get(url).status_code in (302, 401, 403)


def test_the_count_of_reports_is_published_with_the_results(
    app, client, committed, commune
):
    from pbvote.core.time import utcnow
    from pbvote.cycles.models import Cycle
    from pbvote.voting.reports import file_report
    from tests.results.test_pages import counted

    election = counted(app, committed, commune)
    cycle_id = election["cycle_id"]
    with committed():
        cycle = db.session.get(Cycle, cycle_id)
        file_report(cycle, "receipt_missing", "office", utcnow(), receipt="ab" * 8)
    page = client.get(f"/cycles/{cycle_id}/results").get_data(as_text=True)
    assert "0 of a vote already taken" in page
    assert "1 of a receipt not found in the ballot box" in page
    api = client.get(f"/api/v1/cycles/{cycle_id}/results").get_json()
    assert api["integrity_reports"] == {"vote_taken": 0, "receipt_missing": 1}
    record = client.get(f"/cycles/{cycle_id}/results/record.json").get_json()
    assert record["integrity_reports"] == {"vote_taken": 0, "receipt_missing": 0}
