"""The voting blueprint and the session look-ups its route modules share, so that
no route module imports another (``views`` imports them all at the top)."""

from flask import Blueprint, session

from pbvote.voting import verification

bp = Blueprint("voting", __name__)


def vote_state(name: str, cycle_id: int, default=None):
    """A per-cycle value kept in the session (tokens, attempt ids)."""
    return session.get(name, {}).get(str(cycle_id), default)


def verified_voter(cycle):
    """This session's current verification for ``cycle``, or None."""
    return verification.verification_for(cycle, vote_state("vote_tokens", cycle.id))
