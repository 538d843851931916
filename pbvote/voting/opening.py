"""When may residents verify and vote?"""

from datetime import datetime

from pbvote.cycles.errors import PhaseClosed
from pbvote.cycles.models import Cycle
from pbvote.cycles.services import require_phase
from pbvote.reviews.errors import ReviewError
from pbvote.reviews.services import check_ready_for_voting


def require_voting_open(cycle: Cycle, now: datetime) -> None:
    """Voting is open when its phase runs by server time AND every proposal of the
    cycle has its published answer (the charter's promise to answer every proposer
    comes before the vote). Raises PhaseClosed with the reason."""
    current = require_phase(cycle, ("voting",), now)
    try:
        check_ready_for_voting(cycle)
    except ReviewError as error:
        raise PhaseClosed(str(error), current) from error
