"""One run of the Method of Equal Shares (MES) for approval ballots, exact.

Every voter starts with the same budget ``t``. In each round, for every remaining
project, find the smallest price per unit of utility ``rho`` such that its
supporters can pay for it, each paying ``min(own money, rho * utility)``; fund
the project with the lowest ``rho`` (ties: :data:`~pbvote.engine.ties.TIE_ORDER`)
and charge its supporters. Stop when no remaining project is affordable.

Utilities: ``"cost"`` (a supporter's utility is the project's cost) or
``"cardinal"`` (one unit per approved project). Either way all supporters of a
project have the same utility, which the speed-ups below rely on:

* Voters with identical ballots are one group with a weight.
* A voter's money depends only on which funded projects they approved, so
  voters with equal money form a *class*, and all exact arithmetic happens per
  class. Which class each group is in is one numpy array; a project's classes
  are counted from it when the project is evaluated (``bincount`` over its
  supporters, in C), instead of being kept up to date for every project at
  every payment, which was three quarters of the time on city elections.
* ``rho`` of a project never decreases during a run (money only goes down), so
  earlier values are lower bounds in a heap and only the top is recomputed
  ("lazy rho"). Exhausted voters leave every count (they pay nothing more).

Arithmetic is exact: money is whole numbers over a denominator (each class keeps
the one it was created with, so a finer payment never rescales every class),
``rho`` a ``Fraction``. Floats only pre-sort classes (a key is within a few
ulps of the exact money, so only classes with close floats can be out of
order, and those are sorted exactly); numpy only gathers and counts class ids.
No float decides anything.

Each run also reports its *horizon*: every amount above is an affine function
of ``t`` (``a + b*t``, see :mod:`pbvote.engine.horizon`), so the run records the
conditions under which each of its decisions would be taken the same way, and
thus up to which ``t`` the outcome is certainly the same. The add1 completion
uses it to skip budgets that cannot change the outcome.
"""

from __future__ import annotations

from fractions import Fraction
from operator import itemgetter

import numpy as np

from pbvote.engine.mes_run import MesRun, Rejection, Run, Selection
from pbvote.engine.mes_small import SmallRun
from pbvote.engine.model import Project
from pbvote.engine.ties import tie_key

UTILITIES = ("cost", "cardinal")
SMALL_ELECTORATE = 2_000  # distinct ballots up to which a run is plain Python
__all__ = ["UTILITIES", "EqualShares", "MesRun", "Rejection", "Selection"]


class EqualShares:
    """MES prepared for one electorate, to be run at many per-voter budgets.

    ``candidates`` are the projects MES may fund (the caller removes projects it
    must never fund); ``groups`` are distinct approval sets with their weights;
    ``votes`` feeds the tie order. Preparation is O(total ballot length); each
    :meth:`run` reuses it.
    """

    def __init__(
        self,
        candidates: list[Project],
        groups,
        votes: dict[str, int],
        utility: str = "cost",
        small: bool | None = None,
    ):
        if utility not in UTILITIES:
            raise ValueError(f"utility must be one of {UTILITIES}, got {utility!r}")
        self.candidates = list(candidates)
        index = {project.id: j for j, project in enumerate(self.candidates)}
        self.costs = [project.cost for project in self.candidates]
        self.utilities = self.costs if utility == "cost" else [1] * len(self.costs)
        self.tie_keys = [tie_key(p.cost, votes[p.id], p.id) for p in self.candidates]
        self.approvals: list[tuple[int, ...]] = []
        self.weights: list[int] = []
        for approved, weight in groups:
            indices = tuple(index[pid] for pid in approved if pid in index)
            if indices:  # voters approving no candidate never pay; drop them
                self.approvals.append(indices)
                self.weights.append(weight)
        self.supporters: list[list[int]] = [[] for _ in self.candidates]
        for g, indices in enumerate(self.approvals):
            for j in indices:
                self.supporters[j].append(g)
        self.support = [sum(self.weights[g] for g in s) for s in self.supporters]
        self.all_unit = all(weight == 1 for weight in self.weights)
        weights = np.array(self.weights, dtype=np.int64)
        self.supporter_index = [np.array(s, dtype=np.intp) for s in self.supporters]
        # bincount weights are floats: exact, since every total is below 2**53.
        self.supporter_weight = [
            None if self.all_unit else weights[index].astype(np.float64)
            for index in self.supporter_index
        ]
        self.overlap = overlaps(self.approvals, len(self.candidates))
        # Few distinct ballots: runs in plain Python (numpy's cost per call
        # dominates there); ``small`` forces either path (for tests).
        self.small = len(self.approvals) <= SMALL_ELECTORATE if small is None else small
        self.overlap_lists = [shared.tolist() for shared in self.overlap]
        self.gather = [gatherer(s) for s in self.supporters]
        self.supporter_weights = [[self.weights[g] for g in s] for s in self.supporters]

    def run(
        self,
        per_voter_budget: Fraction | int,
        horizon_to: Fraction | None = None,
        after: MesRun | None = None,
    ) -> MesRun:
        """Run MES with every voter starting at ``per_voter_budget`` (>= 0).

        With ``horizon_to``, the run's horizon is only worked out while it may
        still reach that budget (a horizon short of it is no use to the caller,
        and the bookkeeping is most of a run's exact arithmetic); past that
        point the horizon is the run's own budget. ``after``, an earlier run of
        this electorate a whole number of currency units away, lets the plain
        path replay its first selections (see :mod:`pbvote.engine.mes_small`).
        """
        t = Fraction(per_voter_budget)
        if not self.small:
            return Run(self, t, horizon_to).execute()
        previous = None if after is None else after.state
        return SmallRun(self, t, horizon_to, previous).execute()


def overlaps(approvals: list[tuple[int, ...]], count: int) -> list[np.ndarray]:
    """For each project, the projects sharing at least one supporter with it
    (itself included, if it has supporters): the only ones a payment for it
    can change. Built from pairs of projects on each distinct ballot, vectorised
    per ballot length in bounded chunks."""
    shared = np.zeros(count * count, dtype=bool)
    by_length: dict[int, list] = {}
    for approved in approvals:
        by_length.setdefault(len(approved), []).append(approved)
    for length, rows in by_length.items():
        chunk = max(1, 1_000_000 // (length * length))
        for start in range(0, len(rows), chunk):
            block = np.array(rows[start : start + chunk], dtype=np.intp)
            shared[(block[:, :, None] * count + block[:, None, :]).ravel()] = True
    shared = shared.reshape(count, count)
    return [np.flatnonzero(row) for row in shared]


def gatherer(indices: list[int]):
    """A function returning ``tuple(values[i] for i in indices)``, in C."""
    if len(indices) == 1:
        only = indices[0]
        return lambda values: (values[only],)
    if not indices:
        return lambda values: ()
    return itemgetter(*indices)
