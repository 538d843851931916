"""The "add1" completion of MES, as pabulib's ``equalshares/add1`` and cities use it.

MES with a per-voter budget of B/n usually leaves money unspent. The completion
raises every voter's budget by one currency unit at a time (the total by n each
time) and re-runs MES, keeping the last outcome whose cost still fits in the real
budget B, until the next increase would overspend. It does not stop at the first
exhaustive outcome (equalshares.net's reference code and pabutools' default do),
so a later, more expensive outcome that still fits is preferred. It also stops
once every candidate is funded, since more money cannot fund anything more.
"""

from __future__ import annotations

from fractions import Fraction

from pbvote.engine.mes import EqualShares, MesRun

NEXT_INCREMENT_OVERSPENDS = "next_increment_overspends"
ALL_CANDIDATES_SELECTED = "all_candidates_selected"
NO_VOTERS = "no_voters"


def add1_completion(
    mes: EqualShares, budget: int, voter_count: int
) -> tuple[MesRun, dict]:
    """Return the completed MES outcome and facts about the search.

    The facts are ``initial_per_voter_budget`` (B/n), ``per_voter_budget`` (that of
    the kept outcome), ``increments`` (units added per voter), ``runs`` (MES runs
    made) and ``stopped_because``. The kept outcome always costs at most
    ``budget``: the first run spends at most the voters' money, which is B.
    """
    if voter_count == 0:
        run = MesRun(Fraction(0))
        return run, _facts(Fraction(0), run, 0, 0, NO_VOTERS)
    start = Fraction(budget, voter_count)
    kept, runs, increments = mes.run(start), 1, 0
    while len(kept.selections) < len(mes.candidates):
        trial = mes.run(start + increments + 1)
        runs += 1
        if trial.cost > budget:
            return kept, _facts(start, kept, increments, runs, NEXT_INCREMENT_OVERSPENDS)
        kept, increments = trial, increments + 1
    return kept, _facts(start, kept, increments, runs, ALL_CANDIDATES_SELECTED)


def _facts(start: Fraction, kept: MesRun, increments: int, runs: int,
           reason: str) -> dict:
    return {
        "initial_per_voter_budget": start,
        "per_voter_budget": kept.per_voter_budget,
        "increments": increments,
        "runs": runs,
        "stopped_because": reason,
    }
