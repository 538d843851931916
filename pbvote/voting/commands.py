"""``pbvote voting-purge``: forget unfinished verification attempts (they link an
SMS challenge to a registry entry) once their code has expired."""

from datetime import timedelta

import click
from flask.cli import with_appcontext


@click.command("voting-purge")
@click.option(
    "--hours", default=24, show_default=True, help="Remove attempts older than this."
)
@with_appcontext
def voting_purge(hours):
    """Delete verification attempts older than HOURS (run it daily)."""
    from pbvote.core.time import utcnow
    from pbvote.extensions import db
    from pbvote.voting.verification import purge_attempts

    removed = purge_attempts(utcnow() - timedelta(hours=hours))
    db.session.commit()
    click.echo(f"{removed} verification attempts removed.")


commands = [voting_purge]
