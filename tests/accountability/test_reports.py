"""Quarterly and annual accountability reports: HTML, PDF and CSV, archived once."""

import io
from datetime import timedelta

from sqlalchemy import select

from pbvote.accountability.arabic import shape, visual
from pbvote.accountability.models import AccountabilityReport, ExecutionRecord, Rating
from pbvote.accountability.reports import due_periods
from pbvote.core.time import utcnow
from tests.accountability.factories import execution_setup
from tests.factories import create_resident
from tests.helpers import login_staff, submit


def _figures_setup(committed, commune, year=None):
    setup = execution_setup(
        committed, commune, costs=(400_000, 250_000, 150_000), year=year
    )
    with committed() as session:
        a, b, c = (session.get(ExecutionRecord, i) for i in setup["record_ids"])
        a.status_key, a.progress, a.committed, a.spent = (
            "completed",
            100,
            390_000,
            380_000,
        )
        b.status_key, b.progress, b.committed, b.spent = "delayed", 40, 200_000, 90_000
        b.status_reason = "Intempéries de janvier"
        c.committed = 10_000
        for i, (score, again) in enumerate(((5, True), (4, True), (2, False))):
            user = create_resident(commune["id"], phone=f"+21261111000{i}")
            session.add(
                Rating(
                    record_id=a.id,
                    user_id=user.id,
                    score=score,
                    take_part_again=again,
                    created_at_dt=utcnow() - timedelta(days=200),
                    updated_at_dt=utcnow(),
                )
            )
    return setup


def test_quarterly_report_html_pdf_csv_with_the_charters_figures(
    app, client, committed, commune
):
    from pypdf import PdfReader  # a dev dependency: the figures are read back

    setup = _figures_setup(committed, commune)
    _kind, year, quarter = due_periods(utcnow().date())[0]
    staff = app.test_client()
    login_staff(staff, *setup["finance"])
    response = submit(
        staff,
        "/staff/execution/reports",
        {"kind": "quarter", "year": str(year), "quarter": str(quarter)},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    report_url = response.headers["Location"]
    listing = client.get("/execution/reports").get_data(as_text=True)
    assert f"Quarter {quarter} of {year}" in listing
    html = client.get(report_url).get_data(as_text=True)
    assert "Intempéries de janvier" in html and "Would take part again: 2 of 3" in html
    report_id = int(report_url.rsplit("/", 1)[1])
    pdf = client.get(f"/execution/reports/{report_id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages
    )
    text = text.replace("\u202f", " ")
    for expected in (
        "800 000 MAD",
        "600 000 MAD",
        "470 000 MAD",  # allocated, committed, spent
        "Achevé",
        "En retard",
        "Intempéries de janvier",
        "note moyenne : 3.67",
        "Participeraient de nouveau : 2 sur 3 (67 %)",
        f"{year} T{quarter}",
    ):
        assert expected in text, expected
    # Arabic headings, titles and labels are shaped (see arabic.py); pypdf gives
    # the right-to-left runs back in logical order.
    assert shape("مشروع") in text and shape("منجز") in text
    assert shape("جماعة وزان") in text
    csv_text = client.get(f"/execution/reports/{report_id}.csv").get_data(as_text=True)
    assert csv_text.lstrip("\ufeff").startswith("record_id,title_ar")
    assert "total,,,,47,800000,600000,470000" in csv_text
    # Asking again returns the archived report, unchanged.
    again = submit(
        staff,
        "/staff/execution/reports",
        {"kind": "quarter", "year": str(year), "quarter": str(quarter)},
    )
    assert again.headers["Location"] == report_url
    with committed() as session:
        assert len(session.scalars(select(AccountabilityReport)).all()) == 1


def test_a_period_that_is_not_over_is_refused(app, committed, commune):
    setup = execution_setup(committed, commune)
    staff = app.test_client()
    login_staff(staff, *setup["admin"])
    now = utcnow()
    response = submit(
        staff,
        "/staff/execution/reports",
        {"kind": "year", "year": str(now.year), "quarter": "1"},
    )
    assert response.status_code == 422
    assert "its report can be made from the next day" in response.get_data(as_text=True)
    bad = submit(
        staff,
        "/staff/execution/reports",
        {"kind": "quarter", "year": "1800", "quarter": "1"},
    )
    assert "between 2000 and 2100" in bad.get_data(as_text=True)


def test_annual_report_from_the_command_line(app, runner, committed, commune):
    year = utcnow().year - 1
    _figures_setup(committed, commune, year=year)
    result = runner.invoke(args=["execution", "report", str(year)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["execution", "report", "2026-Q9"]).exit_code != 0
    with committed() as session:
        report = session.scalars(select(AccountabilityReport)).one()
        assert (report.period_kind, report.year, report.quarter) == ("year", year, 0)
        assert report.figures["per_status"]["completed"] == 1


def test_due_periods():
    from datetime import date

    assert due_periods(date(2026, 11, 29)) == [("quarter", 2026, 3)]
    assert due_periods(date(2026, 2, 1)) == [("quarter", 2025, 4), ("year", 2025, 0)]


def test_arabic_shaping_for_the_pdf():
    # isolated, initial, medial and final forms; lam-alef ligature
    assert shape("بب") == "\ufe91\ufe90"
    assert shape("ببب") == "\ufe91\ufe92\ufe90"
    assert shape("لا") == "\ufefb"
    assert shape("سلام") == "\ufeb3\ufefc\ufee1"
    assert shape("دب") == "\ufea9\ufe8f"  # dal does not join forward
    # visual order: Arabic reversed, Latin and digits kept, runs reversed
    assert visual("وزان 2026") == "2026 " + "".join(reversed(shape("وزان")))
    assert visual("مصلحة · Service des travaux").startswith("Service des travaux ·")
