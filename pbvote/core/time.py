"""Timezone-aware UTC time. Services receive ``now`` as an argument; views pass this."""

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def day_of(moment: datetime) -> date:
    """The UTC calendar day of a moment: the finest time a ballot may carry."""
    return moment.astimezone(UTC).date()
