"""Poll jobs: mixing held ballots into the poll's chain, counting a closed poll,
and the worker's safety net (every few seconds: due batches and due counts)."""

from pbvote.core.time import utcnow
from pbvote.extensions import db


def mix_ballots(poll_id: int) -> int:
    """Mix the poll's held ballots into its public chain if a batch is due; run
    as the budget vote's is (jobs.voting.mix_ballots: after the vote's commit
    without Redis, else by the workers' tick)."""
    from jobs.voting import vacuum_held
    from pbvote.polls.services import POLL_BOX
    from pbvote.voting.holding import mix_held

    appended = mix_held(poll_id, utcnow(), box=POLL_BOX)
    db.session.commit()
    if appended:
        vacuum_held(POLL_BOX.held.__tablename__)
    return appended


def count_poll(poll_id: int) -> str:
    """Count and publish one poll if its period has ended; a broken chain is
    audited as a failure and nothing is published."""
    from pbvote.polls.counting import count_and_publish

    status = count_and_publish(poll_id, utcnow())
    db.session.commit()
    return status


def count_due(retry: bool = False) -> str:
    """Count every due poll (``retry``: also those whose count failed)."""
    from pbvote.polls.counting import due_polls

    due = due_polls(utcnow(), retry=retry)
    done = [f"{poll_id}: {count_poll(poll_id)}" for poll_id in due]
    return "; ".join(done) or "no poll to count"


def safety_net() -> str:
    """Mix due batches of every poll, then count every poll whose period ended."""
    from pbvote.polls.services import POLL_BOX
    from pbvote.voting.holding import cycles_with_held, mix_held

    mixed = 0
    for poll_id in cycles_with_held(box=POLL_BOX):
        mixed += mix_held(poll_id, utcnow(), box=POLL_BOX)
        db.session.commit()
    if mixed:
        from jobs.voting import vacuum_held

        vacuum_held(POLL_BOX.held.__tablename__)
    return f"{mixed} poll ballots mixed; {count_due()}"
