"""``pbvote tally-due`` and ``pbvote verify-results``."""

import json
import sys

import click
from flask.cli import with_appcontext


@click.command("tally-due")
@with_appcontext
def tally_due():
    """Start the tally of every cycle whose voting has ended and that has none."""
    from pbvote.core.time import utcnow
    from pbvote.extensions import db
    from pbvote.results.errors import TallyError
    from pbvote.results.services import due_cycles, start_tally

    now = utcnow()
    cycles = due_cycles(now)
    if not cycles:
        click.echo("No cycle is waiting for its count.")
    for cycle in cycles:
        try:
            run = start_tally(None, cycle, now)
        except TallyError as error:
            db.session.rollback()
            click.echo(f"Cycle {cycle.year} (id {cycle.id}): not started: {error}")
            continue
        db.session.commit()
        click.echo(f"Cycle {cycle.year} (id {cycle.id}): count started (run {run.id}).")


@click.command("verify-results")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--key",
    "expected_key",
    metavar="FINGERPRINT",
    help="The signing key's fingerprint published when voting opened (ballot-box "
    "page, receipt SMS, API). A record signed by another key fails.",
)
def verify_results(file, expected_key):
    """Check a downloaded ballot record (the JSON download): the signing key,
    signature, that what it shows is what was signed, the hash chain up to the
    signed head, as many opened ballots as receipts, the digest of the opened
    ballots and a recount of every scope. Exits 1 on any failure, 2 if the file
    cannot be read."""
    from pbvote.results.verify import RecordUnreadable, verify_document

    try:
        with open(file, encoding="utf-8") as handle:
            document = json.load(handle)
        checks = verify_document(document, expected_key)
    except (OSError, ValueError, KeyError, TypeError) as error:
        reason = (
            error
            if isinstance(error, RecordUnreadable)
            else (f"{type(error).__name__}: {error}")
        )
        click.echo(f"FAIL cannot read {file}: {reason}", err=True)
        sys.exit(2)
    report_checks(checks)


def report_checks(checks) -> None:
    """Print each check and the verdict; exit 1 if any failed (also used by
    ``pbvote verify-poll``)."""
    for check in checks:
        click.echo(check.line())
    failed = [check for check in checks if not check.ok]
    if failed:
        click.echo(f"RESULT: FAIL ({len(failed)} of {len(checks)} checks failed)")
        sys.exit(1)
    click.echo(f"RESULT: OK (all {len(checks)} checks passed)")


commands = [tally_due, verify_results]
