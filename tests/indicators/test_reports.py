"""The charter report: drafted by a real RQ worker, edited, published with a PDF
carrying the figures; a second run never duplicates or rewrites it."""

import io

from pypdf import PdfReader
from sqlalchemy import func, select

from pbvote.accountability.models import AccountabilityReport
from pbvote.extensions import db
from pbvote.indicators.models import IndicatorReport
from tests.factories import create_staff
from tests.helpers import login_staff, run_jobs, submit
from tests.indicators.test_indicators import build


def _admin(client, committed, commune):
    with committed():
        _user, secret = create_staff(commune["id"], "amina", ["admin"])
    login_staff(client, "amina", secret)


def _reports(app) -> list[tuple[int, str]]:
    with app.app_context():
        return db.session.execute(
            select(IndicatorReport.id, IndicatorReport.state)
        ).all()


def _draft(client, app, period="2025-Q1"):
    page = submit(client, "/staff/indicators/reports", {"period": period})
    assert page.status_code == 302, page.get_data(as_text=True)
    run_jobs(app, "default")
    return _reports(app)


def test_a_report_is_drafted_edited_published_and_archived(
    app, client, committed, commune
):
    with committed():
        build(commune)
    _admin(client, committed, commune)
    [(report_id, state)] = _draft(client, app)
    assert state == "draft"
    progress = client.get("/staff/indicators/reports?period=2025-Q1")
    assert "9 of 9 indicators computed" in progress.get_data(as_text=True)
    assert client.get(f"/indicators/reports/{report_id}").status_code == 404
    texts = {"text_participants": "La participation a triplé ce trimestre."}
    page = submit(client, f"/staff/indicators/reports/{report_id}", texts)
    assert page.status_code == 302
    page = submit(
        client,
        f"/staff/indicators/reports/{report_id}/publish",
        {},
        form_url=f"/staff/indicators/reports/{report_id}",
    )
    assert page.status_code == 302
    with app.app_context():
        report = db.session.get(IndicatorReport, report_id)
        linked = db.session.get(AccountabilityReport, report.accountability_report_id)
        assert (linked.period_kind, linked.year, linked.quarter) == ("quarter", 2025, 1)
    archive = client.get("/indicators/reports").get_data(as_text=True)
    assert f"/indicators/reports/{report_id}.pdf" in archive
    pdf = client.get(f"/indicators/reports/{report_id}.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Participating residents" in text
    assert "La participation a triplé ce trimestre." in text
    assert "18" in text and "55.6 %" in text and "200 %" in text
    csv_text = client.get(f"/indicators/reports/{report_id}.csv").get_data(True)
    assert "repetition,again,Took part in the previous period too,percent,55.6" in (
        csv_text
    )


def test_running_the_job_again_replaces_the_draft_and_keeps_the_texts(
    app, client, committed, commune
):
    _admin(client, committed, commune)
    [(report_id, _state)] = _draft(client, app)
    texts = {"text_execution": "Aucun projet encore."}
    submit(client, f"/staff/indicators/reports/{report_id}", texts)
    with committed():
        build(commune)  # more activity arrives
    assert _draft(client, app) == [(report_id, "draft")]
    with app.app_context():
        report = db.session.get(IndicatorReport, report_id)
        assert report.texts == {"execution": "Aucun projet encore."}
        participants = report.figures["indicators"][2]
        assert participants["rows"][0]["value"] == 18


def test_a_published_report_is_never_duplicated_nor_rewritten(
    app, client, committed, commune
):
    from jobs.indicators import generate_report

    _admin(client, committed, commune)
    [(report_id, _state)] = _draft(client, app)
    submit(
        client,
        f"/staff/indicators/reports/{report_id}/publish",
        {},
        form_url=f"/staff/indicators/reports/{report_id}",
    )
    with committed():
        build(commune)
    refused = submit(client, "/staff/indicators/reports", {"period": "2025-Q1"})
    assert refused.status_code == 422
    assert "already published" in refused.get_data(as_text=True)
    with app.app_context():
        assert generate_report(commune["id"], "2025-Q1") == "published"
        count = db.session.scalar(select(func.count(IndicatorReport.id)))
        report = db.session.get(IndicatorReport, report_id)
        assert count == 1
        assert report.figures["indicators"][2]["rows"][0]["value"] == 0


def test_an_open_period_cannot_be_published(app, client, committed, commune):
    from pbvote.core.time import to_local_day, utcnow

    _admin(client, committed, commune)
    this_year = str(to_local_day(utcnow()).year)
    [(report_id, _state)] = _draft(client, app, this_year)
    page = submit(
        client,
        f"/staff/indicators/reports/{report_id}/publish",
        {},
        form_url=f"/staff/indicators/reports/{report_id}",
        follow_redirects=True,
    )
    assert "can be published from the next day" in page.get_data(as_text=True)
    assert _reports(app) == [(report_id, "draft")]


def test_bad_periods_and_other_roles_are_refused(app, client, committed, commune):
    _admin(client, committed, commune)
    for period in ("2025-Q5", "2999", "20251"):
        page = submit(client, "/staff/indicators/reports", {"period": period})
        assert page.status_code == 422, period
    # NUL bytes are refused for the whole request by the core guard.
    nul = submit(client, "/staff/indicators/reports", {"period": "2025\x00"})
    assert nul.status_code == 400
    assert _reports(app) == []
    client.get("/logout")
    with committed():
        _user, secret = create_staff(commune["id"], "karim", ["clerk"])
    other = client.application.test_client()
    login_staff(other, "karim", secret)
    assert other.get("/staff/indicators/reports").status_code == 403


def test_the_nightly_job_drafts_the_periods_just_ended_once(app, commune):
    """In February: last quarter's and last year's reports, for every commune;
    the next night redrafts the same two rows."""
    from datetime import UTC, datetime

    from pbvote.indicators.reports import draft_due_reports

    night = datetime(2026, 2, 10, 1, 45, tzinfo=UTC)
    with app.app_context():
        first = draft_due_reports(night)
        assert len(first) == 2 and all(o.startswith("draft ") for o in first)
        assert draft_due_reports(night) == first
        periods = db.session.execute(
            select(IndicatorReport.period_kind, IndicatorReport.year)
        ).all()
        assert sorted(periods) == [("quarter", 2025), ("year", 2025)]
