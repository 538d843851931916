"""Changing a cycle's dates once it runs.

Moving the dates of the phase running now changes what residents may do at once,
so it needs an explicit confirmation and a reason that is published on the
timeline. Voting, once opened, may only be extended: its start stays and its end
may only move later (never while or after it has closed), so that an edit cannot
end a vote early, silently or not.
"""

from datetime import datetime

from flask_babel import gettext as _

from pbvote.cycles.errors import DateChangeNeedsConfirmation, VotingDatesLocked
from pbvote.cycles.labels import PHASE_LABELS
from pbvote.cycles.models import PHASES, Cycle, DateChange

Span = tuple[datetime, datetime]


def spans_of(starts: dict[str, datetime], ends_at: datetime) -> dict[str, Span]:
    """Each phase runs from its start until the next one starts."""
    moments = [starts[kind] for kind in PHASES] + [ends_at]
    return {kind: (moments[i], moments[i + 1]) for i, kind in enumerate(PHASES)}


def changed_spans(cycle: Cycle, new: dict[str, Span]) -> dict[str, dict]:
    """{kind: {"old": [start, end], "new": [start, end]}} for every phase that
    moves, in ISO 8601 (UTC), for the audit log and the public notice."""
    starts = cycle.phase_starts()
    if set(starts) != set(PHASES):
        return {}  # a cycle being created has no old dates
    old = spans_of(starts, cycle.ends_at_dt)
    return {
        kind: {
            "old": [moment.isoformat() for moment in old[kind]],
            "new": [moment.isoformat() for moment in new[kind]],
        }
        for kind in PHASES
        if old[kind] != new[kind]
    }


def check_date_change(
    cycle: Cycle,
    current: str | None,
    new: dict[str, Span],
    now: datetime,
    *,
    reason: str,
    confirmed: bool,
) -> dict[str, dict]:
    """The phases whose dates move; raises VotingDatesLocked or
    DateChangeNeedsConfirmation when the change is not allowed as asked."""
    changes = changed_spans(cycle, new)
    if "voting" in changes:
        _check_voting(cycle, new["voting"], now)
    if current in changes and not (confirmed and reason.strip()):
        raise DateChangeNeedsConfirmation(
            _(
                "These dates change the running phase “%(phase)s”. Give the reason "
                "that will be shown to the public and tick the confirmation.",
                phase=PHASE_LABELS[current],
            )
        )
    return changes


def _check_voting(cycle: Cycle, new: Span, now: datetime) -> None:
    old = spans_of(cycle.phase_starts(), cycle.ends_at_dt)["voting"]
    if now < old[0]:
        return  # not opened yet: any order-respecting dates
    if now >= old[1]:
        raise VotingDatesLocked(_("Voting has closed: its dates can no longer change."))
    if new[0] != old[0] or new[1] < old[1]:
        raise VotingDatesLocked(
            _(
                "Voting has opened: its start cannot move and its end can only be "
                "made later (to extend the vote)."
            )
        )


def publish_date_change(
    cycle: Cycle, changes: dict[str, dict], reason: str, now: datetime
) -> None:
    """Keep the reason for the public timeline."""
    cycle.date_changes.append(
        DateChange(changed_at_dt=now, reason=reason.strip()[:500], changes=changes)
    )
