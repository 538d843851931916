"""Voting jobs."""

from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.voting import registry
from pbvote.voting.models import ImportRun


def import_registry(run_id: int) -> str:
    """Load a registry CSV in batches, committing after each so the progress page
    moves; run again after a crash, it carries on from the last committed batch, and
    a finished run is left as it is. Returns the run's status."""
    for _run in registry.import_batches(run_id, utcnow):
        db.session.commit()
    run = db.session.get(ImportRun, run_id)
    db.session.commit()
    return run.status if run else "missing"
