"""When may residents verify and vote?"""

from datetime import datetime

from sqlalchemy import exists, func, select

from pbvote.core.processcache import ProcessCache
from pbvote.cycles.errors import PhaseClosed
from pbvote.cycles.models import Cycle
from pbvote.cycles.services import require_phase
from pbvote.extensions import db
from pbvote.proposals.models import Project, Proposal
from pbvote.reviews.errors import ReviewError
from pbvote.reviews.services import check_ready_for_voting

# "Ready" (never "not ready") is kept per process for PROCESS_CACHE_SECONDS: once
# voting runs, proposals are answered and projects exist; a change in this process
# empties it at once (pbvote.core.processcache).
_READY = ProcessCache("voting-ready", (Proposal, Project))


def _ready(cycle_id: int) -> bool:
    """Every proposal answered and at least one project, in one query."""
    unanswered, has_projects = db.session.execute(
        select(
            select(func.count())
            .where(Proposal.cycle_id == cycle_id, Proposal.status == "submitted")
            .scalar_subquery(),
            exists().where(Project.cycle_id == cycle_id),
        )
    ).one()
    return unanswered == 0 and bool(has_projects)


def require_voting_open(cycle: Cycle, now: datetime) -> None:
    """Voting is open when its phase runs by server time AND every proposal of the
    cycle has its published answer (the charter's promise to answer every proposer
    comes before the vote). Raises PhaseClosed with the reason."""
    current = require_phase(cycle, ("voting",), now)
    if _READY.get(cycle.id, lambda: _ready(cycle.id) or None):
        return
    try:
        check_ready_for_voting(cycle)  # not ready: the sentence that says why
    except ReviewError as error:
        raise PhaseClosed(str(error), current) from error
