"""Working days of the Moroccan administration: Monday to Friday, minus public
holidays. Pure functions; the holidays themselves are data (pbvote.holidays).

A deadline of N working days from a day D is the N-th working day after D: the
day of receipt does not count, weekends and holidays are skipped.
"""

import calendar
from collections.abc import Collection
from datetime import date, timedelta

WEEKEND = (5, 6)  # Saturday, Sunday


def is_working_day(day: date, holidays: Collection[date]) -> bool:
    return day.weekday() not in WEEKEND and day not in holidays


def add_working_days(start: date, count: int, holidays: Collection[date]) -> date:
    """The ``count``-th working day after ``start`` (``start`` itself never counts)."""
    if count < 0:
        raise ValueError("count must be zero or more")
    day = start
    while count:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            count -= 1
    return day


def working_days_between(start: date, end: date, holidays: Collection[date]) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if end <= start):
    how long an answer given on ``end`` took."""
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            days += 1
    return days


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter
    (30 November + 3 months = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
