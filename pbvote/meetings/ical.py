"""The iCalendar feed of upcoming meetings (RFC 5545), built with ``icalendar``."""

from datetime import datetime

from icalendar import Calendar, Event

from pbvote.meetings.models import Meeting


def build_feed(meetings: list[Meeting], url_of, host: str, now: datetime) -> bytes:
    """One VEVENT per meeting; ``url_of(meeting)`` gives its public page. Times are
    UTC in the feed; calendar apps show them in the reader's zone."""
    calendar = Calendar()
    calendar.add("prodid", "-//pbvote//Ouazzane meetings//AR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Ouazzane participation")
    calendar.add("x-wr-timezone", "Africa/Casablanca")
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.id}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", meeting.starts_at_dt)
        event.add("dtend", meeting.ends_at_dt)
        event.add("summary", meeting.title)
        event.add("description", meeting.agenda)
        event.add("location", meeting.place or meeting.online_url)
        event.add("url", url_of(meeting))
        calendar.add_component(event)
    return calendar.to_ical()
