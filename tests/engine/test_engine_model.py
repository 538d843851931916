"""Input validation and the JSON form of results."""

import json
from fractions import Fraction

import pytest

from pbvote.engine import Ballot, Instance, InstanceError, Project, tally
from pbvote.engine.result import to_json


@pytest.mark.parametrize(
    ("projects", "budget", "message"),
    [
        ([Project("a", -1)], 10, "cost must be a whole number"),
        ([Project("a", 1.5)], 10, "cost must be a whole number"),
        ([Project("a", 1), Project("a", 2)], 10, "appears twice"),
        ([Project("a", 1)], -5, "budget must be"),
        ([Project("", 1)], 5, "non-empty"),
    ],
)
def test_bad_projects_or_budget_are_refused(projects, budget, message):
    with pytest.raises(InstanceError, match=message):
        Instance(projects, budget, [])


@pytest.mark.parametrize(
    ("ballots", "message"),
    [
        ([frozenset({"zz"})], "unknown project 'zz'"),
        ([Ballot(frozenset({"a"}), 0)], "weight"),
        ([{"a": 1}], "approval set"),
    ],
)
def test_bad_ballots_are_refused_at_tally_time(ballots, message):
    instance = Instance([Project("a", 1)], 5, ballots, {"vote_type": "approval"})
    with pytest.raises(InstanceError, match=message):
        tally(instance, "greedy")


def test_fractions_render_exactly_and_as_floats():
    assert to_json({"x": [Fraction(123, 7)]}) == {
        "x": [{"exact": "123/7", "float": 123 / 7}]
    }


def test_results_are_json_safe_with_exact_mes_numbers():
    instance = Instance(
        [Project("a", 3), Project("b", 2)],
        4,
        [frozenset("ab"), frozenset("a"), frozenset("b")],
    )
    data = tally(instance, "mes", comparison=True).to_dict()
    json.dumps(data)
    first = data["decisions"][0]
    assert set(first["rho"]) == {"exact", "float"}
    assert data["budget_left"] == data["budget"] - data["budget_used"]
    assert "cheaper" in data["tie_order"]
