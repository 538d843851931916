"""The ``pbvote`` command: Flask's CLI for this app plus pbvote's own commands.

Every pbvote command is registered on the group itself, so ``pbvote --help``
lists them all and the offline ones (``tally-file``, ``verify-results``) run
without the app: no secrets, no database. Commands that need the app load it
when they run (``with_appcontext``), and the app still refuses to start without
its secrets outside development.
"""

import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, NoAppException, ScriptInfo, with_appcontext
from flask_migrate.cli import db as db_commands

from pbvote.config import ConfigError


def _create_app():
    from pbvote import create_app

    try:
        return create_app()
    except ConfigError as error:  # shown as "Error: ..." rather than a traceback
        raise NoAppException(str(error)) from None


class PbvoteGroup(FlaskGroup):
    """A FlaskGroup whose help does not need the app.

    Flask lists an app's own commands by loading it, printing a traceback when
    that fails; pbvote's commands all live on this group, so help lists them
    without the app and adds the app's extras only when it loads.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugin_commands()
        names = set(click.Group.list_commands(self, ctx))
        try:
            app = ctx.ensure_object(ScriptInfo).load_app()
        except NoAppException:
            return sorted(names)
        return sorted(names | set(app.cli.list_commands(ctx)))


@click.group(cls=PbvoteGroup, create_app=_create_app)
def main():
    """pbvote: participatory budgeting for Ouazzane."""


def pbvote_commands() -> list:
    """Every pbvote command: the app-wide ones here, the engine's and the
    domains' (``pbvote/<domain>/commands.py``)."""
    from pbvote.core.commands import domain_commands
    from pbvote.engine.cli import tally_file_command

    own = [worker, demo, seed_commune, sms_retry, create_admin, demo_code, jobs_flush]
    return [*own, tally_file_command, *domain_commands()]


main.add_command(db_commands)  # Flask-Migrate's, listed even without the app


def register(app) -> None:
    """Also offer the commands as ``flask --app pbvote ...`` and to test runners."""
    for command in pbvote_commands():
        app.cli.add_command(command)


@click.command()
@click.argument("queues", nargs=-1)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option(
    "--scheduler/--no-scheduler",
    default=True,
    help="Also run scheduled jobs (end of voting, daily checks).",
)
@click.option(
    "--fork/--no-fork",
    default=None,
    help="Run each job in a forked process (the default) or in this one (the "
    "default for `pbvote worker sms`: a fork per message is slower than sending it).",
)
@with_appcontext
def worker(queues, burst, scheduler, fork):
    """Run an RQ worker with this app's context (queues: default sms tally followup)."""
    from pbvote.core.jobs import (
        QUEUE_NAMES,
        PbvoteSimpleWorker,
        PbvoteWorker,
        flush_deferred_jobs,
        get_queue,
    )
    from pbvote.extensions import db

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException(
            "Set REDIS_URL: without it jobs run in-process and no worker is needed."
        )
    sent = flush_deferred_jobs()
    if sent:
        click.echo(f"{sent} jobs kept while Redis was down were queued.")
    # Forked job processes must open their own database connections.
    db.session.remove()
    db.engine.dispose()
    names = queues or QUEUE_NAMES
    if fork is None:
        fork = set(names) != {"sms"}
    worker_class = PbvoteWorker if fork else PbvoteSimpleWorker
    worker_class(
        [get_queue(name) for name in names], connection=get_queue(names[0]).connection
    ).work(burst=burst, with_scheduler=scheduler)


@click.command("jobs-flush")
@with_appcontext
def jobs_flush():
    """Queue the jobs kept in the database while Redis was unreachable."""
    from pbvote.core.jobs import flush_deferred_jobs

    click.echo(f"{flush_deferred_jobs()} jobs queued.")


@click.command("seed-commune")
@with_appcontext
def seed_commune():
    """Create the commune of Ouazzane and its districts if missing."""
    from pbvote.demo import ensure_commune
    from pbvote.extensions import db

    commune = ensure_commune()
    db.session.commit()
    click.echo(f"Commune {commune.name_fr}: {len(commune.districts)} districts.")


@click.command()
@click.option("--reset", is_flag=True, help="Empty the database first (SQLite demo).")
@with_appcontext
def demo(reset):
    """Seed a realistic Ouazzane demo and print the logins."""
    from pbvote.demo import seed_demo

    for line in seed_demo(reset=reset):
        click.echo(line)


@click.command("sms-retry")
@with_appcontext
def sms_retry():
    """Queue another delivery for every failed text message."""
    from jobs.sms import retry_failed_sms

    click.echo(f"{retry_failed_sms()} messages queued again.")


@click.command("create-admin")
@click.argument("username")
@click.option("--name", default="", help="Full name.")
@with_appcontext
def create_admin(username, name):
    """Create an administrator and print a one-time password."""
    from pbvote.accounts.services import create_staff
    from pbvote.communes.services import current_commune
    from pbvote.core.time import utcnow
    from pbvote.extensions import db

    try:
        user, password = create_staff(
            None, current_commune().id, username, name or username, ["admin"], utcnow()
        )
    except Exception as error:  # noqa: BLE001 - shown to the operator
        raise click.ClickException(str(error))
    db.session.commit()
    click.echo(f"Administrator {user.username}, one-time password: {password}")


@click.command("demo-code")
@click.argument("username")
@with_appcontext
def demo_code(username):
    """Development only: print a demo staff member's current TOTP code."""
    import pyotp
    from sqlalchemy import select

    from pbvote.accounts.models import User
    from pbvote.accounts.services import TOTP_SEAL
    from pbvote.core.security import open_secret
    from pbvote.extensions import db

    if current_app.config["ENV_NAME"] != "development":
        raise click.ClickException("demo-code works only with PBVOTE_ENV=development.")
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.totp_secret_enc:
        raise click.ClickException(f"No enrolled staff member {username}.")
    click.echo(pyotp.TOTP(open_secret(TOTP_SEAL, user.totp_secret_enc)).now())


for _command in pbvote_commands():
    main.add_command(_command)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
