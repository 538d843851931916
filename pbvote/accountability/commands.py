"""``pbvote execution ...``: the daily check (cron-able) and reports on demand."""

import re

import click
from flask.cli import with_appcontext


@click.group("execution")
def execution():
    """Follow-up of the winning projects' execution."""


@execution.command("daily")
@with_appcontext
def daily():
    """Flag overdue projects and make the reports that are due (run once a day)."""
    from jobs.accountability import daily_checks

    summary = daily_checks()
    click.echo(
        f"{summary['overdue']} project(s) newly flagged overdue; "
        f"{len(summary['reports'])} report(s) available for the last period."
    )


@execution.command("flag-overdue")
@with_appcontext
def flag_overdue():
    """Only flag projects whose planned end has passed without completion."""
    from pbvote.accountability.daily import flag_overdue_everywhere
    from pbvote.core.time import utcnow
    from pbvote.extensions import db

    total = flag_overdue_everywhere(utcnow())
    db.session.commit()
    click.echo(f"{total} project(s) newly flagged overdue.")


@execution.command("report")
@click.argument("period")
@with_appcontext
def report(period):
    """Make the report of PERIOD: a quarter (2026-Q3) or a year (2025)."""
    from jobs.accountability import generate_report
    from pbvote.accountability.errors import AccountabilityError
    from pbvote.communes.services import current_commune

    match = re.fullmatch(r"(\d{4})(?:-Q([1-4]))?", period.strip().upper())
    if not match:
        raise click.BadParameter("Use 2026-Q3 for a quarter or 2025 for a year.")
    year, quarter = int(match.group(1)), int(match.group(2) or 0)
    try:
        report_id = generate_report(
            current_commune().id, "quarter" if quarter else "year", year, quarter
        )
    except AccountabilityError as error:
        raise click.ClickException(str(error))
    click.echo(f"Report {period} is available (id {report_id}).")


commands = [execution]
