"""What views of every domain need about cycles."""

from flask import abort

from pbvote.communes.services import current_commune
from pbvote.cycles.models import Cycle
from pbvote.cycles.services import get_cycle, get_cycle_cached


def cycle_or_404(cycle_id: int, *, cached: bool = False) -> Cycle:
    """The cycle of this installation's commune with that id, or a 404 page.
    ``cached``: with its phases, from the per-process cache (pages residents use
    while voting; never for a page that edits the cycle)."""
    getter = get_cycle_cached if cached else get_cycle
    cycle = getter(current_commune(), cycle_id)
    if cycle is None:
        abort(404)
    return cycle
