"""One MES run in plain Python, for small electorates (see :mod:`pbvote.engine.mes`).

The same method, decisions, arithmetic and horizon conditions as
:class:`~pbvote.engine.mes_run.Run`, with every array a Python list and classes
sorted by exact money (no float keys). On a few hundred distinct ballots numpy's
cost per call (tens of microseconds per project evaluation) was most of a run;
here a run of Assen (67 distinct ballots) or Swiecie (695) is a few loops over
lists. :class:`~pbvote.engine.mes.EqualShares` picks this path by size.

A run also *replays* the previous add1 step's run: while it keeps its forms, it
takes a checkpoint after each selection (its state written in forms, which do
not depend on ``t``, and the horizon so far). The next run, at a budget a whole
number of units away, starts from the last checkpoint whose horizon still holds
at its own budget (every decision before it is the same there, so the state is
the forms evaluated at the new budget) and only runs the rest. Its outcome is
exact and its horizon sound, as for a run from the start; only its laziness
(which rho bounds are stale) may differ, so the completion keeps a fresh run.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from fractions import Fraction

from pbvote.engine.horizon import Horizon
from pbvote.engine.mes_run import (
    EXHAUSTED,
    MesRun,
    Ratio,
    Rejection,
    Run,
    Selection,
)


class SmallRun(Run):
    """:class:`Run` over Python lists: ``group_class[g]`` is group ``g``'s class;
    class ``k`` has money ``values[k] / den`` and form ``(form_a[k] + form_b[k]
    * t) / den`` with ``den`` the scale of ``level[k]`` (``ups`` as in
    :class:`Run`). Class 0 is the exhausted class."""

    def __init__(
        self,
        mes,
        start: Fraction,
        horizon_to: Fraction | None = None,
        after: SmallRun | None = None,
    ):
        m = len(mes.candidates)
        self.mes = mes
        self.result = MesRun(start, horizon=Horizon(horizon_to))
        self.tracking = horizon_to is None or horizon_to > start
        if not self.tracking:
            self.result.horizon.give_up(start)
        self.scale = start.denominator
        self.group_class = [1] * len(mes.approvals)  # all: t
        self.values = [0, start.numerator]
        self.form_a = [0, 0]
        self.form_b = [0, self.scale]
        self.level = [0, 1]
        self.ups = [self.scale, 1]
        self.alive = [True] * m
        self.bounds: list[tuple | None] = [None] * m
        self.step = 1
        self.saved: list[tuple | None] = [None] * m
        self.touched = [0] * m
        self.charges = 0
        # (project, charges, classes, weights, money, scale, each group's class)
        self.last_classes: tuple = (None,)
        # For the next run's replay: checkpoints, and the forms of each
        # selection's rho (j, a, b, den) and rejection's money (a, b, scale).
        self.after = after
        self.checkpoints: list[tuple] = []
        self.selection_forms: list[tuple] = []
        self.rejection_forms: list[tuple | None] = []

    def execute(self) -> MesRun:
        """:meth:`Run.execute`, from the previous run's last valid checkpoint
        if it has one, taking checkpoints while forms are kept."""
        result = super().execute()
        result.state = self if self.checkpoints else None
        self.after = None
        return result

    def _resumed_heap(self) -> list | None:
        return None if self.after is None else self._resume(self.after)

    def _checkpoint(self) -> None:
        """Record the state between two selections, in forms (while kept)."""
        if not self.tracking:
            return
        result = self.result
        horizon = result.horizon
        self.checkpoints.append(
            (
                (horizon.numerator, horizon.denominator, horizon.strict),
                len(self.values),
                self.scale,
                self.ups,
                self.group_class[:],
                self.alive[:],
                self.bounds[:],
                self.touched[:],
                self.charges,
                self.step,
                len(result.selections),
                len(result.rejections),
                result.cost,
            )
        )

    def _resume(self, previous: SmallRun) -> list | None:
        """Take ``previous``'s state at its last checkpoint whose decisions are
        all certain at this run's budget; return the rebuilt heap (None: no
        such checkpoint, run from the start)."""
        t, before = self.result.per_voter_budget, previous.result.per_voter_budget
        delta = t - before
        if delta.denominator != 1 or not self.tracking or previous.mes is not self.mes:
            return None
        delta = delta.numerator
        p, q = t.numerator, t.denominator
        valid = 0  # checkpoints whose horizon reaches t (their limits only fall)
        for checkpoint in previous.checkpoints:
            numerator, denominator, strict = checkpoint[0]
            if numerator is not None:  # the limit numerator/denominator vs t
                left, right = numerator * q, p * denominator
                if left < right or (left == right and strict):
                    break
            valid += 1
        if not valid:
            return None
        chosen = previous.checkpoints[valid - 1]
        (
            horizon,
            count,
            self.scale,
            self.ups,
            group_class,
            alive,
            bounds,
            touched,
            self.charges,
            self.step,
            selected,
            rejected,
            cost,
        ) = chosen
        self.group_class, self.alive, self.bounds = group_class[:], alive[:], bounds[:]
        self.touched = touched[:]
        self.form_a = previous.form_a[:count]
        self.form_b = previous.form_b[:count]
        self.level = previous.level[:count]
        self.values = [
            value + slope * delta
            for value, slope in zip(previous.values[:count], self.form_b)
        ]
        own = self.result
        own.horizon.numerator, own.horizon.denominator, own.horizon.strict = horizon
        own.cost = cost
        self.checkpoints = previous.checkpoints[: valid - 1]  # execute adds it
        self.selection_forms = previous.selection_forms[:selected]
        self.rejection_forms = previous.rejection_forms[:rejected]
        mes = self.mes
        for old, (j, a, b, den) in zip(
            previous.result.selections, self.selection_forms
        ):
            own.selections.append(
                Selection(
                    old.project,
                    old.step,
                    Ratio(a * q + b * p, den * q),
                    mes.utilities[j],
                    mes.costs[j],
                    old.supporters,
                    old.spent_before,
                )
            )
        for old, (a, b, scale) in zip(previous.result.rejections, self.rejection_forms):
            own.rejections.append(
                Rejection(old.project, old.step, a * q + b * p, scale * q)
            )
        heap = []  # every live project, keyed by its bound's form at t
        tie_keys = mes.tie_keys
        for j, live in enumerate(self.alive):
            if live:
                a, b, den = self.bounds[j]
                rho = Ratio(a * q + b * p, den * q)  # (a + b*t) / den, t = p/q
                heap.append((float(rho), rho, tie_keys[j], j))
        heapq.heapify(heap)
        own.replayed = True
        return heap

    def _select(self, j: int, payment: tuple, rho: Ratio, bound: tuple) -> None:
        """:meth:`Run._select`, keeping the form of ``rho`` for a replay."""
        self.selection_forms.append((j, *bound))
        super()._select(j, payment, rho, bound)

    def _classes_of(self, j: int) -> tuple[list, list, list]:
        """The classes of ``j``'s supporters with money, poorest first (exact
        money order), their weights and their money over the current scale."""
        cached = self.last_classes
        if cached[0] == j and cached[1] == self.charges:
            classes, weights, money, scale = cached[2:6]
            if scale != self.scale:  # refined by the payment about to be charged
                up = self.scale // scale
                money = [amount * up for amount in money]
            return classes, weights, money
        mes = self.mes
        found = mes.gather[j](self.group_class)  # each supporting group's class
        if mes.all_unit:
            counts = Counter(found)
        else:
            counts = {}
            get = counts.get
            for k, weight in zip(found, mes.supporter_weights[j]):
                counts[k] = get(k, 0) + weight
        counts.pop(EXHAUSTED, None)
        values, ups, level = self.values, self.ups, self.level
        money = {k: values[k] * ups[level[k]] for k in counts}
        classes = sorted(counts, key=money.__getitem__)
        answer = classes, [counts[k] for k in classes], [money[k] for k in classes]
        self.last_classes = (j, self.charges, *answer, self.scale, found)
        return answer

    def _paid_forms(self, classes: list, weights: list) -> tuple[int, int]:
        """The forms ``(a, b)`` of the money of ``classes`` (with weights)."""
        form_a, form_b, ups, level = self.form_a, self.form_b, self.ups, self.level
        paid_a = paid_b = 0
        for k, weight in zip(classes, weights):
            scaled = ups[level[k]] * weight
            paid_a += form_a[k] * scaled
            paid_b += form_b[k] * scaled
        return paid_a, paid_b

    def _cheapest_payment(self, j: int) -> tuple | None:
        """:meth:`Run._cheapest_payment`: the same exact scan, poorest first."""
        cost = self.mes.costs[j] * self.scale
        if cost == 0:
            return (0, 0, 0, 1)
        classes, weights, money = self._classes_of(j)
        rest, paid = sum(weights), 0
        for i, amount in enumerate(money):
            if amount * rest >= cost - paid:
                break
            paid += amount * weights[i]
            rest -= weights[i]
        else:
            return None
        if not self.tracking:
            return (cost - paid, 0, 0, rest)
        paid_a, paid_b = self._paid_forms(classes[:i], weights[:i])
        return (cost - paid, cost - paid_a, -paid_b, rest)

    def _reject(self, j: int) -> None:
        """:meth:`Run._reject`."""
        self.alive[j] = False
        classes, weights, money = self._classes_of(j)
        total = sum(amount * weight for amount, weight in zip(money, weights))
        if self._keep_tracking():
            money_a, money_b = self._paid_forms(classes, weights)
            cost = self.mes.costs[j] * self.scale
            self.result.horizon.require((cost - money_a, -money_b), strict=True)
            self.rejection_forms.append((money_a, money_b, self.scale))
        else:
            self.rejection_forms.append(None)
        self.result.rejections.append(
            Rejection(self.mes.candidates[j].id, self.step, total, self.scale)
        )

    def _rescaled(self, payment: tuple) -> tuple[int, int, int]:
        """:meth:`Run._rescaled` with ``ups`` a list."""
        value, a, b, divisor = payment
        factor = divisor // math.gcd(divisor, value, a, b)
        if factor != 1:
            self.scale *= factor
            self.ups = [up * factor for up in self.ups]
            self.ups.append(1)
        shrink = divisor // factor
        return value // shrink, a // shrink, b // shrink

    def _charge(self, j: int, payment: tuple[int, int, int]) -> None:
        """:meth:`Run._charge`: the same moves and horizon conditions, one class
        at a time, then each supporting group moved through a dict."""
        classes, _, money = self._classes_of(j)
        self.charges += 1
        touched, charges = self.touched, self.charges
        for i in self.mes.overlap_lists[j]:
            touched[i] = charges
        if not classes:
            return
        value, a, b = payment
        target = {}
        level_now = len(self.ups) - 1
        values, form_a, form_b, level = (
            self.values,
            self.form_a,
            self.form_b,
            self.level,
        )
        if self._keep_tracking():
            horizon, ups = self.result.horizon, self.ups
            for k, amount in zip(classes, money):
                up = ups[level[k]]
                gap_a = form_a[k] * up - a  # money - payment, as a form
                gap_b = form_b[k] * up - b
                if amount < value:  # pays all it has
                    horizon.require((-gap_a, -gap_b), strict=True)
                    target[k] = 0
                    continue
                horizon.require((gap_a, gap_b), strict=False)
                if gap_a or gap_b:  # not paid in full at every t: a new class
                    target[k] = len(values)
                    values.append(amount - value)
                    form_a.append(gap_a)
                    form_b.append(gap_b)
                    level.append(level_now)
                else:
                    target[k] = 0
        else:
            for k, amount in zip(classes, money):
                if amount > value:
                    target[k] = len(values)
                    values.append(amount - value)
                    form_a.append(0)
                    form_b.append(0)
                    level.append(level_now)
                else:
                    target[k] = 0
        target[EXHAUSTED] = EXHAUSTED
        group_class, found = self.group_class, self.last_classes[6]
        for g, k in zip(self.mes.supporters[j], found):
            group_class[g] = target[k]
