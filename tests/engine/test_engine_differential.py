"""The engine against pabutools (a test-only dependency) on seeded random elections.

Ties: pabutools is given the engine's own tie order, so results must agree even
where a tie decides. Separately, pabutools' ``refuse_tie_breaking`` raises on any
tie, which picks out the instances where no tie decides at all; on those the
results must agree whatever tie order is used.
"""

from fractions import Fraction

import pytest
from pabutools.election import (
    ApprovalBallot,
    ApprovalProfile,
    Cardinality_Sat,
    Cost_Sat,
)
from pabutools.election import Instance as PabuInstance
from pabutools.election import Project as PabuProject
from pabutools.rules import (
    exhaustion_by_budget_increase,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)
from pabutools.tiebreaking import (
    TieBreakingException,
    TieBreakingRule,
    refuse_tie_breaking,
)

from pbvote.engine import tally
from pbvote.engine.generate import random_instance
from pbvote.engine.greedy import split_ineligible
from pbvote.engine.mes import EqualShares
from pbvote.engine.profile import build_profile
from pbvote.engine.ties import tie_key

SAT = {"cost": Cost_Sat, "cardinal": Cardinality_Sat}


def election(seed: int, wide_costs: bool = False):
    """Small elections of many shapes; narrow costs make ties common."""
    return random_instance(
        seed,
        voters=seed % 60 + 1,
        projects=seed % 12 + 1,
        max_choices=seed % 5 + 1,
        cost_range=(1, 1000 if wide_costs else 20),
        budget_share=(0.2, 0.4, 0.7)[seed % 3],
    )


def to_pabutools(instance, votes):
    """The engine's candidates (cost <= budget, some votes) as pabutools objects."""
    projects = {
        p.id: PabuProject(p.id, p.cost)
        for p in instance.projects
        if p.cost <= instance.budget and votes[p.id] > 0
    }
    pabu = PabuInstance(projects.values(), budget_limit=instance.budget)
    ballots = [
        ApprovalBallot([projects[i] for i in b if i in projects])
        for b in instance.ballots
    ]
    return pabu, ApprovalProfile(ballots)


def our_tie_order(votes):
    return TieBreakingRule(
        lambda _i, _p, project: tie_key(
            int(project.cost), votes[project.name], project.name
        )
    )


def names(outcome) -> list[str]:
    return [project.name for project in outcome]


@pytest.mark.parametrize("seed", range(150))
def test_greedy_matches_pabutools_greedy_with_cost_satisfaction(seed):
    instance = election(seed)
    result = tally(instance, "greedy")
    pabu, profile = to_pabutools(instance, result.votes)
    expected = greedy_utilitarian_welfare(
        pabu, profile, sat_class=Cost_Sat, tie_breaking=our_tie_order(result.votes)
    )
    assert result.winners == names(expected)


def base_run(instance, utility):
    profile = build_profile(instance)
    candidates, _ = split_ineligible(instance, profile.votes)
    mes = EqualShares(candidates, profile.approval_groups, profile.votes, utility)
    return mes.run(Fraction(instance.budget, profile.voter_count)), profile.votes


@pytest.mark.parametrize("utility", ["cost", "cardinal"])
@pytest.mark.parametrize("seed", range(120))
def test_one_mes_run_matches_pabutools_with_the_same_tie_order(seed, utility):
    instance = election(seed)
    run, votes = base_run(instance, utility)
    pabu, profile = to_pabutools(instance, votes)
    expected = method_of_equal_shares(
        pabu, profile, sat_class=SAT[utility], tie_breaking=our_tie_order(votes)
    )
    assert run.winners == names(expected)


@pytest.mark.parametrize("utility", ["cost", "cardinal"])
def test_one_mes_run_matches_pabutools_where_no_tie_decides(utility):
    compared = 0
    for seed in range(120):
        instance = election(seed, wide_costs=True)
        run, votes = base_run(instance, utility)
        pabu, profile = to_pabutools(instance, votes)
        try:
            expected = method_of_equal_shares(
                pabu, profile, sat_class=SAT[utility], tie_breaking=refuse_tie_breaking
            )
        except TieBreakingException:
            continue  # a tie decided somewhere: covered by the test above
        assert set(run.winners) == set(names(expected)), seed
        compared += 1
    assert compared >= 60  # most random elections with wide costs have no tie


@pytest.mark.parametrize("rule", ["mes", "mes-card"])
@pytest.mark.parametrize("seed", range(120))
def test_add1_completion_matches_pabutools_exhaustion_by_budget_increase(seed, rule):
    instance = election(seed)
    result = tally(instance, rule)
    utility = "cost" if rule == "mes" else "cardinal"
    pabu, profile = to_pabutools(instance, result.votes)
    expected = exhaustion_by_budget_increase(
        pabu,
        profile,
        method_of_equal_shares,
        {"sat_class": SAT[utility], "tie_breaking": our_tie_order(result.votes)},
        exhaustive_stop=False,  # as cities do: go on until the budget overspends
        budget_step=len(instance.ballots),  # one currency unit per voter
    )
    assert set(result.winners) == set(names(expected))
