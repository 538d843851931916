"""``pbvote voting-purge``: delete the personal trail no longer needed (expired
codes and attempts, rate-limit events, sent codes and receipts, used kiosk passes).
The worker does the same every few seconds; this is for runs without a worker."""

import click
from flask.cli import with_appcontext


@click.command("voting-purge")
@with_appcontext
def voting_purge():
    """Delete expired codes, attempts, rate events, sent SMS and kiosk passes."""
    from pbvote.core.time import utcnow
    from pbvote.extensions import db
    from pbvote.voting.purge import purge_personal_trail

    counts = purge_personal_trail(utcnow())
    db.session.commit()
    click.echo(", ".join(f"{n} {kind}" for kind, n in counts.items()) + " removed.")


commands = [voting_purge]
