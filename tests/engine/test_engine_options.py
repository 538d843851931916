"""The MES options: greedy_fill and the comparison with greedy."""

import pytest

from pbvote.engine import Instance, Project, UnsupportedRuleError, tally

P = Project


def leftover_money() -> Instance:
    """B = 8, n = 4: each voter starts with 2 and nothing is affordable.

    t = 3: a (3) is funded by its one supporter; b and c are unaffordable.
    t = 4: c (8) is funded by its two supporters at rho 1/2, then a: cost 11 > 8,
    so the completion keeps [a] and leaves 5 unspent.
    """
    return Instance(
        [P("a", 3), P("b", 4), P("c", 8)],
        8,
        [frozenset("a"), frozenset("bc"), frozenset(), frozenset("c")],
    )


def test_plain_mes_leaves_money_unspent():
    result = tally(leftover_money(), "mes")
    assert result.winners == ["a"]
    assert result.budget_left == 5
    assert result.decision("b").reason == "not_affordable"


def test_greedy_fill_adds_projects_by_votes_after_mes():
    result = tally(leftover_money(), "mes", greedy_fill=True)
    assert result.winners == ["a", "b"]
    c, b = result.decision("c"), result.decision("b")
    assert (c.reason, c.step, c.remaining_budget_before) == ("does_not_fit", 2, 5)
    assert (b.reason, b.step, b.remaining_budget_before) == ("greedy_fill", 3, 5)
    assert result.budget_used == 7


def majority_bloc() -> Instance:
    """Three voters want x (cost 9); two voters want y and z (cost 3 each).

    MES gives the minority its share: [y, z] and x does not fit. Greedy funds x.
    Three voters prefer greedy's outcome (9 > 0), two prefer MES's (6 > 0).
    """
    ballots = [frozenset("x")] * 3 + [frozenset("yz")] * 2
    return Instance([P("x", 9), P("y", 3), P("z", 3)], 10, ballots)


def test_comparison_keeps_greedy_when_more_voters_prefer_it():
    result = tally(majority_bloc(), "mes", comparison=True)
    facts = result.details["comparison"]
    assert facts["voters_preferring_greedy"] == 3
    assert facts["voters_preferring_mes"] == 2
    assert facts["kept"] == "greedy"
    assert result.winners == ["x"] == facts["greedy_winners"]
    assert result.rule == "mes"


def test_comparison_keeps_mes_on_a_tie_or_when_it_is_preferred():
    ballots = [frozenset("x")] * 2 + [frozenset("yz")] * 3
    instance = Instance([P("x", 9), P("y", 3), P("z", 3)], 10, ballots)
    result = tally(instance, "mes", comparison=True)
    assert result.details["comparison"]["kept"] == "mes"
    assert sorted(result.winners) == ["y", "z"]


def test_options_are_refused_for_greedy_rules():
    with pytest.raises(UnsupportedRuleError):
        tally(leftover_money(), "greedy", greedy_fill=True)


def test_unknown_rule_is_refused():
    with pytest.raises(UnsupportedRuleError, match="unknown rule"):
        tally(leftover_money(), "borda")
