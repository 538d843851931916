"""The voting blueprint and the session look-ups its route modules share, so that
no route module imports another (``views`` imports them all at the top)."""

from flask import Blueprint, session

from pbvote.core.time import utcnow
from pbvote.voting import verification
from pbvote.voting.errors import VerificationExpired

bp = Blueprint("voting", __name__)

# The session's claim: a right code not yet cast (pbvote.voting.verification).
CLAIM = "vote_verified"


def vote_state(name: str, cycle_id: int, default=None):
    """A per-cycle value kept in the session (tokens, attempt ids)."""
    return session.get(name, {}).get(str(cycle_id), default)


def session_voter(cycle, now=None):
    """Who is voting in this session for ``cycle`` (a verification.Voter), or
    None: its claim while live, else its verification token (a kiosk, a vote
    already cast, a poll's verification). Raises VerificationExpired."""
    claim = vote_state(CLAIM, cycle.id)
    if not claim:
        return verification.voter_for(cycle, vote_state("vote_tokens", cycle.id))
    voter = verification.claimed_voter(cycle, claim, now or utcnow())
    # A used claim: its token's verification exists once the cast committed.
    return voter or verification.voter_for(cycle, claim["token"])


def ballot_voter(cycle, now=None):
    """Who may review a ballot in this session (district, voted): for a live
    claim, what the code step read, from the signed session without the
    database (issue 13); the cast checks the claim again in its transaction, so
    a claim used or superseded since is refused there. Else
    :func:`session_voter`. Raises VerificationExpired."""
    claim = vote_state(CLAIM, cycle.id)
    voter = claim and verification.voter_in_claim(claim, now or utcnow())
    return voter or session_voter(cycle, now)


def verified_voter(cycle):
    """:func:`session_voter`, None for an expired claim."""
    try:
        return session_voter(cycle)
    except VerificationExpired:
        return None
