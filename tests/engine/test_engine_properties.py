"""Properties every tally keeps, checked on generated elections (Hypothesis, with
the fixed profile of :mod:`tests.engine.strategies`)."""

import random
from fractions import Fraction

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from pbvote.engine import Instance, Project, tally
from pbvote.engine.completion import add1_completion
from pbvote.engine.greedy import split_ineligible
from pbvote.engine.mes import SMALL_ELECTORATE, EqualShares
from pbvote.engine.profile import build_profile
from pbvote.engine.tally import RULES
from tests.engine.strategies import elections, fixed

SMALL = elections(max_projects=7, max_voters=25, costs=st.integers(0, 30))
# Forint-size money: costs in the tens of thousands for a few dozen voters, so
# the add1 completion (one unit per voter per step) takes thousands of steps.
FORINT = elections(
    max_projects=5, min_voters=2, max_voters=5, costs=st.integers(3_000, 12_000)
)


@fixed(150)
@given(SMALL, st.sampled_from(RULES), st.booleans(), st.booleans())
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


@fixed(100)
@given(SMALL, st.sampled_from(RULES), st.randoms(use_true_random=False))
def test_ballot_order_does_not_matter(instance, rule, rng: random.Random):
    shuffled = list(instance.ballots)
    rng.shuffle(shuffled)
    other = Instance(instance.projects, instance.budget, shuffled)
    assert tally(other, rule).to_dict() == tally(instance, rule).to_dict()


@fixed(100)
@given(SMALL, st.sampled_from(RULES), st.integers(0, 12))
def test_no_project_below_the_minimum_score_wins(instance, rule, min_score):
    result = tally(instance, rule, min_score=min_score)
    assert all(result.votes[w] >= min_score for w in result.winners)
    below = [p for p, votes in result.votes.items() if 0 < votes < min_score]
    reasons = {result.decision(p).reason for p in below}
    assert reasons <= {"below_threshold", "exceeds_budget"}  # checked in this order


def both_completions(instance, utility, small=None):
    profile = build_profile(instance)
    candidates, _ = split_ineligible(instance, profile.votes)
    mes = EqualShares(
        candidates, profile.approval_groups, profile.votes, utility, small=small
    )
    fast = add1_completion(mes, instance.budget, profile.voter_count)
    slow = add1_completion(mes, instance.budget, profile.voter_count, skip_same=False)
    return fast, slow


def assert_same(fast, slow):
    (fast_run, fast_facts), (slow_run, slow_facts) = fast, slow
    assert fast_run.selections == slow_run.selections
    assert fast_run.rejections == slow_run.rejections
    assert {**fast_facts, "runs": 0} == {**slow_facts, "runs": 0}


@pytest.mark.parametrize("small", [True, False], ids=["plain-python", "numpy"])
@fixed(200)
@given(SMALL, st.sampled_from(["cost", "cardinal"]))
def test_fast_completion_equals_running_every_add1_step(small, instance, utility):
    assert_same(*both_completions(instance, utility, small))


@pytest.mark.parametrize("small", [True, False], ids=["plain-python", "numpy"])
@fixed(8)
@given(FORINT, st.sampled_from(["cost", "cardinal"]))
def test_fast_completion_equals_every_step_with_forint_size_budgets(
    small, instance, utility
):
    fast, slow = both_completions(instance, utility, small)
    assert_same(fast, slow)
    assert fast[1]["runs"] <= slow[1]["runs"]
    event(f"add1 steps: {slow[1]['runs'] // 1000} thousand")


def prepared(instance, utility="cost", small=None):
    profile = build_profile(instance)
    candidates, _ = split_ineligible(instance, profile.votes)
    mes = EqualShares(
        candidates, profile.approval_groups, profile.votes, utility, small=small
    )
    return mes, profile


@pytest.mark.parametrize("small", [True, False], ids=["plain-python", "numpy"])
@fixed(150)
@given(SMALL, st.sampled_from(["cost", "cardinal"]), st.integers(0, 40))
def test_a_run_without_horizon_bookkeeping_has_the_same_outcome(
    small, instance, utility, increments
):
    mes, profile = prepared(instance, utility, small)
    t = Fraction(instance.budget, max(profile.voter_count, 1)) + increments
    full = mes.run(t)
    bare = mes.run(t, horizon_to=t)  # no forms, no horizon
    cut = mes.run(t, horizon_to=t + 1)  # forms until the horizon falls short
    assert bare.selections == full.selections == cut.selections
    assert bare.rejections == full.rejections == cut.rejections
    assert bare.horizon.last_same(t) == t
    # Cut short only where the full horizon could not skip a step anyway.
    reach = full.horizon.last_same(t)
    assert cut.horizon.last_same(t) == (t if reach == t else reach)


@fixed(100)
@given(SMALL)
def test_overlaps_are_the_projects_sharing_a_supporter(instance):
    mes, _ = prepared(instance)
    for j, shared in enumerate(mes.overlap):
        expected = [
            i
            for i in range(len(mes.candidates))
            if set(mes.supporters[i]) & set(mes.supporters[j])
        ]
        assert shared.tolist() == expected


# Elections whose supporters fall into many money classes: more than the
# numpy path's own plain-Python cut-off (24 classes), so both of its branches run.
MANY = elections(max_projects=8, min_voters=20, max_voters=60, costs=st.integers(1, 90))


def assert_same_run(one, other):
    assert one.selections == other.selections
    assert one.rejections == other.rejections
    assert one.cost == other.cost
    assert one.horizon.limit == other.horizon.limit
    assert one.horizon.strict == other.horizon.strict


@fixed(120)
@given(
    st.one_of(SMALL, MANY),
    st.sampled_from(["cost", "cardinal"]),
    st.integers(0, 30),
    st.sampled_from([None, 0, 1, 5]),
)
def test_the_plain_python_and_numpy_runs_are_identical(
    instance, utility, increments, reach
):
    plain, profile = prepared(instance, utility, small=True)
    vectorised, _ = prepared(instance, utility, small=False)
    t = Fraction(instance.budget, max(profile.voter_count, 1)) + increments
    horizon_to = None if reach is None else t + reach
    assert_same_run(plain.run(t, horizon_to), vectorised.run(t, horizon_to))


@fixed(60)
@given(st.one_of(SMALL, MANY, FORINT), st.sampled_from(["cost", "cardinal"]))
def test_the_plain_python_and_numpy_completions_are_identical(instance, utility):
    profile = build_profile(instance)
    completions = []
    for small in (True, False):
        mes, _ = prepared(instance, utility, small)
        completions.append(add1_completion(mes, instance.budget, profile.voter_count))
    (plain, plain_facts), (vectorised, vectorised_facts) = completions
    assert_same_run(plain, vectorised)
    # Replays on the plain path may end a few horizons sooner (more runs).
    assert {**plain_facts, "runs": 0} == {**vectorised_facts, "runs": 0}
    mes, _ = prepared(instance, utility, small=True)
    unreplayed = add1_completion(
        mes, instance.budget, profile.voter_count, replay=False
    )
    assert_same_run(unreplayed[0], vectorised)
    assert unreplayed[1] == vectorised_facts


@fixed(200)
@given(
    st.one_of(SMALL, MANY, FORINT),
    st.sampled_from(["cost", "cardinal"]),
    st.integers(0, 20),
    st.integers(1, 40),
    st.sampled_from([None, 1, 3]),
)
def test_a_replayed_run_has_the_outcome_of_a_run_from_the_start(
    instance, utility, increments, further, reach
):
    """A run replaying an earlier one (at a budget ``further`` units below,
    itself run with any horizon target) selects the same projects at the same
    prices, finds the same ones unaffordable, and its horizon holds."""
    mes, profile = prepared(instance, utility, small=True)
    t = Fraction(instance.budget, max(profile.voter_count, 1)) + increments
    earlier = mes.run(t, None if reach is None else t + reach)
    later = t + further
    replayed = mes.run(later, later + 1, after=earlier)
    fresh = mes.run(later, later + 1)
    event(f"replayed: {replayed.replayed}")
    assert replayed.selections == fresh.selections
    assert replayed.cost == fresh.cost
    rejected = sorted(r.project for r in replayed.rejections)
    assert rejected == sorted(r.project for r in fresh.rejections)
    for r in replayed.rejections:  # unaffordable when it was found so
        assert r.supporters_money < instance.project(r.project).cost
    last = replayed.horizon.last_same(later)
    assert last is None or last >= later
    for budget in range(1, 6):  # the horizon is sound
        if last is None or later + budget <= last:
            assert mes.run(later + budget, later + budget).winners == fresh.winners


@fixed(100)
@given(st.one_of(SMALL, MANY, FORINT), st.sampled_from(["cost", "cardinal"]))
def test_replays_do_not_change_the_completion(instance, utility):
    mes, profile = prepared(instance, utility, small=True)
    args = (mes, instance.budget, profile.voter_count)
    (run, facts), (unreplayed, unreplayed_facts) = (
        add1_completion(*args),
        add1_completion(*args, replay=False),
    )
    assert_same_run(run, unreplayed)
    assert {**facts, "runs": 0} == {**unreplayed_facts, "runs": 0}
    assert not run.replayed  # the kept run is always one from the start


def test_the_path_is_chosen_by_the_number_of_distinct_ballots():
    instance = Instance(
        [Project("a", 10), Project("b", 20)], 30, [{"a"}, {"a", "b"}, {"b"}]
    )
    mes, _ = prepared(instance)
    assert mes.small and len(mes.approvals) <= SMALL_ELECTORATE
    assert not prepared(instance, small=False)[0].small
