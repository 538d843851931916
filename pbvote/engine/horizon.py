"""Affine forms in the per-voter budget ``t``, and how far a run's outcome holds.

During an MES run every amount of money is ``a + b*t`` for the run's starting
per-voter budget ``t``: a *form* ``(a, b)`` of two Fractions. Each decision of the
run (who runs out of money, which project has the lowest rho, which project is
unaffordable) is a sign condition on such a form. Collecting them tells up to
which ``t`` every decision, hence the outcome, is certainly the same.
"""

from __future__ import annotations

import math
from fractions import Fraction

Form = tuple  # (a, b) meaning a + b*t, both Fractions or ints
ZERO_FORM: Form = (Fraction(0), Fraction(0))


def add_forms(first: Form, second: Form) -> Form:
    return (first[0] + second[0], first[1] + second[1])


def scale_form(form: Form, factor) -> Form:
    return (form[0] * factor, form[1] * factor)


class Horizon:
    """The upper end of the ``t`` range on which recorded conditions all hold.

    Conditions are only recorded when they hold at the run's own ``t``; looking
    forward, a condition can only fail if its form decreases with ``t``.
    """

    def __init__(self) -> None:
        self.limit: Fraction | None = None  # None: no condition ever fails
        self.strict = False  # True: the limit itself already fails

    def require(self, form: Form, *, strict: bool) -> None:
        """Record ``a + b*t > 0`` (``strict``) or ``>= 0``."""
        a, b = form
        if b >= 0:
            return
        limit = Fraction(-a) / b
        if self.limit is None or limit < self.limit or (limit == self.limit and strict):
            self.limit, self.strict = limit, strict

    def last_same(self, t: Fraction, unit: int = 1) -> Fraction | None:
        """The largest ``t + k*unit`` (whole ``k >= 0``) inside the horizon, or None."""
        if self.limit is None:
            return None
        span = (self.limit - t) / unit
        steps = math.ceil(span) - 1 if self.strict else math.floor(span)
        return t + max(steps, 0) * unit
