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
  voters with equal money form a *class*; each project keeps how many of its
  supporters are in each class. Computing ``rho`` costs O(classes), not
  O(supporters), and all arithmetic happens per class.
* ``rho`` of a project never decreases during a run (money only goes down), so
  earlier values are lower bounds in a heap and only the top is recomputed
  ("lazy rho"). Exhausted voters leave every count (they pay nothing more).

Arithmetic is exact: money is integers over a common denominator, ``rho`` a
``Fraction``; floats only pre-sort classes, with exact values breaking ties.

Each run also reports its *horizon*: every amount above is an affine function
of ``t`` (``a + b*t``, see :mod:`pbvote.engine.horizon`), so the run records the
conditions under which each of its decisions would be taken the same way, and
thus up to which ``t`` the outcome is certainly the same. The add1 completion
uses it to skip budgets that cannot change the outcome.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import chain

from pbvote.engine.horizon import Horizon
from pbvote.engine.model import Project
from pbvote.engine.ties import tie_key

UTILITIES = ("cost", "cardinal")
_EXHAUSTED = -1  # class id of voters with no money left, whatever t is


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
    """The outcome of one MES run at a given per-voter budget.

    ``horizon`` bounds the per-voter budgets that certainly give the same
    selections and rejections (see :class:`~pbvote.engine.horizon.Horizon`).
    """

    per_voter_budget: Fraction
    selections: list[Selection] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    cost: int = 0
    horizon: Horizon = field(default_factory=Horizon)

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

    def __init__(
        self,
        candidates: list[Project],
        groups,
        votes: dict[str, int],
        utility: str = "cost",
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

    def run(self, per_voter_budget: Fraction | int) -> MesRun:
        """Run MES with every voter starting at ``per_voter_budget`` (>= 0)."""
        return _Run(self, Fraction(per_voter_budget)).execute()


class _Run:
    """Mutable state of one MES run: voter classes, per-project counts, heap.

    Class money is kept as whole numbers over one common denominator ``scale``
    (``money = values[k] / scale``), with its affine form in ``t`` as
    ``(form_a[k] + form_b[k] * t) / scale``; integer arithmetic is several times
    faster than Fractions. When a payment needs a finer denominator, every class
    is rescaled. Classes are merged only when their forms are equal.
    """

    def __init__(self, mes: EqualShares, start: Fraction):
        self.mes = mes
        self.result = MesRun(start)
        self.scale = start.denominator
        self.voter_class = [0] * len(mes.approvals)
        self.values = [start.numerator]
        self.form_a, self.form_b = [0], [self.scale]  # money = t at the start
        self.order_key = [float(start)]
        self.class_of_form = {(0, self.scale): 0}
        self.counts = [{0: s} for s in mes.support]
        self.alive = [True] * len(mes.candidates)
        self.bounds: list[tuple | None] = [None] * len(mes.candidates)
        self.step = 1

    def execute(self) -> MesRun:
        heap = []
        for j in range(len(self.mes.candidates)):
            self._evaluate_into(heap, j)
        heapq.heapify(heap)
        while heap:
            _, key, j = heapq.heappop(heap)
            payment = self._cheapest_payment(j)
            if payment is None:
                self._reject(j)
                continue
            rho, bound = self._rho(j, payment)
            if heap and (rho, key) > heap[0][:2]:
                self.bounds[j] = bound  # a project below it may beat it
                heapq.heappush(heap, (rho, key, j))
                continue
            self._select(j, payment, rho, bound)
        return self.result

    def _evaluate_into(self, heap: list, j: int) -> None:
        payment = self._cheapest_payment(j)
        if payment is None:
            self._reject(j)
            return
        rho, self.bounds[j] = self._rho(j, payment)
        heap.append((rho, self.mes.tie_keys[j], j))

    def _rho(self, j: int, payment: tuple) -> tuple[Fraction, tuple]:
        """rho as a Fraction, and its form as integers (a, b, denominator)."""
        value, a, b, divisor = payment
        denominator = divisor * self.scale * (self.mes.utilities[j] or 1)
        if not self.mes.utilities[j]:
            return Fraction(0), (0, 0, 1)
        return Fraction(value, denominator), (a, b, denominator)

    def _cheapest_payment(self, j: int) -> tuple | None:
        """Smallest cap p with sum(min(money, p)) over supporters >= cost.

        Returns ``(value, a, b, divisor)``: ``p = value / (divisor * scale)`` and
        its form ``(a + b*t) / (divisor * scale)``; or ``None`` if the supporters
        cannot afford it. The form assumes the same voters run out of money at
        every ``t``, which makes it a lower bound of the true cap at every ``t``.
        """
        cost = self.mes.costs[j] * self.scale
        if cost == 0:
            return (0, 0, 0, 1)
        dist = self.counts[j]
        values, form_a, form_b = self.values, self.form_a, self.form_b
        if len(dist) > 1:
            key = self.order_key
            classes = sorted(dist.items(), key=lambda kw: (key[kw[0]], values[kw[0]]))
        else:
            classes = dist.items()
        paid = paid_a = paid_b = 0
        rest = sum(dist.values())
        for k, weight in classes:
            if values[k] * rest >= cost - paid:  # all left can pay the equal share
                return (cost - paid, cost - paid_a, -paid_b, rest)
            paid += values[k] * weight  # these voters pay all they have
            paid_a += form_a[k] * weight
            paid_b += form_b[k] * weight
            rest -= weight
        return None

    def _reject(self, j: int) -> None:
        """Drop ``j``; it stays unaffordable while its supporters' money < cost."""
        self.alive[j] = False
        dist = self.counts[j]
        money = sum(self.values[k] * w for k, w in dist.items())
        money_a = sum(self.form_a[k] * w for k, w in dist.items())
        money_b = sum(self.form_b[k] * w for k, w in dist.items())
        cost = self.mes.costs[j] * self.scale
        self.result.horizon.require((cost - money_a, -money_b), strict=True)
        self.result.rejections.append(
            Rejection(self.mes.candidates[j].id, self.step, Fraction(money, self.scale))
        )

    def _select(self, j: int, payment: tuple, rho: Fraction, bound: tuple) -> None:
        mes, result = self.mes, self.result
        self._require_lowest(j, bound)
        cost = mes.costs[j]
        exact_payment = Fraction(payment[0], payment[3] * self.scale)
        result.selections.append(
            Selection(
                project=mes.candidates[j].id,
                step=self.step,
                rho=rho,
                payment=exact_payment,
                effective_votes=cost / exact_payment if exact_payment else None,
                supporters=mes.support[j],
                spent_before=result.cost,
            )
        )
        result.cost += cost
        self.alive[j] = False
        self.step += 1
        if cost:
            self._charge(j, self._rescaled(payment))

    def _require_lowest(self, j: int, bound: tuple) -> None:
        """Record that every other live project's rho bound stays above ``j``'s."""
        key = self.mes.tie_keys[j]
        ja, jb, jden = bound
        for i, alive in enumerate(self.alive):
            if alive and i != j:
                ia, ib, iden = self.bounds[i]
                slope = ib * jden - jb * iden
                if slope < 0:  # only a falling gap can close
                    gap = (ia * jden - ja * iden, slope)
                    self.result.horizon.require(gap, strict=self.mes.tie_keys[i] < key)

    def _rescaled(self, payment: tuple) -> tuple[int, int, int]:
        """Put the payment on the common denominator, rescaling classes if needed."""
        value, a, b, divisor = payment
        factor = divisor // math.gcd(divisor, value, a, b)
        if factor > 1:
            self.scale *= factor
            self.values = [v * factor for v in self.values]
            self.form_a = [x * factor for x in self.form_a]
            self.form_b = [x * factor for x in self.form_b]
            self.class_of_form = {
                form: k for k, form in enumerate(zip(self.form_a, self.form_b))
            }
        shrink = divisor // factor
        return value // shrink, a // shrink, b // shrink

    def _charge(self, j: int, payment: tuple[int, int, int]) -> None:
        """Each supporter of ``j`` pays ``min(own money, payment)``.

        All movers are found before any moves, so no voter pays twice when
        classes merge.
        """
        movers: dict[int, list[int]] = {}
        voter_class = self.voter_class
        for g in self.mes.supporters[j]:
            k = voter_class[g]
            if k != _EXHAUSTED:
                movers.setdefault(k, []).append(g)
        for k, groups in movers.items():
            new_class = self._class_after_paying(k, payment)
            for g in groups:
                voter_class[g] = new_class
            self._move_counts(k, new_class, groups)

    def _class_after_paying(self, k: int, payment: tuple[int, int, int]) -> int:
        """The class voters of class ``k`` land in, recording why (poor or rich)."""
        value, a, b = payment
        gap = (self.form_a[k] - a, self.form_b[k] - b)  # money - payment, as a form
        if self.values[k] < value:
            self.result.horizon.require((-gap[0], -gap[1]), strict=True)  # stays poor
            return _EXHAUSTED
        self.result.horizon.require(gap, strict=False)  # stays able to pay in full
        if gap == (0, 0):
            return _EXHAUSTED
        return self._class_for(self.values[k] - value, gap)

    def _class_for(self, value: int, form: tuple[int, int]) -> int:
        k = self.class_of_form.get(form)
        if k is None:
            k = self.class_of_form[form] = len(self.values)
            self.values.append(value)
            self.form_a.append(form[0])
            self.form_b.append(form[1])
            self.order_key.append(value / self.scale)  # exact ties: values decide
        return k

    def _move_counts(self, old: int, new: int, groups: list[int]) -> None:
        """Move ``groups`` from class ``old`` to ``new`` in every live project."""
        approvals, weights, alive = self.mes.approvals, self.mes.weights, self.alive
        if self.mes.all_unit:
            moved = Counter(chain.from_iterable(map(approvals.__getitem__, groups)))
        else:
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
