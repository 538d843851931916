"""Public holidays: the shipped list (data/morocco.csv), the table administrators
edit, and the deadlines computed from them."""

import csv
from datetime import date, datetime
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select

from pbvote.audit.services import record_action
from pbvote.core import workdays
from pbvote.core.time import to_local_day
from pbvote.extensions import db
from pbvote.holidays.errors import HolidayTaken
from pbvote.holidays.models import Holiday

DATA_FILE = Path(__file__).parent / "data" / "morocco.csv"


def shipped_holidays() -> list[dict]:
    """The rows of the shipped file (comment lines start with #)."""
    with DATA_FILE.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return [
        {
            "day": date.fromisoformat(row["day"]),
            "kind": row["kind"],
            "confirmed": row["confirmed"] == "yes",
            "name_ar": row["name_ar"],
            "name_fr": row["name_fr"],
        }
        for row in csv.DictReader(lines)
    ]


def load_shipped_holidays() -> int:
    """Add the shipped holidays whose day is not in the table yet (an administrator's
    corrections are kept). Returns how many were added."""
    known = set(db.session.scalars(select(Holiday.day)))
    added = [Holiday(**row) for row in shipped_holidays() if row["day"] not in known]
    db.session.add_all(added)
    return len(added)


def holiday_days() -> frozenset[date]:
    """Every holiday day: the table's, or the shipped file's while the table is
    empty (a fresh installation still counts holidays)."""
    days = frozenset(db.session.scalars(select(Holiday.day)))
    return days or frozenset(row["day"] for row in shipped_holidays())


def deadline_after(moment: datetime, working_days: int) -> date:
    """The last local day to answer something received at ``moment``."""
    return workdays.add_working_days(to_local_day(moment), working_days, holiday_days())


def extend_deadline(due: date, working_days: int) -> date:
    return workdays.add_working_days(due, working_days, holiday_days())


def working_days_taken(start: datetime, end: datetime) -> int:
    """Working days between two moments, in local days (0 the same day)."""
    return workdays.working_days_between(
        to_local_day(start), to_local_day(end), holiday_days()
    )


def save_holiday(
    actor, holiday: Holiday | None, *, day, name_ar, name_fr, kind, confirmed, now
) -> Holiday:
    """Create or correct a holiday; one holiday per day.

    Raises HolidayTaken.
    """
    clash = db.session.scalar(
        select(Holiday).where(
            Holiday.day == day, Holiday.id != (holiday.id if holiday else -1)
        )
    )
    if clash:
        raise HolidayTaken(
            _("%(day)s is already a holiday.", day=day.isoformat()), field="day"
        )
    if holiday is None:
        holiday = Holiday()
        db.session.add(holiday)
    holiday.day, holiday.kind, holiday.confirmed = day, kind, confirmed
    holiday.name_ar, holiday.name_fr = name_ar.strip(), name_fr.strip()
    db.session.flush()  # the audit entry needs the id
    record_action(
        actor,
        "holiday.save",
        "holiday",
        holiday.id,
        now,
        {"day": day.isoformat(), "kind": kind, "confirmed": confirmed},
    )
    return holiday


def delete_holiday(actor, holiday: Holiday, now) -> None:
    record_action(
        actor,
        "holiday.delete",
        "holiday",
        holiday.id,
        now,
        {"day": holiday.day.isoformat()},
    )
    db.session.delete(holiday)


def holidays_query(year: int | None = None):
    query = select(Holiday).order_by(Holiday.day)
    if year:
        query = query.where(Holiday.day.between(date(year, 1, 1), date(year, 12, 31)))
    return query
