"""``pbvote meetings remind``: run by cron (hourly is enough) to send reminders."""

import click
from flask.cli import AppGroup

from pbvote.core.time import utcnow
from pbvote.extensions import db

group = AppGroup("meetings", help="Public meetings and hearings.")


@group.command("remind")
def remind():
    """Queue SMS reminders for meetings starting within the next 24 hours."""
    from pbvote.meetings.services import schedule_reminders

    count = schedule_reminders(utcnow())
    db.session.commit()  # the jobs are enqueued by this commit
    click.echo(f"{count} meetings to remind.")


commands = [group]
