"""Hypothesis strategies for elections, and the one fixed profile engine tests use.

``FIXED`` (use ``@fixed(n)``) derandomizes Hypothesis (the same examples on every run and machine)
and keeps no example database, so CI is deterministic; each property states its
own ``max_examples``, which is what it costs.
"""

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from pbvote.engine import Ballot, Instance, Project

FIXED = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def fixed(max_examples: int) -> settings:
    """The fixed profile with this many examples (what the property costs)."""
    return settings(FIXED, max_examples=max_examples)


NARROW_COSTS = st.integers(1, 20)


@st.composite
def elections(
    draw,
    *,
    max_projects: int = 12,
    min_voters: int = 0,
    max_voters: int = 60,
    costs=None,
    max_choices: int = 5,
    vote_type: str = "approval",
):
    """An election with 1..max_projects projects and 0..max_voters ballots.

    Narrow costs (the default) make ties common; the budget is a share of the
    total cost. Ordinal ballots are rankings; cumulative ones carry 1..3 points.
    """
    costs = NARROW_COSTS if costs is None else costs
    count = draw(st.integers(1, max_projects))
    project_costs = draw(st.lists(costs, min_size=count, max_size=count))
    projects = [Project(str(i + 1), cost) for i, cost in enumerate(project_costs)]
    ids = [project.id for project in projects]
    choice = st.lists(
        st.sampled_from(ids), max_size=min(max_choices, count), unique=True
    )
    chosen = draw(st.lists(choice, min_size=min_voters, max_size=max_voters))
    share = draw(st.sampled_from([0.2, 0.4, 0.7]))
    budget = int(sum(project_costs) * share)
    return Instance(
        projects, budget, _ballots(draw, chosen, vote_type), {"vote_type": vote_type}
    )


def _ballots(draw, chosen: list[list[str]], vote_type: str) -> list:
    if vote_type == "ordinal":
        return [tuple(ids) for ids in chosen]
    if vote_type == "cumulative":
        points = st.integers(1, 3)
        return [Ballot({pid: draw(points) for pid in ids}) for ids in chosen]
    return [frozenset(ids) for ids in chosen]
