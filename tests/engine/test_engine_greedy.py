"""Hand-checked greedy and greedy-no-skip tallies."""

from pbvote.engine import Ballot, Instance, Project, tally

P = Project


def example() -> Instance:
    """Budget 100. Votes: p4 4 (costs 120), p1 3, p2 2, p3 1, p5 0."""
    projects = [P("p1", 60), P("p2", 50), P("p3", 30), P("p4", 120), P("p5", 10)]
    ballots = [
        frozenset({"p1", "p2", "p3", "p4"}),
        frozenset({"p1", "p2", "p4"}),
        Ballot(frozenset({"p1", "p4"})),
        frozenset({"p4"}),
    ]
    return Instance(projects, 100, ballots)


def reasons(result) -> dict:
    return {d.project: d.reason for d in result.decisions}


def test_greedy_skips_a_project_that_does_not_fit():
    result = tally(example(), "greedy")
    assert result.winners == ["p1", "p3"]
    assert result.votes == {"p1": 3, "p2": 2, "p3": 1, "p4": 4, "p5": 0}
    assert (result.budget_used, result.budget_left) == (90, 10)
    assert reasons(result) == {
        "p1": "most_votes_fits",
        "p3": "most_votes_fits",
        "p2": "does_not_fit",
        "p4": "exceeds_budget",
        "p5": "no_votes",
    }


def test_greedy_no_skip_stops_at_the_first_project_that_does_not_fit():
    result = tally(example(), "greedy-no-skip")
    assert result.winners == ["p1"]
    assert result.budget_used == 60
    assert reasons(result)["p2"] == "does_not_fit"
    assert reasons(result)["p3"] == "stopped_earlier"


def test_a_project_above_the_whole_budget_does_not_stop_greedy_no_skip():
    result = tally(example(), "greedy-no-skip")
    assert result.decision("p4").reason == "exceeds_budget"
    assert result.decision("p1").step == 1  # p4 (most votes) never took a step


def test_decisions_record_step_and_money_before():
    p3 = tally(example(), "greedy").decision("p3")
    assert (p3.step, p3.remaining_budget_before, p3.votes, p3.cost) == (3, 40, 1, 30)


def test_decisions_list_every_project_once_winners_first():
    result = tally(example(), "greedy")
    assert [d.project for d in result.decisions][:2] == ["p1", "p3"]
    assert sorted(d.project for d in result.decisions) == ["p1", "p2", "p3", "p4", "p5"]


def test_weights_count_as_that_many_ballots():
    projects = [P("a", 10), P("b", 10)]
    ballots = [Ballot(frozenset({"a"}), weight=3), Ballot(frozenset({"b"}), 2)]
    result = tally(Instance(projects, 10, ballots), "greedy")
    assert result.votes == {"a": 3, "b": 2}
    assert result.winners == ["a"]


def test_empty_ballots_and_no_ballots_fund_nothing():
    projects = [P("a", 10)]
    assert tally(Instance(projects, 10, [frozenset()] * 5), "greedy").winners == []
    assert tally(Instance(projects, 10, []), "greedy").winners == []


def test_zero_budget_funds_only_free_projects():
    projects = [P("a", 0), P("b", 5)]
    result = tally(Instance(projects, 0, [frozenset({"a", "b"})]), "greedy")
    assert result.winners == ["a"]
    assert result.decision("b").reason == "exceeds_budget"


def test_cumulative_ballots_rank_by_total_points():
    projects = [P("a", 50), P("b", 50), P("c", 50)]
    ballots = [{"a": 3}, {"b": 1, "c": 2}, {"b": 1, "c": 2}]
    instance = Instance(projects, 100, ballots, {"vote_type": "cumulative"})
    result = tally(instance, "greedy")
    assert result.votes == {"a": 3, "b": 2, "c": 4}
    assert result.winners == ["c", "a"]


def test_ordinal_ballots_score_a_ranking_of_length_l_as_l_down_to_1():
    projects = [P("a", 50), P("b", 50), P("c", 50)]
    ballots = [("a", "b", "c"), ("c", "b"), ("b",)]
    instance = Instance(projects, 100, ballots, {"vote_type": "ordinal"})
    result = tally(instance, "greedy")
    assert result.votes == {"a": 3, "b": 2 + 1 + 1, "c": 1 + 2}
    assert result.winners == ["b", "a"]  # a and c tie on 3: lower id first


def threshold_example() -> Instance:
    """Budget 100; votes a 5 (cost 40), b 3 (cost 30), c 2 (cost 20)."""
    projects = [P("a", 40), P("b", 30), P("c", 20)]
    ballots = [frozenset("abc")] * 2 + [frozenset("ab")] + [frozenset("a")] * 2
    return Instance(projects, 100, ballots)


def test_a_project_below_the_minimum_score_is_never_funded():
    result = tally(threshold_example(), "greedy", min_score=3)
    assert result.winners == ["a", "b"]  # c fits, but has 2 votes of the 3 needed
    assert reasons(result)["c"] == "below_threshold"
    assert result.details["min_score"] == 3
    assert tally(threshold_example(), "greedy").winners == ["a", "b", "c"]


def test_the_minimum_score_does_not_stop_greedy_no_skip():
    projects = [P("a", 60), P("b", 70), P("c", 40)]
    ballots = [frozenset("abc")] * 2 + [frozenset("b")] * 3 + [frozenset("a")]
    instance = Instance(projects, 100, ballots)  # votes: b 5, a 3, c 2
    plain = tally(instance, "greedy-no-skip")
    assert plain.winners == ["b"]  # a does not fit after b: the walk stops
    assert reasons(plain)["c"] == "stopped_earlier"
    capped = tally(instance, "greedy-no-skip", min_score=6)
    assert capped.winners == []
    assert set(reasons(capped).values()) == {"below_threshold"}


def test_the_minimum_score_counts_points_for_cumulative_ballots():
    projects = [P("a", 50), P("b", 50)]
    ballots = [{"a": 3}, {"b": 1}, {"b": 1}]
    instance = Instance(projects, 100, ballots, {"vote_type": "cumulative"})
    assert tally(instance, "greedy-threshold", min_score=3).winners == ["a"]


def test_the_minimum_score_keeps_projects_out_of_mes():
    result = tally(threshold_example(), "mes", min_score=3)
    assert "c" not in result.winners
    assert reasons(result)["c"] == "below_threshold"
