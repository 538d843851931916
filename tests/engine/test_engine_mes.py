"""Hand-checked Method of Equal Shares tallies, with the add1 completion."""

from fractions import Fraction

import pytest

from pbvote.engine import Instance, Project, UnsupportedRuleError, tally

P = Project


def beyond_exhaustive() -> Instance:
    """B = 10, n = 4, so each voter starts with 5/2.

    t = 5/2: a and b tie at rho 1/2 (b is cheaper), c (10) is unaffordable:
    outcome [b, a], cost 6, already exhaustive (4 left < 10).
    t = 7/2: c's three supporters pay 10/3 each (rho 1/3, the lowest); then a and
    b are unaffordable: outcome [c], cost 10, fits.
    t = 9/2: c, then b and a: cost 16 > 10, so the completion keeps t = 7/2.
    """
    return Instance(
        [P("a", 5), P("b", 1), P("c", 10)],
        10,
        [frozenset("ac"), frozenset("bc"), frozenset("a"), frozenset("bc")],
    )


def test_completion_goes_beyond_the_first_exhaustive_outcome():
    result = tally(beyond_exhaustive(), "mes")
    assert result.winners == ["c"]
    completion = result.details["completion"]
    assert completion["initial_per_voter_budget"] == Fraction(5, 2)
    assert completion["per_voter_budget"] == Fraction(7, 2)
    assert completion["increments"] == 1
    assert completion["stopped_because"] == "next_increment_overspends"


def test_mes_decisions_explain_rho_and_payments():
    result = tally(beyond_exhaustive(), "mes")
    c = result.decision("c")
    assert (c.selected, c.reason, c.step) == (True, "lowest_rho", 1)
    assert c.details["rho"] == Fraction(1, 3)
    assert c.details["payment_per_supporter"] == Fraction(10, 3)
    assert c.details["effective_votes"] == 3
    a = result.decision("a")
    assert (a.selected, a.reason, a.step) == (False, "not_affordable", 2)
    assert a.details["supporters_money"] == Fraction(1, 6) + Fraction(7, 2)


def test_mes_card_prices_one_unit_per_project():
    # Each voter has 3; a (cost 6) shared by 2 costs 3 each (rho 3),
    # b (cost 2) by 1 costs 2 (rho 2): mes-card funds b first, then a.
    instance = Instance(
        [P("a", 6), P("b", 2)], 9, [frozenset("ab"), frozenset("a"), frozenset()]
    )
    result = tally(instance, "mes-card")
    assert result.winners[0] == "b"
    assert result.decision("b").details["rho"] == 2


def test_cost_utilities_prefer_the_project_more_voters_share():
    # Same instance with cost utilities: a has rho 3/6 = 1/2, b has 2/2 = 1.
    instance = Instance(
        [P("a", 6), P("b", 2)], 9, [frozenset("ab"), frozenset("a"), frozenset()]
    )
    assert tally(instance, "mes").winners[0] == "a"


def test_completion_stops_when_every_candidate_is_funded():
    instance = Instance([P("a", 3), P("b", 3)], 100, [frozenset("a"), frozenset("b")])
    result = tally(instance, "mes")
    assert sorted(result.winners) == ["a", "b"]
    assert result.details["completion"]["stopped_because"] == "all_candidates_selected"
    assert result.details["completion"]["increments"] == 0


def test_a_project_above_the_budget_is_never_a_candidate():
    instance = Instance([P("big", 11), P("a", 4)], 10, [frozenset({"big", "a"})] * 3)
    result = tally(instance, "mes")
    assert result.winners == ["a"]
    assert result.decision("big").reason == "exceeds_budget"


def test_no_voters_or_empty_ballots_fund_nothing():
    projects = [P("a", 3)]
    for ballots in ([], [frozenset()] * 4):
        result = tally(Instance(projects, 10, ballots), "mes")
        assert result.winners == []
        assert result.decision("a").reason == "no_votes"


def test_zero_budget_funds_only_free_projects():
    instance = Instance([P("free", 0), P("a", 1)], 0, [frozenset({"free", "a"})])
    assert tally(instance, "mes").winners == ["free"]


def test_free_projects_come_first_with_rho_zero():
    instance = Instance([P("a", 4), P("free", 0)], 4, [frozenset({"free", "a"})] * 2)
    result = tally(instance, "mes")
    assert result.winners == ["free", "a"]
    assert result.decision("free").details["rho"] == 0


def test_mes_on_points_ballots_is_refused_clearly():
    instance = Instance([P("a", 3)], 3, [{"a": 2}], {"vote_type": "cumulative"})
    with pytest.raises(UnsupportedRuleError, match="greedy"):
        tally(instance, "mes")


def test_ranked_ballots_are_approvals_for_mes():
    ranked = Instance(
        [P("a", 4), P("b", 4)], 4, [("a", "b"), ("b",)] * 2, {"vote_type": "ordinal"}
    )
    approval = Instance(
        [P("a", 4), P("b", 4)], 4, [frozenset("ab"), frozenset("b")] * 2
    )
    assert tally(ranked, "mes").winners == tally(approval, "mes").winners == ["b"]


def test_grouped_ballots_give_the_same_result_as_single_ones():
    from pbvote.engine import Ballot
    from pbvote.engine.generate import random_instance

    single = random_instance(3, voters=60, projects=8)
    counts: dict = {}
    for ballot in single.ballots:
        counts[ballot] = counts.get(ballot, 0) + 1
    grouped = Instance(
        single.projects,
        single.budget,
        [Ballot(choice, weight) for choice, weight in counts.items()],
    )
    for rule in ("mes", "mes-card"):
        assert tally(grouped, rule).to_dict() == tally(single, rule).to_dict()
