"""What views of every domain need about cycles."""

from flask import abort

from pbvote.communes.services import current_commune
from pbvote.cycles.models import Cycle
from pbvote.cycles.services import get_cycle


def cycle_or_404(cycle_id: int) -> Cycle:
    """The cycle of this installation's commune with that id, or a 404 page."""
    cycle = get_cycle(current_commune(), cycle_id)
    if cycle is None:
        abort(404)
    return cycle
