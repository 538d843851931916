"""Time: stored in UTC, read and typed in the commune's time zone.

Services receive ``now`` as an argument; views pass :func:`utcnow`. Dates typed by
staff are local days of the commune (``Commune.time_zone``, Africa/Casablanca by
default): a phase starting on a day starts at 00:00 there, and a cycle ending on a
day ends at the end of that day there. Templates show every moment in that zone
(the ``day`` and ``moment`` filters of :mod:`pbvote.core.i18n`).
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIME_ZONE = "Africa/Casablanca"
ZONE_PROVIDER = "pbvote_commune_zone"  # app.extensions key: () -> zone name


def utcnow() -> datetime:
    return datetime.now(UTC)


def day_of(moment: datetime) -> date:
    """The UTC calendar day of a moment: the finest time a ballot may carry."""
    return moment.astimezone(UTC).date()


@lru_cache(maxsize=16)
def zone_named(name: str | None) -> ZoneInfo:
    """The zone called ``name``; an unknown or empty name is the default's."""
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def commune_zone() -> ZoneInfo:
    """The zone of the commune this installation serves (Africa/Casablanca when no
    commune is configured yet or outside an app context). The communes domain
    provides it (``ZONE_PROVIDER`` in ``app.extensions``), so core imports no domain."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return zone_named(None)
    provider = current_app.extensions.get(ZONE_PROVIDER)
    return zone_named(provider() if provider else None)


def local_day_start(day: date, zone: ZoneInfo | None = None) -> datetime:
    """00:00 of ``day`` in the commune, as an aware UTC datetime."""
    local = datetime.combine(day, time.min, tzinfo=zone or commune_zone())
    return local.astimezone(UTC)


def local_day_end(day: date, zone: ZoneInfo | None = None) -> datetime:
    """The end of ``day`` in the commune: 00:00 of the next local day, in UTC."""
    return local_day_start(day + timedelta(days=1), zone)


def to_local_day(moment: datetime, zone: ZoneInfo | None = None) -> date:
    """The commune's calendar day at ``moment``."""
    return moment.astimezone(zone or commune_zone()).date()


def last_local_day(end: datetime, zone: ZoneInfo | None = None) -> date:
    """The last local day of something that ends at ``end`` (exclusive)."""
    return to_local_day(end - timedelta(microseconds=1), zone)


def covering(spans) -> tuple[datetime, datetime]:
    """The (first start, last end) of ``(start, end)`` spans: one read serves them all."""
    return min(start for start, _end in spans), max(end for _start, end in spans)


def split_by_span(rows, spans, moment) -> list[list]:
    """``rows`` whose ``moment(row)`` falls in each ``[start, end)`` of ``spans``
    (spans may overlap: a row can be in several)."""
    return [[row for row in rows if start <= moment(row) < end] for start, end in spans]
