"""Seeded random elections for tests and benchmarks (not used by tallies).

Popularity is skewed like real elections: each project gets a random appeal, and
ballots pick projects with probability proportional to it.
"""

from __future__ import annotations

import random

from pbvote.engine.model import Ballot, Instance, Project


def random_instance(
    seed: int,
    *,
    voters: int,
    projects: int,
    max_choices: int = 5,
    cost_range: tuple[int, int] = (1, 100),
    budget_share: float = 0.3,
    vote_type: str = "approval",
    max_points: int = 3,
) -> Instance:
    """A reproducible random election: the same arguments give the same instance.

    Ballots list 0..``max_choices`` projects (a few are empty); the budget is
    ``budget_share`` of the total cost. ``vote_type`` "cumulative" gives each
    chosen project 1..``max_points`` points; "ordinal" keeps the order drawn.
    """
    rng = random.Random(seed)
    low, high = cost_range
    project_list = [
        Project(str(i + 1), rng.randint(low, high)) for i in range(projects)
    ]
    appeal = [rng.random() ** 2 + 0.01 for _ in range(projects)]
    ids = [project.id for project in project_list]
    ballots = [
        _ballot(rng, ids, appeal, max_choices, vote_type, max_points)
        for _ in range(voters)
    ]
    budget = int(sum(project.cost for project in project_list) * budget_share)
    return Instance(project_list, budget, ballots, {"vote_type": vote_type})


def _ballot(rng, ids, appeal, max_choices, vote_type, max_points):
    drawn = rng.choices(ids, appeal, k=rng.randint(0, max_choices))
    chosen = list(dict.fromkeys(drawn))  # drop repeats, keep the drawing order
    if vote_type == "ordinal":
        return tuple(chosen)
    if vote_type in ("cumulative", "scoring"):
        return Ballot({pid: rng.randint(1, max_points) for pid in chosen})
    return frozenset(chosen)
