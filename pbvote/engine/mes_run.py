"""One MES run's state and outcome (see :mod:`pbvote.engine.mes` for the method).

Money of class ``k`` is ``values[k] / den`` and its form in the run's starting
budget ``t`` is ``(form_a[k] + form_b[k] * t) / den``, where ``den`` is the scale
the class was created at: ``level[k]`` numbers the scales of the run (one per
refinement, a few dozen at most). ``scale`` is the finest denominator so far;
every earlier one divides it, and ``ups[level]`` holds the whole factor that
brings a class of that level to it, so no class is ever divided or rescaled.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from pbvote.engine.horizon import CLOSE, TINY, Horizon

EXHAUSTED = 0  # class of voters with no money left, whatever t is
SMALL = 24  # this few classes (or supporting groups): plain Python, not numpy


def float_ratio(numerators, denominator: int) -> np.ndarray:
    """``numerators / denominator`` as float64 (numerators: numpy array of ints).

    Each value is within a few ulps of the exact ratio (two correctly rounded
    conversions and one division); huge numbers fall back to Python's correctly
    rounded int division.
    """
    try:
        return numerators.astype(np.float64) / float(denominator)
    except OverflowError:
        return (numerators / denominator).astype(np.float64)


class Ratio:
    """``num / den`` (``den > 0``), compared exactly by cross-multiplying.

    The rho heap's exact key: making a ``Fraction`` (a gcd) for every project
    evaluation was a tenth of a small run, and heap keys are compared exactly
    only where their floats are equal.
    """

    __slots__ = ("den", "num")

    def __init__(self, num: int, den: int):
        self.num, self.den = num, den

    def __eq__(self, other) -> bool:
        return self.num * other.den == other.num * self.den

    def __lt__(self, other) -> bool:
        return self.num * other.den < other.num * self.den

    def __gt__(self, other) -> bool:
        return self.num * other.den > other.num * self.den

    __hash__ = None

    def __float__(self) -> float:
        return self.num / self.den  # int division: correctly rounded

    def fraction(self) -> Fraction:
        return Fraction(self.num, self.den)


class Selection:
    """How one project was funded in a run.

    ``rho`` (price per unit of utility), ``payment`` (the most a single
    supporter paid: rho * utility) and ``effective_votes`` (cost / payment:
    supporters paying in full) are exact Fractions, made when first read: the
    add1 completion only looks at most runs' winners and cost.
    """

    __slots__ = (
        "_cost",
        "_exact",
        "_ratio",
        "_utility",
        "project",
        "spent_before",
        "step",
        "supporters",
    )

    def __init__(
        self,
        project: str,
        step: int,
        rho: Ratio,
        utility: int,
        cost: int,
        supporters: int,
        spent_before: int,
    ):
        self.project, self.step = project, step
        self.supporters, self.spent_before = supporters, spent_before
        self._ratio, self._utility, self._cost = rho, utility, cost
        self._exact: tuple | None = None

    def _numbers(self) -> tuple:
        if self._exact is None:
            rho = self._ratio.fraction()
            payment = rho * self._utility
            votes = self._cost / payment if payment else None
            self._exact = (rho, payment, votes)
        return self._exact

    @property
    def rho(self) -> Fraction:
        return self._numbers()[0]

    @property
    def payment(self) -> Fraction:
        return self._numbers()[1]

    @property
    def effective_votes(self) -> Fraction | None:
        return self._numbers()[2]

    def _key(self) -> tuple:
        return (self.project, self.step, *self._numbers(), self.supporters)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Selection):
            return NotImplemented
        return self._key() + (self.spent_before,) == other._key() + (
            other.spent_before,
        )

    __hash__ = None

    def __repr__(self) -> str:
        rho, payment, votes = self._numbers()
        return (
            f"Selection(project={self.project!r}, step={self.step}, rho={rho!r}, "
            f"payment={payment!r}, effective_votes={votes!r}, "
            f"supporters={self.supporters}, spent_before={self.spent_before})"
        )


class Rejection:
    """A project its supporters could no longer afford, and when that was seen
    (``supporters_money``, exact, is made when first read)."""

    __slots__ = ("_money", "_scale", "project", "step")

    def __init__(self, project: str, step: int, money: int, scale: int):
        self.project, self.step = project, step
        self._money, self._scale = money, scale

    @property
    def supporters_money(self) -> Fraction:
        return Fraction(self._money, self._scale)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Rejection):
            return NotImplemented
        return (self.project, self.step, self.supporters_money) == (
            other.project,
            other.step,
            other.supporters_money,
        )

    __hash__ = None

    def __repr__(self) -> str:
        return (
            f"Rejection(project={self.project!r}, step={self.step}, "
            f"supporters_money={self.supporters_money!r})"
        )


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
    # Set by the plain-Python path: whether the run replayed an earlier one's
    # first selections, and its state for the next run to replay.
    replayed: bool = field(default=False, repr=False, compare=False)
    state: object = field(default=None, repr=False, compare=False)

    @property
    def winners(self) -> list[str]:
        return [selection.project for selection in self.selections]


class Run:
    """Mutable state of one MES run: voter classes, the lazy rho heap."""

    def __init__(self, mes, start: Fraction, horizon_to: Fraction | None = None):
        self.mes = mes
        self.result = MesRun(start, horizon=Horizon(horizon_to))
        # Forms (and the horizon) are kept only while the horizon may still
        # reach ``horizon_to``; after that the run only needs its outcome.
        self.tracking = horizon_to is None or horizon_to > start
        if not self.tracking:
            self.result.horizon.give_up(start)
        self.scale = start.denominator
        self.group_class = np.ones(len(mes.approvals), dtype=np.intp)  # all: t
        # Class arrays of Python ints (dtype object: exact, any size), with room.
        self.class_count = 0
        self.order_key = np.zeros(0)
        self.level = np.zeros(0, dtype=np.intp)
        self.values = self.form_a = self.form_b = np.zeros(0, dtype=object)
        self._grow(256)
        # Level 0: denominator 1 (the exhausted class); level 1: the start's.
        self.ups = np.array([self.scale, 1], dtype=object)
        self.values[:2] = [0, start.numerator]
        self.form_b[:2] = [0, self.scale]
        self.level[:2] = [0, 1]
        self.order_key[:2] = [0.0, float(start)]
        self.class_count = 2
        self.alive = [True] * len(mes.candidates)
        self.bounds: list[tuple | None] = [None] * len(mes.candidates)
        self.step = 1
        # A payment stays right until a charge reaches one of its supporters:
        # saved[j] = (payment, scale, charges so far) when it was worked out;
        # touched[j] = the last charge that reached a supporter of j.
        self.saved: list[tuple | None] = [None] * len(mes.candidates)
        self.touched = np.zeros(len(mes.candidates), dtype=np.int64)
        self.charges = 0
        # (project, charges, its groups' classes, _classes_of's answer)
        self.last_classes: tuple = (None,)

    def execute(self) -> MesRun:
        heap = self._resumed_heap()
        if heap is None:
            heap = []
            for j in range(len(self.mes.candidates)):
                self._evaluate_into(heap, j, self._first_payment(j))
            heapq.heapify(heap)
        self._checkpoint()
        # Entries are (float(rho), rho, tie key, j): a correctly rounded float
        # never orders two values the wrong way (rounding is monotonic), so the
        # exact Ratio is compared only where the floats are equal.
        while heap:
            _, rho, key, j = heapq.heappop(heap)
            payment = self._unchanged_payment(j)
            if payment is not None:  # exact, and lowest: the others are bounds
                self._select(j, payment, rho, self.bounds[j])
                self._checkpoint()
                continue
            payment = self._cheapest_payment(j)
            if payment is None:
                self._reject(j)
                continue
            rho, bound = self._rho(j, payment)
            self._save(j, payment)
            entry = (float(rho), rho, key, j)
            if heap and entry[:3] > heap[0][:3]:
                self.bounds[j] = bound  # a project below it may beat it
                heapq.heappush(heap, entry)
                continue
            self._select(j, payment, rho, bound)
            self._checkpoint()
        return self.result

    def _resumed_heap(self) -> list | None:
        """The heap of a run that starts from an earlier run's state, or None
        to start from scratch (the plain path replays, see :mod:`mes_small`)."""
        return None

    def _checkpoint(self) -> None:
        """Called before the first selection and after each one (for replays)."""

    def _first_payment(self, j: int) -> tuple | None:
        """:meth:`_cheapest_payment` before any charge, when every supporter has
        the starting budget: the cost shared equally, if they can afford it."""
        cost = self.mes.costs[j] * self.scale
        if cost == 0:
            return (0, 0, 0, 1)
        support = self.mes.support[j]
        if self.values[1] * support < cost:
            return None
        return (cost, cost if self.tracking else 0, 0, support)

    def _save(self, j: int, payment: tuple) -> None:
        self.saved[j] = (payment, self.scale, self.charges)

    def _unchanged_payment(self, j: int) -> tuple | None:
        """``j``'s saved payment over the current scale, if no charge since
        reached its supporters (their money, hence the payment, is the same)."""
        saved = self.saved[j]
        if saved is None or self.touched[j] > saved[2]:
            return None
        (value, a, b, divisor), scale, _ = saved
        up = self.scale // scale
        return (value * up, a * up, b * up, divisor)

    def _evaluate_into(self, heap: list, j: int, payment: tuple | None) -> None:
        if payment is None:
            self._reject(j)
            return
        self._save(j, payment)
        rho, self.bounds[j] = self._rho(j, payment)
        heap.append((float(rho), rho, self.mes.tie_keys[j], j))

    def _rho(self, j: int, payment: tuple) -> tuple[Ratio, tuple]:
        """rho as an exact :class:`Ratio`, and its form as integers (a, b,
        denominator)."""
        value, a, b, divisor = payment
        if not self.mes.utilities[j]:
            return Ratio(0, 1), (0, 0, 1)
        denominator = divisor * self.scale * self.mes.utilities[j]
        return Ratio(value, denominator), (a, b, denominator)

    def _classes_of(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        """The classes of ``j``'s supporters with money, poorest first, and their
        weights (numpy arrays). Floats pre-sort; a float key is within a few
        ulps of the exact money (:func:`float_ratio`), so only neighbours closer
        than :data:`CLOSE` (or tiny, where floats lose relative precision) can
        be out of order, and those are sorted by exact money."""
        mes = self.mes
        cached = self.last_classes
        if cached[0] == j and cached[1] == self.charges:
            return cached[3], cached[4]
        found = self.group_class[mes.supporter_index[j]]
        if len(found) <= SMALL:
            classes, weights = self._few_classes(found, mes.supporters[j])
            self.last_classes = (j, self.charges, found, classes, weights)
            return classes, weights
        counts = np.bincount(found, weights=mes.supporter_weight[j])
        present = np.flatnonzero(counts)
        present = present[present != EXHAUSTED]
        keys = self.order_key[present]
        order = np.argsort(keys, kind="stable")
        classes, keys = present[order], keys[order]
        weights = counts[classes].astype(np.int64)
        if len(keys) > 1:
            close = (keys[1:] - keys[:-1] <= keys[1:] * CLOSE) | (keys[1:] < TINY)
            if close.any():
                self._sort_close(classes, weights, close)
        self.last_classes = (j, self.charges, found, classes, weights)
        return classes, weights

    def _few_classes(self, found, groups: list) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`_classes_of` for a few supporting groups: counted and sorted by
        exact money in plain Python (no float keys)."""
        counts: dict = {}
        weights = self.mes.weights
        for k, g in zip(found.tolist(), groups):
            if k != EXHAUSTED:
                counts[k] = counts.get(k, 0) + weights[g]
        present = list(counts)
        levels = self.level[present].tolist() if present else []
        money = [self.values[k] * self.ups[level] for k, level in zip(present, levels)]
        order = sorted(range(len(present)), key=money.__getitem__)
        return (
            np.array([present[i] for i in order], dtype=np.intp),
            np.array([counts[present[i]] for i in order], dtype=np.int64),
        )

    def _sort_close(self, classes, weights, close) -> None:
        """Sort, in place and exactly, each run of classes whose float keys are
        close: only those can be out of order (see :data:`CLOSE`)."""
        padded = np.zeros(len(close) + 2, dtype=np.int8)
        padded[1:-1] = close
        edges = np.flatnonzero(np.diff(padded))
        for start, end in zip(edges[::2].tolist(), edges[1::2].tolist()):
            block = classes[start : end + 1]
            exact = self.values[block] * self.ups[self.level[block]]
            order = np.array(
                sorted(range(len(block)), key=exact.__getitem__), dtype=np.intp
            )
            classes[start : end + 1] = block[order]
            weights[start : end + 1] = weights[start : end + 1][order]

    def _cheapest_payment(self, j: int) -> tuple | None:
        """Smallest cap p with sum(min(money, p)) over supporters >= cost.

        Returns ``(value, a, b, divisor)``: ``p = value / (divisor * scale)`` and
        its form ``(a + b*t) / (divisor * scale)``; or ``None`` if the supporters
        cannot afford it. The form assumes the same voters run out of money at
        every ``t``, which makes it a lower bound of the true cap at every ``t``.

        Poorest first, classes pay all they have until the rest can share the
        remainder equally. Whether class ``i`` and everyone after it can share,
        ``f(i) = money_i * rest_i + paid_i - cost >= 0``, only grows with ``i``;
        floats guess the first such ``i`` and exact sums confirm it, stepping
        until they do, so only the classes before it are summed exactly.
        """
        cost = self.mes.costs[j] * self.scale
        if cost == 0:
            return (0, 0, 0, 1)
        classes, weights = self._classes_of(j)
        if not len(classes):
            return None
        if len(classes) <= SMALL:
            return self._small_payment(classes.tolist(), weights.tolist(), cost)
        rest = np.cumsum(weights[::-1])[::-1]  # voters from each class on
        approx = self.order_key[classes]
        spent = approx * weights
        paid = np.cumsum(spent) - spent
        guess = int(np.argmax(approx * rest >= self.mes.costs[j] - paid))
        if guess == 0 and approx[0] * rest[0] < self.mes.costs[j] - paid[0]:
            guess = len(classes)
        return self._confirm_payment(classes, weights, rest, cost, guess)

    def _small_payment(self, classes: list, weights: list, cost: int) -> tuple | None:
        """:meth:`_cheapest_payment` for a few classes: the same scan, poorest
        first, in plain Python ints (numpy's per-call cost dominates there)."""
        ups = [self.ups[level] for level in self.level[classes].tolist()]
        rest, paid = sum(weights), 0
        for i, k in enumerate(classes):
            money = self.values[k] * ups[i]
            if money * rest >= cost - paid:
                break
            paid += money * weights[i]
            rest -= weights[i]
        else:
            return None
        if not self.tracking:
            return (cost - paid, 0, 0, rest)
        paid_a = sum(
            self.form_a[k] * ups[n] * weights[n] for n, k in enumerate(classes[:i])
        )
        paid_b = sum(
            self.form_b[k] * ups[n] * weights[n] for n, k in enumerate(classes[:i])
        )
        return (cost - paid, cost - paid_a, -paid_b, rest)

    def _keep_tracking(self) -> bool:
        """Whether forms are still needed: once the horizon cannot reach its
        target, it is given up (:meth:`Horizon.give_up`)."""
        if self.tracking and not self.result.horizon.reaches_target():
            self.result.horizon.give_up(self.result.per_voter_budget)
            self.tracking = False
        return self.tracking

    def _confirm_payment(self, classes, weights, rest, cost, guess) -> tuple | None:
        i, last = guess, len(classes)
        scaled = self._scaled_weights(classes[:i], weights[:i])
        paid = int((self.values[classes[:i]] * scaled).sum())
        while i > 0:  # f(i - 1) >= 0: the guess is too late
            prior, weight = self._money(int(classes[i - 1])), int(weights[i - 1])
            if prior * int(rest[i - 1]) < cost - paid + prior * weight:
                break
            i, paid = i - 1, paid - prior * weight
        while i < last:  # f(i) < 0: the guess is too early
            money = self._money(int(classes[i]))
            if money * int(rest[i]) >= cost - paid:
                break
            i, paid = i + 1, paid + money * int(weights[i])
        if i == last:
            return None
        if not self.tracking:
            return (cost - paid, 0, 0, int(rest[i]))
        if i != guess:
            scaled = self._scaled_weights(classes[:i], weights[:i])
        paid_a = int((self.form_a[classes[:i]] * scaled).sum())
        paid_b = int((self.form_b[classes[:i]] * scaled).sum())
        return (cost - paid, cost - paid_a, -paid_b, int(rest[i]))

    def _scaled_weights(self, classes, weights) -> np.ndarray:
        """Each class's weight times its factor to the current scale (exact)."""
        return self.ups[self.level[classes]] * weights.astype(object)

    def _money(self, k: int) -> int:
        """Class ``k``'s money over the current scale."""
        return int(self.values[k]) * int(self.ups[self.level[k]])

    def _reject(self, j: int) -> None:
        """Drop ``j``; it stays unaffordable while its supporters' money < cost."""
        self.alive[j] = False
        classes, weights = self._classes_of(j)
        up = self._scaled_weights(classes, weights)
        money = int((self.values[classes] * up).sum())
        if self._keep_tracking():
            money_a = int((self.form_a[classes] * up).sum())
            money_b = int((self.form_b[classes] * up).sum())
            cost = self.mes.costs[j] * self.scale
            self.result.horizon.require((cost - money_a, -money_b), strict=True)
        self.result.rejections.append(
            Rejection(self.mes.candidates[j].id, self.step, money, self.scale)
        )

    def _select(self, j: int, payment: tuple, rho: Ratio, bound: tuple) -> None:
        mes, result = self.mes, self.result
        if self._keep_tracking():
            self._require_lowest(j, bound)
        cost = mes.costs[j]
        result.selections.append(
            Selection(
                mes.candidates[j].id,
                self.step,
                rho,
                mes.utilities[j],
                cost,
                mes.support[j],
                result.cost,
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
        """The payment over the run's scale, refined if the payment needs it.

        Classes keep their own denominator, so refining costs nothing here.
        """
        value, a, b, divisor = payment
        factor = divisor // math.gcd(divisor, value, a, b)
        if factor != 1:
            self.scale *= factor
            self.ups = np.append(self.ups * factor, np.array([1], dtype=object))
        shrink = divisor // factor
        return value // shrink, a // shrink, b // shrink

    def _charge(self, j: int, payment: tuple[int, int, int]) -> None:
        """Each supporter of ``j`` pays ``min(own money, payment)``.

        Classes move as a whole (vectorised over numpy arrays of Python ints, so
        still exact): poor classes to :data:`EXHAUSTED`, the others to a new class
        each; then every group moves at once through a lookup table.
        """
        index = self.mes.supporter_index[j]
        cached = self.last_classes
        if cached[0] == j and cached[1] == self.charges:  # as the payment saw them
            found, present = cached[2], cached[3]
        else:
            found = self.group_class[index]
            present = np.flatnonzero(np.bincount(found))
            present = present[present != EXHAUSTED]
        self.charges += 1
        self.touched[self.mes.overlap[j]] = self.charges
        if not len(present):
            return
        value, a, b = payment
        if len(present) <= SMALL and self._keep_tracking():
            self._charge_few(index, found, present, payment)
            return
        up = self.ups[self.level[present]]
        money = self.values[present] * up
        if not self._keep_tracking():
            moving = (money > value).astype(bool)  # the others: nothing left
            target = np.zeros(int(present.max()) + 1, dtype=np.intp)
            target[present[moving]] = self._new_classes(money[moving] - value, 0, 0)
            self.group_class[index] = target[found]
            return
        gap_a = self.form_a[present] * up - a  # money - payment, as a form
        gap_b = self.form_b[present] * up - b
        poor = (money < value).astype(bool)
        horizon = self.result.horizon
        horizon.require_all(gap_a[poor], gap_b[poor], strict=True, negated=True)
        horizon.require_all(gap_a[~poor], gap_b[~poor], strict=False)
        paid_in_full = (gap_a == 0) & (gap_b == 0)
        moving = ~(poor | paid_in_full.astype(bool))
        target = np.zeros(int(present.max()) + 1, dtype=np.intp)
        target[present[moving]] = self._new_classes(
            money[moving] - value, gap_a[moving], gap_b[moving]
        )
        self.group_class[index] = target[found]

    def _charge_few(self, index, found, present, payment: tuple) -> None:
        """:meth:`_charge` for a few classes, in plain Python ints: the same
        moves and the same horizon conditions, one class at a time."""
        value, a, b = payment
        horizon = self.result.horizon
        movers, values, form_a, form_b = [], [], [], []
        levels = self.level[present].tolist()
        for k, level in zip(present.tolist(), levels):
            up = self.ups[level]
            money = self.values[k] * up
            gap_a = self.form_a[k] * up - a  # money - payment, as a form
            gap_b = self.form_b[k] * up - b
            if money < value:  # pays all it has
                horizon.require((-gap_a, -gap_b), strict=True)
                continue
            horizon.require((gap_a, gap_b), strict=False)
            if gap_a or gap_b:  # not paid in full at every t: a new class
                movers.append(k)
                values.append(money - value)
                form_a.append(gap_a)
                form_b.append(gap_b)
        target = np.zeros(int(present.max()) + 1, dtype=np.intp)
        if movers:
            target[movers] = self._new_classes(
                np.array(values, dtype=object), form_a, form_b
            )
        self.group_class[index] = target[found]

    def _new_classes(self, values, form_a, form_b) -> np.ndarray:
        """Append classes over the current scale; return their ids.

        Classes with equal money are not merged: the payment scan treats equal
        values alike in any order, and merging cost more than it saved.
        """
        first, count = self.class_count, len(values)
        if first + count > len(self.order_key):
            self._grow(2 * (first + count))
        end = first + count
        self.values[first:end] = values
        self.form_a[first:end] = form_a
        self.form_b[first:end] = form_b
        self.level[first:end] = len(self.ups) - 1
        self.order_key[first:end] = float_ratio(values, self.scale)
        self.class_count = end
        return np.arange(first, end, dtype=np.intp)

    def _grow(self, size: int) -> None:
        for name in ("values", "form_a", "form_b"):
            grown = np.zeros(size, dtype=object)
            grown[: self.class_count] = getattr(self, name)[: self.class_count]
            setattr(self, name, grown)
        self.order_key = np.resize(self.order_key, size)
        self.level = np.resize(self.level, size)
