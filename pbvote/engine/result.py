"""What a tally returns: winners, votes, and one explained decision per project."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from pbvote.engine.model import money_text
from pbvote.engine.ties import TIE_ORDER

# Reason codes (stable, machine-readable; the web app translates them).
MOST_VOTES_FITS = "most_votes_fits"  # greedy: next by votes and it fits
DOES_NOT_FIT = "does_not_fit"  # greedy: cost above the money left at its turn
STOPPED_EARLIER = "stopped_earlier"  # greedy-no-skip: an earlier project did not fit
EXCEEDS_BUDGET = "exceeds_budget"  # cost above the whole budget
NO_VOTES = "no_votes"  # vote total is not positive
BELOW_THRESHOLD = "below_threshold"  # fewer votes (or points) than the minimum
LOWEST_RHO = "lowest_rho"  # MES: supporters could pay it at the lowest price
NOT_AFFORDABLE = "not_affordable"  # MES: its supporters' money ran out
GREEDY_FILL = "greedy_fill"  # MES + greedy_fill: added afterwards by votes
REASONS = (
    MOST_VOTES_FITS,
    DOES_NOT_FIT,
    STOPPED_EARLIER,
    EXCEEDS_BUDGET,
    NO_VOTES,
    BELOW_THRESHOLD,
    LOWEST_RHO,
    NOT_AFFORDABLE,
    GREEDY_FILL,
)


@dataclass
class Decision:
    """Why one project was selected or rejected.

    ``step`` is the round of the procedure in which the decision was taken (for
    greedy: the position in the vote ranking; for MES: the selection round), or
    ``None`` when it was decided before the procedure started. ``details`` holds
    rule-specific numbers (for MES: ``rho``, ``effective_votes``, ...).
    """

    project: str
    selected: bool
    reason: str
    votes: int
    cost: int
    step: int | None = None
    remaining_budget_before: int | None = None
    details: dict = field(default_factory=dict)

    def to_dict(self, decimals: int = 0) -> dict:
        """A JSON-safe dict; ``details`` entries are merged in at the top level.

        Money is shown in currency (exact decimal text) when ``decimals`` > 0.
        """
        left = self.remaining_budget_before
        data = {
            "project": self.project,
            "selected": self.selected,
            "reason": self.reason,
            "step": self.step,
            "votes": self.votes,
            "cost": money_text(self.cost, decimals),
            "remaining_budget_before": None
            if left is None
            else money_text(left, decimals),
        }
        data.update({key: to_json(value) for key, value in self.details.items()})
        return data


@dataclass
class Result:
    """The outcome of :func:`pbvote.engine.tally`.

    ``winners`` are project ids in selection order; ``votes`` has every project;
    ``decisions`` has exactly one entry per project, selected ones first in
    selection order. ``details`` holds rule-level facts (MES completion, the
    comparison with greedy, the minimum score). Money is in the instance's units
    (``decimals``: see :class:`~pbvote.engine.model.Instance`).
    """

    rule: str
    budget: int
    winners: list[str]
    votes: dict[str, int]
    decisions: list[Decision]
    budget_used: int
    details: dict = field(default_factory=dict)
    tie_order: str = TIE_ORDER
    decimals: int = 0

    @property
    def budget_left(self) -> int:
        return self.budget - self.budget_used

    def decision(self, project_id: str) -> Decision:
        """The decision about one project; raises ``KeyError`` if unknown."""
        for decision in self.decisions:
            if decision.project == project_id:
                return decision
        raise KeyError(project_id)

    def to_dict(self) -> dict:
        """JSON-safe dict; each Fraction becomes ``{"exact": "p/q", "float": x}``;
        money is exact decimal text when the instance has decimals."""
        decimals = self.decimals
        return {
            "rule": self.rule,
            "budget": money_text(self.budget, decimals),
            "winners": list(self.winners),
            "votes": dict(self.votes),
            "decisions": [decision.to_dict(decimals) for decision in self.decisions],
            "budget_used": money_text(self.budget_used, decimals),
            "budget_left": money_text(self.budget_left, decimals),
            "tie_order": self.tie_order,
            "details": to_json(self.details),
        }


def to_json(value):
    """Render nested data JSON-safe, keeping Fractions exact as text."""
    if isinstance(value, Fraction):
        return {"exact": str(value), "float": float(value)}
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    return value
