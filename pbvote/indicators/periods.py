"""Periods the indicators are computed for: a quarter, a year or a cycle, each
with the period before it. Bounds are moments in the commune's time zone."""

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from flask_babel import gettext as _
from sqlalchemy import select

from pbvote.core.time import last_local_day, local_day_start, to_local_day
from pbvote.cycles.models import Cycle
from pbvote.extensions import db
from pbvote.indicators.errors import IndicatorError

KINDS = ("quarter", "year", "cycle")


@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    number: int  # the quarter (1-4), the cycle id, or 0 for a year
    start: datetime
    end: datetime  # exclusive

    @property
    def code(self) -> str:
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        if self.kind == "cycle":
            return f"cycle-{self.number}"
        return str(self.year)

    # Cached: a dashboard's look-ups read them about 80 times (each one a time
    # zone conversion). cached_property writes the instance's __dict__, which a
    # frozen dataclass allows; equality and hashing use the fields only.
    @cached_property
    def first_day(self) -> date:
        return to_local_day(self.start)

    @cached_property
    def last_day(self) -> date:
        return last_local_day(self.end)


def _midnight(day: date) -> datetime:
    return local_day_start(day)


def quarter(year: int, number: int) -> Period:
    if number not in (1, 2, 3, 4):
        raise IndicatorError(_("Choose a quarter from 1 to 4."))
    start = date(year, 3 * number - 2, 1)
    end = date(year + (number == 4), (3 * number) % 12 + 1, 1)
    return Period("quarter", year, number, _midnight(start), _midnight(end))


def year(value: int) -> Period:
    return Period(
        "year", value, 0, _midnight(date(value, 1, 1)), _midnight(date(value + 1, 1, 1))
    )


def cycle(commune_id: int, cycle_id: int) -> Period:
    row = db.session.get(Cycle, cycle_id)
    if row is None or row.commune_id != commune_id:
        raise IndicatorError(_("There is no such cycle."))
    starts = [p.starts_at_dt for p in row.phases] or [row.created_at_dt]
    return Period("cycle", row.year, row.id, min(starts), row.ends_at_dt)


def previous(commune_id: int, period: Period) -> Period | None:
    """The period just before: the quarter, year or cycle before."""
    if period.kind == "quarter":
        if period.number == 1:
            return quarter(period.year - 1, 4)
        return quarter(period.year, period.number - 1)
    if period.kind == "year":
        return year(period.year - 1)
    earlier = db.session.scalar(
        select(Cycle.id)
        .where(Cycle.commune_id == commune_id, Cycle.ends_at_dt < period.end)
        .where(Cycle.id != period.number)
        .order_by(Cycle.ends_at_dt.desc())
        .limit(1)
    )
    return cycle(commune_id, earlier) if earlier else None


def year_before(commune_id: int, period: Period) -> Period | None:
    """The same period a year earlier, for the annual growth rate."""
    if period.kind == "quarter":
        return quarter(period.year - 1, period.number)
    return previous(commune_id, period)


def parse(commune_id: int, code: str | None, today: date) -> Period:
    """``2026-Q3``, ``2026`` or ``cycle-12``; empty means the current year.
    Raises IndicatorError with a clear message for anything else."""
    code = (code or "").strip()
    if not code:
        return year(today.year)
    try:
        if code.startswith("cycle-"):
            return cycle(commune_id, _int(code[6:]))
        if "-Q" in code:
            head, _sep, tail = code.partition("-Q")
            return quarter(_year(head), _int(tail))
        return year(_year(code))
    except ValueError:
        raise IndicatorError(
            _("Choose a period such as 2026-Q3, 2026 or a cycle.")
        ) from None


def _int(text: str) -> int:
    value = int(text)
    if not 0 < value < 2**31:
        raise ValueError(text)
    return value


def _year(text: str) -> int:
    value = _int(text)
    if not 2000 <= value <= 2100:
        raise ValueError(text)
    return value
