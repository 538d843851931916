"""Budget cycles: phases on a timeline, and money split into scopes.

Phase rules are enforced here, on the server, by :func:`require_phase`.
"""

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from pbvote.audit.services import record_action
from pbvote.communes.models import Commune
from pbvote.core.i18n import format_list, format_mad
from pbvote.core.processcache import ProcessCache, detached_copy
from pbvote.cycles import schedule
from pbvote.cycles.errors import (
    CycleYearTaken,
    InvalidBallotRule,
    InvalidPhaseDates,
    PhaseClosed,
    ScopeAmountsMismatch,
)
from pbvote.cycles.labels import PHASE_LABELS
from pbvote.cycles.models import BALLOT_RULES, PHASES, TALLY_RULES, Cycle, Phase, Scope
from pbvote.extensions import db

EDITABLE_SCOPES_PHASES = ("preparation", "proposals", "review", None)


def phase_at(cycle: Cycle, now: datetime) -> str | None:
    """The phase running at ``now``: None before the cycle, "closed" after it."""
    if now >= cycle.ends_at_dt:
        return "closed"
    current = None
    for phase in sorted(cycle.phases, key=lambda p: p.starts_at_dt):
        if phase.starts_at_dt <= now:
            current = phase.kind
    return current


def phase_span(cycle: Cycle, kind: str) -> tuple[datetime, datetime] | None:
    """When phase ``kind`` starts and ends."""
    ordered = sorted(cycle.phases, key=lambda p: p.starts_at_dt)
    for index, phase in enumerate(ordered):
        if phase.kind == kind:
            end = (
                ordered[index + 1].starts_at_dt
                if index + 1 < len(ordered)
                else (cycle.ends_at_dt)
            )
            return phase.starts_at_dt, end
    return None


def require_phase(cycle: Cycle, allowed, now: datetime) -> str:
    """Return the current phase if it is one of ``allowed``, else raise PhaseClosed
    with a sentence naming the phase the cycle is in."""
    allowed = (allowed,) if isinstance(allowed, str) or allowed is None else allowed
    current = phase_at(cycle, now)
    if current in allowed:
        return current
    wanted = format_list(PHASE_LABELS[kind] for kind in allowed)
    raise PhaseClosed(
        _(
            "This is not possible now: the cycle is in the phase "
            "“%(current)s”; it is allowed during: %(allowed)s.",
            current=PHASE_LABELS[current],
            allowed=wanted,
        ),
        current,
    )


def current_cycle(commune: Commune, now: datetime) -> Cycle | None:
    """The cycle running now, else the next one to start, else the latest."""
    cycles = list(
        db.session.scalars(
            select(Cycle)
            .where(Cycle.commune_id == commune.id)
            .order_by(Cycle.year.desc())
        )
    )
    for cycle in cycles:
        starts = [p.starts_at_dt for p in cycle.phases]
        if starts and min(starts) <= now < cycle.ends_at_dt:
            return cycle
    upcoming = [
        c for c in cycles if c.phases and min(p.starts_at_dt for p in c.phases) > now
    ]
    if upcoming:
        return min(upcoming, key=lambda c: min(p.starts_at_dt for p in c.phases))
    return cycles[0] if cycles else None


def running_cycles(commune: Commune, now: datetime) -> list[Cycle]:
    """Cycles under way now, oldest first (this year's vote and next year's
    proposals may overlap); if none, the one :func:`current_cycle` gives."""
    cycles = db.session.scalars(
        select(Cycle).where(Cycle.commune_id == commune.id).order_by(Cycle.year)
    ).all()
    running = [
        c
        for c in cycles
        if c.phases and min(p.starts_at_dt for p in c.phases) <= now < c.ends_at_dt
    ]
    if running:
        return running
    fallback = current_cycle(commune, now)
    return [fallback] if fallback else []


def get_cycle(commune: Commune, cycle_id: int) -> Cycle | None:
    cycle = db.session.get(Cycle, cycle_id)
    return cycle if cycle and cycle.commune_id == commune.id else None


# A cycle's row and phases, per process, for the pages residents vote on
# (pbvote.core.processcache: a change of dates or settings by staff in another
# process takes effect within PROCESS_CACHE_SECONDS, in this one at once).
_CYCLES = ProcessCache("cycle", (Cycle, Phase), rows=(Cycle, Phase))


def get_cycle_cached(commune: Commune, cycle_id: int) -> Cycle | None:
    """:func:`get_cycle` with its phases, from the per-process cache: a read-only
    copy shared by every request of the process, in no session (its columns and
    phases; anything else raises, see pbvote.core.processcache). For pages that
    read the cycle, never for one that changes it."""
    cycle = _CYCLES.get(cycle_id, lambda: _load_cycle(cycle_id))
    return cycle if cycle and cycle.commune_id == commune.id else None


def _load_cycle(cycle_id: int) -> Cycle | None:
    cycle = db.session.get(Cycle, cycle_id)
    return None if cycle is None else detached_copy(cycle, ("phases",))


def _check_dates(starts: dict[str, datetime], ends_at: datetime) -> None:
    missing = [kind for kind in PHASES if starts.get(kind) is None]
    if missing:
        raise InvalidPhaseDates(_("Give a start date for every phase."))
    moments = [starts[kind] for kind in PHASES] + [ends_at]
    for (kind, first), second in zip(zip(PHASES + ("end",), moments), moments[1:]):
        if second <= first:
            raise InvalidPhaseDates(
                _(
                    "The phases must follow each other in order: "
                    "“%(phase)s” must start before the next one.",
                    phase=PHASE_LABELS[kind],
                )
            )


def save_cycle(
    actor,
    commune: Commune,
    cycle: Cycle | None,
    *,
    year: int,
    title_ar: str,
    title_fr: str,
    total_budget: int,
    starts: dict[str, datetime],
    ends_at: datetime,
    now: datetime,
    change_reason: str = "",
    confirmed: bool = False,
) -> Cycle:
    """Create or update a cycle and its phase dates; the audit entry keeps the old
    and new dates of every phase that moves.

    Raises InvalidPhaseDates, CycleYearTaken, PhaseClosed (the budget cannot change
    once voting has opened), VotingDatesLocked and DateChangeNeedsConfirmation
    (see :mod:`pbvote.cycles.schedule`).
    """
    _check_dates(starts, ends_at)
    changes = {}
    if cycle is not None:
        changes = schedule.check_date_change(
            cycle,
            phase_at(cycle, now),
            schedule.spans_of(starts, ends_at),
            now,
            reason=change_reason,
            confirmed=confirmed,
        )
    if total_budget < 0:
        raise ScopeAmountsMismatch(_("The budget cannot be negative."))
    clash = db.session.scalar(
        select(Cycle.id).where(
            Cycle.commune_id == commune.id,
            Cycle.year == year,
            Cycle.id != (cycle.id if cycle else -1),
        )
    )
    if clash:
        raise CycleYearTaken(_("There is already a cycle for %(year)d.", year=year))
    created = cycle is None
    if created:
        cycle = Cycle(commune_id=commune.id, created_at_dt=now, settings={})
        db.session.add(cycle)
    elif cycle.total_budget != total_budget:
        require_phase(cycle, EDITABLE_SCOPES_PHASES, now)
    cycle.year, cycle.title_ar, cycle.title_fr = (
        year,
        title_ar.strip(),
        title_fr.strip(),
    )
    cycle.total_budget, cycle.ends_at_dt = total_budget, ends_at
    by_kind = {phase.kind: phase for phase in cycle.phases}
    for kind in PHASES:
        phase = by_kind.get(kind)
        if phase is None:
            phase = Phase(kind=kind)
            cycle.phases.append(phase)
        phase.starts_at_dt = starts[kind]
    if changes and change_reason.strip():
        schedule.publish_date_change(cycle, changes, change_reason, now)
    db.session.flush()  # the audit entry needs the id
    details = {"year": year, "total_budget": total_budget}
    if changes:
        details.update(dates=changes, reason=change_reason.strip())
    record_action(
        actor,
        "cycle.create" if created else "cycle.update",
        "cycle",
        cycle.id,
        now,
        details,
    )
    return cycle


def scope_key(district_id: int | None) -> str:
    return "commune" if district_id is None else f"district-{district_id}"


def set_scope_amounts(
    actor, cycle: Cycle, amounts: dict[int | None, int], now: datetime
) -> list[Scope]:
    """Split the budget: ``amounts`` maps a district id (None: commune-wide) to MAD.

    The amounts must add up to the cycle's total. A district given 0 has no scope.
    Raises ScopeAmountsMismatch, PhaseClosed (only before voting).
    """
    require_phase(cycle, EDITABLE_SCOPES_PHASES, now)
    if any(amount is None or amount < 0 for amount in amounts.values()):
        raise ScopeAmountsMismatch(_("Amounts must be zero or more dirhams."))
    total = sum(amounts.values())
    if total != cycle.total_budget:
        raise ScopeAmountsMismatch(
            _(
                "The scopes add up to %(sum)s but the cycle's budget is %(total)s "
                "(difference: %(diff)s). Change the amounts so that they add up.",
                sum=format_mad(total),
                total=format_mad(cycle.total_budget),
                diff=format_mad(total - cycle.total_budget),
            )
        )
    existing = {scope.key: scope for scope in cycle.scopes}
    for district_id, amount in amounts.items():
        key = scope_key(district_id)
        scope = existing.pop(key, None)
        if amount == 0 and district_id is not None:
            if scope is not None:
                cycle.scopes.remove(scope)
            continue
        if scope is None:
            scope = Scope(key=key, district_id=district_id)
            cycle.scopes.append(scope)
        scope.amount = amount
    for leftover in existing.values():
        cycle.scopes.remove(leftover)
    db.session.flush()  # scopes get ids for the audit entry
    record_action(
        actor,
        "cycle.scopes",
        "cycle",
        cycle.id,
        now,
        {scope_key(k): v for k, v in amounts.items()},
    )
    return cycle.scopes


def set_scope_rules(
    actor,
    scope: Scope,
    *,
    ballot_rule: str,
    max_projects: int | None,
    min_share_pct: int | None,
    tally_rule: str,
    greedy_fill: bool,
    now: datetime,
    min_votes: int | None = None,
    min_vote_share_pct: int | None = None,
) -> None:
    """Choose how a scope's ballot is filled and counted; only before voting.

    ``min_votes`` and ``min_vote_share_pct`` (of the scope's valid ballots) set
    the support a project needs to be funded under any counting rule.

    Raises InvalidBallotRule, PhaseClosed.
    """
    require_phase(scope.cycle, EDITABLE_SCOPES_PHASES, now)
    if ballot_rule not in BALLOT_RULES or tally_rule not in TALLY_RULES:
        raise InvalidBallotRule(_("Choose one of the listed rules."))
    if ballot_rule == "approval_k" and not (max_projects and max_projects >= 1):
        raise InvalidBallotRule(
            _("Give how many projects a voter may choose (1 or more).")
        )
    if ballot_rule == "approval_min_share" and not (
        min_share_pct and 1 <= min_share_pct <= 100
    ):
        raise InvalidBallotRule(
            _("Give the minimum share of the budget, from 1 to 100 %.")
        )
    scope.ballot_rule, scope.tally_rule = ballot_rule, tally_rule
    scope.ballot_max_projects = max_projects if ballot_rule == "approval_k" else None
    scope.ballot_min_share_pct = (
        min_share_pct if ballot_rule == "approval_min_share" else None
    )
    scope.tally_greedy_fill = greedy_fill
    if min_vote_share_pct is not None and not 1 <= min_vote_share_pct <= 100:
        raise InvalidBallotRule(
            _("Give the minimum share of ballots, from 1 to 100 %.")
        )
    if min_votes is not None and min_votes < 1:
        raise InvalidBallotRule(_("Give the minimum number of votes, 1 or more."))
    scope.tally_min_votes, scope.tally_min_share_pct = min_votes, min_vote_share_pct
    record_action(
        actor,
        "scope.rules",
        "scope",
        scope.id,
        now,
        {
            "ballot_rule": ballot_rule,
            "tally_rule": tally_rule,
            "min_votes": min_votes,
            "min_vote_share_pct": min_vote_share_pct,
        },
    )


def timeline(cycle: Cycle, now: datetime) -> list[dict]:
    """Phases in order with their dates and whether each is past, current or future."""
    current = phase_at(cycle, now)
    rows, seen_current = [], current in (None,)
    for kind in PHASES:
        span = phase_span(cycle, kind)
        if span is None:
            continue
        state = (
            "current"
            if kind == current
            else ("future" if seen_current or current is None else "past")
        )
        if kind == current:
            seen_current = True
        # A phase ends when the next starts (midnight): its last day is the day before.
        rows.append(
            {
                "kind": kind,
                "starts": span[0],
                "ends": span[1],
                "last_day": span[1] - timedelta(seconds=1),
                "state": state,
            }
        )
    if current == "closed":
        for row in rows:
            row["state"] = "past"
    return rows
