"""``pbvote verify-poll`` (anyone, on a downloaded record) and ``pbvote
polls-count-due`` (cron, for installs without a worker)."""

import json
import sys

import click
from flask.cli import with_appcontext


@click.command("verify-poll")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--key",
    "expected_key",
    metavar="FINGERPRINT",
    help="The results key's fingerprint published when the poll opened (poll "
    "page, receipt SMS). A record signed by another key fails.",
)
def verify_poll(file, expected_key):
    """Check a downloaded poll record: key, signature, hash chain, count of
    ballots, digest and a recount of every question. Exits 1 on any failure, 2
    if the file cannot be read."""
    from pbvote.polls.verify import verify_document
    from pbvote.results.commands import report_checks
    from pbvote.results.verify import RecordUnreadable

    try:
        with open(file, encoding="utf-8") as handle:
            checks = verify_document(json.load(handle), expected_key)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        reason = (
            error
            if isinstance(error, RecordUnreadable)
            else f"{type(error).__name__}: {error}"
        )
        click.echo(f"FAIL cannot read {file}: {reason}", err=True)
        sys.exit(2)
    report_checks(checks)


@click.command("polls-count-due")
@click.option(
    "--retry", is_flag=True, help="Also count again the polls whose count failed."
)
@with_appcontext
def polls_count_due(retry):
    """Count and publish every poll whose period has ended."""
    from jobs.polls import count_due

    click.echo(count_due(retry=retry))


commands = [verify_poll, polls_count_due]
