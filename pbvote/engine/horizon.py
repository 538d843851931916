"""Affine forms in the per-voter budget ``t``, and how far a run's outcome holds.

During an MES run every amount of money is ``a + b*t`` for the run's starting
per-voter budget ``t``: a *form* ``(a, b)`` of whole numbers (over a common
positive denominator, which does not change a sign). Each decision of the run
(who runs out of money, which project has the lowest rho, which project is
unaffordable) is a sign condition on such a form. Collecting them tells up to
which ``t`` every decision, hence the outcome, is certainly the same.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

Form = tuple  # (a, b) meaning a + b*t, whole numbers
CLOSE = 2.0**-40  # floats closer than this (relatively) may be in either order
TINY = 2.0**-900  # below this, floats are not trusted even relatively


class Horizon:
    """The upper end of the ``t`` range on which recorded conditions all hold.

    Conditions are only recorded when they hold at the run's own ``t``; looking
    forward, a condition can only fail if its form decreases with ``t``. The
    limit is kept as a numerator and a positive denominator and compared by
    cross-multiplying: a run records tens of thousands of conditions, and
    reducing each to a Fraction (a gcd of large numbers) was a third of its time.
    """

    def __init__(self, target: Fraction | None = None) -> None:
        self.numerator: int | None = None  # None: no condition ever fails
        self.denominator = 1
        self.strict = False  # True: the limit itself already fails
        self.target = target  # the budget the caller needs the horizon to reach

    def reaches_target(self) -> bool:
        """Whether every budget up to ``target`` is still inside the horizon."""
        if self.numerator is None or self.target is None:
            return True
        left = self.numerator * self.target.denominator
        right = self.target.numerator * self.denominator
        return left > right or (left == right and not self.strict)

    def give_up(self, t: Fraction) -> None:
        """Stop at ``t`` itself: only the run's own budget is certain."""
        self.numerator, self.denominator, self.strict = (
            t.numerator,
            t.denominator,
            False,
        )

    @property
    def limit(self) -> Fraction | None:
        if self.numerator is None:
            return None
        return Fraction(self.numerator, self.denominator)

    def require(self, form: Form, *, strict: bool) -> None:
        """Record ``a + b*t > 0`` (``strict``) or ``>= 0``; it fails past -a/b."""
        a, b = form
        if b >= 0:
            return
        if self.numerator is None:
            self.numerator, self.denominator, self.strict = a, -b, strict
            return
        # a / -b compared with numerator / denominator, both denominators > 0
        left, right = a * self.denominator, self.numerator * -b
        if left < right or (left == right and strict):
            self.numerator, self.denominator, self.strict = a, -b, strict

    def require_all(self, a, b, *, strict: bool, negated: bool = False) -> None:
        """:meth:`require` for numpy arrays (dtype object) of ``a`` and ``b``
        (of ``-a`` and ``-b`` when ``negated``).

        Floats pick the conditions whose limit may be the smallest (each float
        limit is within a few ulps of the exact one, see
        :data:`CLOSE`); only those are compared exactly.
        """
        falling = ((b > 0) if negated else (b < 0)).astype(bool)
        if not falling.any():
            return
        a, b = a[falling], b[falling]
        try:
            limits = a.astype(np.float64) / -b.astype(np.float64)
        except OverflowError:
            limits = (a / -b).astype(np.float64)
        closest = limits.min()
        sign = -1 if negated else 1
        bound = max(closest + abs(closest) * CLOSE, TINY)
        for i in np.flatnonzero(limits <= bound).tolist():
            self.require((sign * int(a[i]), sign * int(b[i])), strict=strict)

    def last_same(self, t: Fraction, unit: int = 1) -> Fraction | None:
        """The largest ``t + k*unit`` (whole ``k >= 0``) inside the horizon, or None."""
        if self.numerator is None:
            return None
        span = (self.limit - t) / unit
        steps = math.ceil(span) - 1 if self.strict else math.floor(span)
        return t + max(steps, 0) * unit
