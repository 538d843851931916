"""Quarterly and annual accountability reports: HTML, PDF and CSV, archived once."""

import io
from datetime import timedelta

from sqlalchemy import select

from pbvote.accountability.arabic import shape, visual
from pbvote.accountability.models import AccountabilityReport, Rating
from pbvote.accountability.reports import due_periods
from pbvote.core.time import utcnow
from tests.accountability.factories import execution_setup, opened_on, published_on
from tests.factories import create_resident
from tests.helpers import login_staff, submit


def _figures_setup(committed, commune, year=None, start=None):
    """Three projects opened at ``start`` whose entries, published just after,
    leave one completed, one delayed and one with money committed; three ratings."""
    setup = execution_setup(
        committed, commune, costs=(400_000, 250_000, 150_000), year=year
    )
    a, b, c = setup["record_ids"]
    start = start or utcnow() - timedelta(days=200)
    with committed() as session:
        opened_on(session, setup["record_ids"], start)
        when = start + timedelta(days=5)
        published_on(
            session,
            a,
            when,
            status="completed",
            progress=100,
            committed=390_000,
            spent=380_000,
        )
        published_on(
            session,
            b,
            when,
            status="delayed",
            progress=40,
            committed=200_000,
            spent=90_000,
            reason="Intempéries de janvier",
        )
        published_on(session, c, when, status="planned", progress=0, committed=10_000)
        for i, (score, again) in enumerate(((5, True), (4, True), (2, False))):
            user = create_resident(commune["id"], phone=f"+21261111000{i}")
            session.add(
                Rating(
                    record_id=a,
                    user_id=user.id,
                    score=score,
                    take_part_again=again,
                    created_at_dt=when,
                    updated_at_dt=when,
                )
            )
    return setup


def _period_start(kind, year, quarter):
    from pbvote.accountability.reports import period_span
    from pbvote.core.time import local_day_start

    return local_day_start(period_span(kind, year, quarter)[0])


def test_quarterly_report_html_pdf_csv_with_the_charters_figures(
    app, client, committed, commune
):
    from pypdf import PdfReader  # a dev dependency: the figures are read back

    _kind, year, quarter = due_periods(utcnow().date())[0]
    setup = _figures_setup(
        committed, commune, start=_period_start("quarter", year, quarter)
    )
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
    assert "total,,,,,47,800000,600000,470000" in csv_text
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
    _figures_setup(committed, commune, year=year, start=_period_start("year", year, 0))
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


def test_a_report_made_later_shows_the_period_as_it_ended(
    app, client, committed, commune
):
    """Q1 of last year, made today: a later entry and a project voted later are
    left out, the entries published in Q1 are counted, each project names its
    cycle and year."""
    from pbvote.accountability.reports import generate
    from pbvote.accountability.services import open_execution_records
    from tests.factories import create_cycle, create_project

    year = utcnow().year - 1
    q1 = _period_start("quarter", year, 1)
    setup = execution_setup(committed, commune, costs=(400_000, 250_000), year=year)
    a, b = setup["record_ids"]
    with committed() as session:
        opened_on(session, [a, b], q1 + timedelta(days=9))
        published_on(session, a, q1 + timedelta(days=31), status="works", progress=50)
        published_on(
            session,
            a,
            q1 + timedelta(days=50),
            status="works",
            progress=60,
            committed=300_000,
            spent=120_000,
        )
        published_on(  # after the quarter: not in its report
            session,
            a,
            q1 + timedelta(days=120),
            status="completed",
            progress=100,
            committed=390_000,
            spent=380_000,
        )
        later = create_cycle(
            commune["id"],
            current_phase="execution",
            year=year + 1,
            district_ids=commune["district_ids"],
        )
        project = create_project(later, later.scopes[0], 99_000, title="Plus tard")
        c = open_execution_records(later.id, [project.id], utcnow())[0].id
    with committed():
        report = generate(commune["id"], "quarter", year, 1, utcnow())
        figures, report_id = report.figures, report.id
    csv_text = client.get(f"/execution/reports/{report_id}.csv").get_data(as_text=True)
    assert figures["records"] == 2
    assert figures["updates_published"] == 2
    by_id = {p["id"]: p for p in figures["projects"]}
    assert set(by_id) == {a, b} and c not in by_id
    assert (by_id[a]["status"], by_id[a]["progress"], by_id[a]["spent"]) == (
        "works",
        60,
        120_000,
    )
    assert figures["per_status"]["completed"] == 0
    assert (figures["committed"], figures["spent"]) == (300_000, 120_000)
    assert {p["cycle_year"] for p in figures["projects"]} == {year}
    assert by_id[a]["cycle_title_fr"] == "Cycle de test"
    assert f",Projet 1,{year},works,60,400000,300000,120000," in csv_text
    html = client.get(f"/execution/reports/{report_id}").get_data(as_text=True)
    assert f"Cycle de test ({year})" in html and "at the end of the period" in html
