"""``pbvote seed-proposal-data``: the default categories, the charter's advisory
bodies and their assignment rules, for a fresh installation."""

import click
from flask.cli import with_appcontext


@click.command("seed-proposal-data")
@with_appcontext
def seed_proposal_data():
    """Create the default proposal categories and advisory bodies (idempotent)."""
    from pbvote.communes.services import current_commune
    from pbvote.extensions import db
    from pbvote.proposals.services import active_categories
    from pbvote.reviews.bodies import ensure_bodies

    commune = current_commune()
    bodies = ensure_bodies(commune.id)
    db.session.commit()
    click.echo(
        f"{len(active_categories(commune.id))} categories and {len(bodies)} "
        f"advisory bodies for {commune.name_fr}."
    )


commands = [seed_proposal_data]
