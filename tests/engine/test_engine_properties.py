"""Properties every tally keeps, checked on generated elections (hypothesis)."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from pbvote.engine import Instance, Project, tally
from pbvote.engine.completion import add1_completion
from pbvote.engine.greedy import split_ineligible
from pbvote.engine.mes import EqualShares
from pbvote.engine.profile import build_profile
from pbvote.engine.tally import RULES


@st.composite
def elections(draw):
    count = draw(st.integers(1, 7))
    costs = draw(st.lists(st.integers(0, 30), min_size=count, max_size=count))
    projects = [Project(str(i + 1), cost) for i, cost in enumerate(costs)]
    ids = [project.id for project in projects]
    ballot = st.frozensets(st.sampled_from(ids), max_size=count)
    ballots = draw(st.lists(ballot, max_size=25))
    budget = draw(st.integers(0, sum(costs) + 5))
    return Instance(projects, budget, ballots)


@settings(max_examples=150, deadline=None)
@given(elections(), st.sampled_from(RULES), st.booleans(), st.booleans())
def test_outcomes_fit_the_budget_and_explain_every_project(
    instance, rule, greedy_fill, comparison
):
    options = {"greedy_fill": greedy_fill, "comparison": comparison}
    result = tally(instance, rule, **(options if rule.startswith("mes") else {}))
    costs = {p.id: p.cost for p in instance.projects}
    assert (
        result.budget_used == sum(costs[w] for w in result.winners) <= instance.budget
    )
    assert len(set(result.winners)) == len(result.winners)
    assert sorted(d.project for d in result.decisions) == sorted(costs)
    assert [d.project for d in result.decisions if d.selected] == result.winners


@settings(max_examples=100, deadline=None)
@given(elections(), st.sampled_from(RULES), st.randoms(use_true_random=False))
def test_ballot_order_does_not_matter(instance, rule, rng: random.Random):
    shuffled = list(instance.ballots)
    rng.shuffle(shuffled)
    other = Instance(instance.projects, instance.budget, shuffled)
    assert tally(other, rule).to_dict() == tally(instance, rule).to_dict()


@settings(max_examples=200, deadline=None)
@given(elections(), st.sampled_from(["cost", "cardinal"]))
def test_skipping_provably_equal_budgets_changes_nothing(instance, utility):
    profile = build_profile(instance)
    candidates, _ = split_ineligible(instance, profile.votes)
    mes = EqualShares(candidates, profile.approval_groups, profile.votes, utility)
    fast, fast_facts = add1_completion(mes, instance.budget, profile.voter_count)
    slow, slow_facts = add1_completion(
        mes, instance.budget, profile.voter_count, skip_same=False
    )
    assert fast.selections == slow.selections
    assert fast.rejections == slow.rejections
    assert {**fast_facts, "runs": 0} == {**slow_facts, "runs": 0}
