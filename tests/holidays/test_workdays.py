"""Working days: weekends and Moroccan holidays are skipped, around both."""

from datetime import date

from pbvote.core.workdays import add_months, add_working_days, working_days_between
from pbvote.extensions import db
from pbvote.holidays import services
from pbvote.holidays.models import Holiday
from tests.factories import create_staff
from tests.helpers import login_staff, submit

THRONE_DAY = date(2026, 7, 30)  # a Thursday


def test_a_friday_plus_one_working_day_is_monday():
    assert add_working_days(date(2026, 12, 4), 1, set()) == date(2026, 12, 7)


def test_a_request_received_on_saturday_counts_from_monday():
    assert add_working_days(date(2026, 12, 5), 1, set()) == date(2026, 12, 7)
    assert add_working_days(date(2026, 12, 5), 20, set()) == date(2027, 1, 1)


def test_holidays_are_skipped_around_a_weekend():
    # Wednesday 29 July + 2: Thursday is Throne Day, so Friday then Monday.
    assert add_working_days(date(2026, 7, 29), 2, {THRONE_DAY}) == date(2026, 8, 3)
    assert add_working_days(date(2026, 7, 29), 2, set()) == date(2026, 7, 31)


def test_answer_delay_counts_working_days_only():
    assert working_days_between(date(2026, 7, 29), date(2026, 8, 3), {THRONE_DAY}) == 2
    assert working_days_between(date(2026, 7, 29), date(2026, 7, 29), set()) == 0


def test_three_months_end_on_the_last_day_of_a_short_month():
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 10, 15), 3) == date(2027, 1, 15)


def test_the_shipped_file_covers_2025_to_2027_and_marks_lunar_dates(app):
    rows = services.shipped_holidays()
    assert {row["day"].year for row in rows} == {2025, 2026, 2027}
    fixed = {
        (row["day"].month, row["day"].day) for row in rows if row["kind"] == "fixed"
    }
    assert {(1, 1), (1, 14), (5, 1), (7, 30), (11, 6), (11, 18)} <= fixed
    assert all(not row["confirmed"] for row in rows if row["kind"] == "islamic")
    assert len([r for r in rows if r["kind"] == "islamic"]) == 21


def test_deadlines_use_the_shipped_list_until_the_table_has_rows(app, committed):
    with app.app_context():
        assert THRONE_DAY in services.holiday_days()
    with committed() as session:
        session.add(
            Holiday(day=date(2026, 12, 7), name_ar="ع", name_fr="Test", kind="fixed")
        )
    with app.app_context():
        assert services.holiday_days() == {date(2026, 12, 7)}


def test_an_admin_corrects_a_lunar_date(app, client, committed, commune):
    with committed():
        create_staff(commune["id"], "admin", ["admin"])
        services.load_shipped_holidays()
    with committed() as session:
        _user, secret = create_staff(commune["id"], "admin2", ["admin"])
        fitr = session.query(Holiday).filter_by(day=date(2027, 3, 10)).one()
        fitr_id = fitr.id
    login_staff(client, "admin2", secret)
    url = f"/staff/holidays/{fitr_id}"
    data = {
        "day": "2027-03-09",
        "name_ar": "عيد الفطر",
        "name_fr": "Aïd al-Fitr",
        "kind": "islamic",
        "confirmed": "y",
    }
    assert submit(client, url, data).status_code == 302
    clash = submit(client, url, {**data, "day": "2027-01-01"})
    assert "already a holiday" in clash.get_data(as_text=True)
    with app.app_context():
        fitr = db.session.get(Holiday, fitr_id)
        assert fitr.day == date(2027, 3, 9) and fitr.confirmed
    assert client.get(f"/staff/holidays/{2**31}").status_code == 404
