"""The "add1" completion of MES, as pabulib's ``equalshares/add1`` and cities use it.

MES with a per-voter budget of B/n usually leaves money unspent. The completion
raises every voter's budget by one currency unit at a time (the total by n each
time) and re-runs MES, keeping the last outcome whose cost still fits in the real
budget B, until the next increase would overspend. It does not stop at the first
exhaustive outcome (equalshares.net's reference code and pabutools' default do),
so a later, more expensive outcome that still fits is preferred. It also stops
once every candidate is funded, since more money cannot fund anything more.

The result is exactly that of trying every budget B/n, B/n + 1, B/n + 2, ... in
turn, but budgets that provably give the same outcome as the last run (see
:class:`~pbvote.engine.horizon.Horizon`) are not run: the next run is at the
first budget where something may change. On the plain-Python path a run also
replays the previous run's first selections, up to the first decision that
may change at its budget (:mod:`pbvote.engine.mes_small`).
"""

from __future__ import annotations

from fractions import Fraction

from pbvote.engine.mes import EqualShares, MesRun

NEXT_INCREMENT_OVERSPENDS = "next_increment_overspends"
ALL_CANDIDATES_SELECTED = "all_candidates_selected"
NO_VOTERS = "no_voters"


def add1_completion(
    mes: EqualShares,
    budget: int,
    voter_count: int,
    *,
    skip_same: bool = True,
    unit: int = 1,
    replay: bool = True,
) -> tuple[MesRun, dict]:
    """Return the completed MES outcome and facts about the search.

    The facts are ``initial_per_voter_budget`` (B/n), ``per_voter_budget`` (the
    largest budget of the add1 sequence that was kept), ``increments`` (units
    added per voter), ``runs`` (MES runs made) and ``stopped_because``. The kept
    outcome costs at most ``budget``: the first run spends at most the voters'
    money, which is B. ``unit`` is one currency unit in money units (100 when
    money is in cents). ``skip_same=False`` runs every budget (for testing);
    ``replay=False`` runs each budget from the start rather than replaying the
    previous run's first selections (for testing: the outcome is the same, the
    number of runs may differ by a few).
    """
    if voter_count == 0:
        return MesRun(Fraction(0)), _facts(Fraction(0), Fraction(0), 1, NO_VOTERS)
    start = Fraction(budget, voter_count)
    run, runs = _run(mes, start, skip_same, unit), 1
    while len(run.selections) < len(mes.candidates):
        last_same = _last_same(run, skip_same, unit)
        trial = _run(mes, last_same + unit, skip_same, unit, run if replay else None)
        runs += 1
        if trial.cost > budget:
            kept = _rerun_at(mes, run, last_same, skip_same, unit)
            return kept, _facts(start, last_same, runs, NEXT_INCREMENT_OVERSPENDS, unit)
        run = trial
    run = _rerun_at(mes, run, run.per_voter_budget, skip_same, unit)
    facts = _facts(start, run.per_voter_budget, runs, ALL_CANDIDATES_SELECTED, unit)
    return run, facts


def _run(
    mes: EqualShares, t: Fraction, skip_same: bool, unit: int, after=None
) -> MesRun:
    """A run at ``t`` whose horizon is worked out only if it may skip a step;
    ``after`` (the previous run) may be replayed up to its first decision that
    changes at ``t``."""
    return mes.run(t, horizon_to=t + unit if skip_same else t, after=after)


def _last_same(run: MesRun, skip_same: bool, unit: int) -> Fraction:
    """The last budget of the add1 sequence certain to repeat ``run``'s outcome."""
    t = run.per_voter_budget
    last = run.horizon.last_same(t, unit) if skip_same else None
    return t if last is None else last


def _rerun_at(
    mes: EqualShares, run: MesRun, per_voter_budget: Fraction, skip_same, unit
) -> MesRun:
    """``run`` as it is at ``per_voter_budget``: same outcome, its own numbers.

    A replayed run is run again from the start: its outcome is the same, but
    when it found projects unaffordable (and its horizon) may differ from a
    run from the start, which is the result."""
    if per_voter_budget == run.per_voter_budget:
        if not run.replayed:
            return run
        kept = _run(mes, per_voter_budget, skip_same, unit)
    else:
        kept = mes.run(per_voter_budget, horizon_to=per_voter_budget)
    assert kept.winners == run.winners, "the horizon promised the same outcome"
    return kept


def _facts(
    start: Fraction, kept_budget: Fraction, runs: int, reason: str, unit: int = 1
) -> dict:
    return {
        "initial_per_voter_budget": start,
        "per_voter_budget": kept_budget,
        "increments": int((kept_budget - start) / unit),
        "runs": runs,
        "stopped_because": reason,
    }
