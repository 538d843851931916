"""One run of the Method of Equal Shares (MES) for approval ballots, exact.

Every voter starts with the same budget. In each round, for every remaining
project, find the smallest price per unit of utility ``rho`` such that its
supporters can pay for it, each paying ``min(own money, rho * utility)``; fund
the project with the lowest ``rho`` (ties: :data:`~pbvote.engine.ties.TIE_ORDER`)
and charge its supporters. Stop when no remaining project is affordable.

Utilities: ``"cost"`` (a supporter's utility is the project's cost) or
``"cardinal"`` (one unit per approved project). Either way all supporters of a
project have the same utility, which the speed-ups below rely on:

* Voters with identical ballots are one group with a weight.
* A voter's money depends only on which funded projects they approved, so
  voters with equal money form a *class*; each project keeps how many of its
  supporters are in each class. Computing ``rho`` costs O(classes), not
  O(supporters), and all Fraction arithmetic happens per class.
* ``rho`` of a project never decreases during a run (money only goes down), so
  earlier values are lower bounds in a heap and only the top is recomputed
  ("lazy rho"). Exhausted voters leave every count (they pay nothing more).

All money and ``rho`` values are ``Fraction``; no float decides anything.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import chain

from pbvote.engine.model import Project
from pbvote.engine.ties import tie_key

UTILITIES = ("cost", "cardinal")
_EXHAUSTED = -1  # class id of voters with no money left


@dataclass
class Selection:
    """How one project was funded in a run."""

    project: str
    step: int
    rho: Fraction  # price per unit of utility
    payment: Fraction  # the most a single supporter paid (rho * utility)
    effective_votes: Fraction | None  # cost / payment: supporters paying in full
    supporters: int
    spent_before: int


@dataclass
class Rejection:
    """A project its supporters could no longer afford, and when that was seen."""

    project: str
    step: int
    supporters_money: Fraction


@dataclass
class MesRun:
    """The outcome of one MES run at a given per-voter budget."""

    per_voter_budget: Fraction
    selections: list[Selection] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    cost: int = 0

    @property
    def winners(self) -> list[str]:
        return [selection.project for selection in self.selections]


class EqualShares:
    """MES prepared for one electorate, to be run at many per-voter budgets.

    ``candidates`` are the projects MES may fund (the caller removes projects it
    must never fund); ``groups`` are distinct approval sets with their weights;
    ``votes`` feeds the tie order. Preparation is O(total ballot length); each
    :meth:`run` reuses it.
    """

    def __init__(self, candidates: list[Project], groups, votes: dict[str, int],
                 utility: str = "cost"):
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

    def run(self, per_voter_budget: Fraction) -> MesRun:
        """Run MES with every voter starting at ``per_voter_budget``."""
        return _Run(self, Fraction(per_voter_budget)).execute()


class _Run:
    """Mutable state of one MES run (voter classes, per-project counts, heap)."""

    def __init__(self, mes: EqualShares, start: Fraction):
        self.mes = mes
        self.result = MesRun(start)
        has_money = start > 0
        groups = len(mes.approvals)
        self.voter_class = [0 if has_money else _EXHAUSTED] * groups
        self.class_money = [start]
        self.class_of_money = {start: 0}
        self.counts = [{0: s} if has_money else {} for s in mes.support]
        self.alive = [True] * len(mes.candidates)
        self.step = 1

    def execute(self) -> MesRun:
        heap = self._initial_heap()
        while heap:
            _, key, j = heapq.heappop(heap)
            payment, money = self._cheapest_payment(j)
            if payment is None:
                self._reject(j, money)
                continue
            rho = self._rho(j, payment)
            if heap and (rho, key) > heap[0][:2]:
                heapq.heappush(heap, (rho, key, j))  # a bound below it may beat it
                continue
            self._select(j, rho, payment)
        return self.result

    def _initial_heap(self) -> list:
        """Heap of (rho, tie key, project) with the exact starting rho of each."""
        heap = []
        for j in range(len(self.mes.candidates)):
            payment, money = self._cheapest_payment(j)
            if payment is None:
                self._reject(j, money)
            else:
                heap.append((self._rho(j, payment), self.mes.tie_keys[j], j))
        heapq.heapify(heap)
        return heap

    def _rho(self, j: int, payment: Fraction) -> Fraction:
        utility = self.mes.utilities[j]
        return payment / utility if utility else Fraction(0)

    def _cheapest_payment(self, j: int) -> tuple[Fraction | None, Fraction]:
        """Smallest cap p with sum(min(money, p)) over supporters >= cost.

        Returns ``(p, supporters' money)``, or ``(None, money)`` if unaffordable.
        """
        cost = self.mes.costs[j]
        dist = self.counts[j]
        if len(dist) == 1:  # the common case early in a run: one class of voters
            ((k, weight),) = dist.items()
            money = self.class_money[k] * weight
            return (Fraction(cost, weight) if money >= cost else None), money
        classes = sorted((self.class_money[k], w) for k, w in dist.items())
        money = sum(cash * w for cash, w in classes)
        if money < cost or cost == 0:
            return (Fraction(0) if cost == 0 else None), money
        paid, rest = Fraction(0), sum(w for _, w in classes)
        for cash, weight in classes:
            if cash * rest >= cost - paid:  # everyone left can pay the equal share
                return (cost - paid) / rest, money
            paid += cash * weight  # these voters pay all they have
            rest -= weight
        raise AssertionError("unreachable: money >= cost")

    def _reject(self, j: int, money: Fraction) -> None:
        self.alive[j] = False
        self.result.rejections.append(
            Rejection(self.mes.candidates[j].id, self.step, Fraction(money))
        )

    def _select(self, j: int, rho: Fraction, payment: Fraction) -> None:
        mes, result = self.mes, self.result
        cost = mes.costs[j]
        result.selections.append(Selection(
            project=mes.candidates[j].id,
            step=self.step,
            rho=rho,
            payment=payment,
            effective_votes=cost / payment if payment else None,
            supporters=mes.support[j],
            spent_before=result.cost,
        ))
        result.cost += cost
        self.alive[j] = False
        self.step += 1
        if payment:
            self._charge(j, payment)

    def _charge(self, j: int, payment: Fraction) -> None:
        """Each supporter of ``j`` pays ``min(own money, payment)``."""
        movers: dict[int, list[int]] = {}
        voter_class = self.voter_class
        for g in self.mes.supporters[j]:
            k = voter_class[g]
            if k != _EXHAUSTED:
                movers.setdefault(k, []).append(g)
        for k, groups in movers.items():
            left = self.class_money[k] - payment
            new_class = self._class_for(left) if left > 0 else _EXHAUSTED
            for g in groups:
                voter_class[g] = new_class
            self._move_counts(k, new_class, groups)

    def _class_for(self, money: Fraction) -> int:
        k = self.class_of_money.get(money)
        if k is None:
            k = self.class_of_money[money] = len(self.class_money)
            self.class_money.append(money)
        return k

    def _move_counts(self, old: int, new: int, groups: list[int]) -> None:
        """Move ``groups`` from class ``old`` to ``new`` in every live project."""
        approvals, weights, alive = self.mes.approvals, self.mes.weights, self.alive
        unit = [approvals[g] for g in groups if weights[g] == 1]
        moved = Counter(chain.from_iterable(unit))  # counted in C: the hot path
        for g in groups:
            if weights[g] != 1:
                for c in approvals[g]:
                    moved[c] += weights[g]
        for c, weight in moved.items():
            if alive[c]:
                dist = self.counts[c]
                remaining = dist[old] - weight
                if remaining:
                    dist[old] = remaining
                else:
                    del dist[old]
                if new != _EXHAUSTED:
                    dist[new] = dist.get(new, 0) + weight
