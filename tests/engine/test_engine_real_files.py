"""Real elections in tests/engine/data (from pabulib.org, via shared/pabulib).

Where a file publishes its winners (a ``selected`` column), tallying it with the
rule it declares (and its ``min_project_score_threshold``), with no options,
must give exactly those winners. Veszprem declares ``rule;unknown``: its costs
are stand-ins for price ranges, and no rule reproduces its choice from them.
The Toulouse files publish vote totals but no winners, so their greedy winners
below were worked out by hand from the published totals.
"""

import pytest

from pbvote.engine import PabulibError, read_pb, selected_projects, tally
from pbvote.engine.cli import tally_file
from pbvote.engine.completion import add1_completion
from pbvote.engine.greedy import split_ineligible
from pbvote.engine.mes import EqualShares
from pbvote.engine.profile import build_profile

ASSEN = "Netherlands_Assen_2024.pb"
TOULOUSE_2019 = "France_Toulouse_2019.pb"
TOULOUSE_2022 = "France_Toulouse_2022_1_-_Capitole_Arnaud_Bernard_Carmes.pb"
VESZPREM = "Hungary_Veszprem_2025.pb"
PUBLISHED = [
    ASSEN,
    "Poland_Gdynia_2024_Chylonia__large.pb",  # greedy-no-skip, threshold 50
    "Poland_Katowice_2023_Srodmiescie.pb",  # cumulative, greedy-threshold
    "Poland_Krakow_2024_Podgorze.pb",  # ordinal, budget with cents
    "Poland_Swiecie_2023.pb",  # equalshares/add1
    "Poland_Warszawa_2026.pb",  # 61,668 voters, greedy-threshold 3000
    "Poland_Warszawa_2026_Srodmiescie.pb",
    "Poland_Wieliczka_2023_Green_Budget.pb",  # equalshares/add1-comparison
]


@pytest.mark.parametrize("name", PUBLISHED)
def test_the_declared_rule_reproduces_the_published_winners(data_dir, name):
    data = tally_file(data_dir / name)
    assert data["rule"] in ("greedy", "greedy-no-skip", "mes")
    assert data["matches_published"], data["differences"]
    assert data["differences"] == {
        "funded_not_published": [],
        "published_not_funded": [],
    }


def test_without_its_threshold_warsaw_would_fund_a_project_it_did_not(data_dir):
    instance = read_pb(data_dir / "Poland_Warszawa_2026.pb")
    winners = tally(instance, "greedy").winners
    assert set(winners) - set(selected_projects(instance)) == {"1664"}
    assert tally(instance, "greedy").votes["1664"] < 3000


def test_krakow_scores_rankings_as_it_publishes_them(data_dir):
    instance = read_pb(data_dir / "Poland_Krakow_2024_Podgorze.pb")
    assert instance.decimals == 2 and instance.budget == 257294676
    votes = tally(instance, "greedy").votes
    assert votes == {p.id: int(p.extra["score"]) for p in instance.projects}


def test_an_unknown_declared_rule_is_refused_naming_the_known_ones(data_dir):
    with pytest.raises(PabulibError, match="'unknown' is not one") as caught:
        tally_file(data_dir / VESZPREM)
    assert caught.value.line == 11
    assert "equalshares/add1-comparison" in str(caught.value)


def test_a_rule_given_by_hand_reports_how_it_differs_from_the_published(data_dir):
    data = tally_file(data_dir / VESZPREM, "greedy")
    assert data["matches_published"] is False
    assert data["differences"] == {
        "funded_not_published": ["44"],
        "published_not_funded": [],
    }


def test_mes_add1_reproduces_the_assen_2024_budget_use(data_dir):
    result = tally(read_pb(data_dir / ASSEN), "equalshares/add1")
    assert result.budget_used == 76700


@pytest.mark.parametrize("name", [ASSEN, "Poland_Swiecie_2023.pb"])
def test_replaying_runs_gives_the_same_city_mes(data_dir, name):
    """The add1 completion with replayed runs (the default) against runs from
    the start, on the small electorates where replays happen."""
    instance = read_pb(data_dir / name)
    profile = build_profile(instance)
    candidates, _ = split_ineligible(instance, profile.votes)
    mes = EqualShares(candidates, profile.approval_groups, profile.votes, "cost")
    assert mes.small
    args = (mes, instance.budget, profile.voter_count)
    unit = instance.currency_unit
    run, facts = add1_completion(*args, unit=unit)
    plain, plain_facts = add1_completion(*args, unit=unit, replay=False)
    assert run.selections == plain.selections
    assert run.rejections == plain.rejections
    assert {**facts, "runs": 0} == {**plain_facts, "runs": 0}
    # The completion's first ten runs, as it makes them: most replay the last.
    t = facts["initial_per_voter_budget"]
    last = mes.run(t, t + unit)
    replays = 0
    for _ in range(10):
        t = last.horizon.last_same(t, unit) + unit
        last = mes.run(t, t + unit, after=last)
        replays += last.replayed
        assert last.selections == mes.run(t, t + unit).selections
    assert replays >= 8


def test_greedy_by_points_reproduces_toulouse_2019(data_dir):
    instance = read_pb(data_dir / TOULOUSE_2019)
    assert instance.vote_type == "cumulative"
    result = tally(instance, "greedy")
    assert result.winners == [
        "4", "16", "13", "29", "5", "10", "30", "20", "1", "18", "7", "27", "6", "26"
    ]  # fmt: skip
    assert result.budget_used == 1_000_000


def test_greedy_reproduces_toulouse_2022_capitole(data_dir):
    result = tally(read_pb(data_dir / TOULOUSE_2022), "greedy")
    assert result.winners == ["7", "5", "9", "11", "6", "13"]
    assert result.budget_used == 396_000


@pytest.mark.parametrize("name", [ASSEN, TOULOUSE_2019, TOULOUSE_2022, VESZPREM])
def test_vote_counts_match_the_published_totals(data_dir, name):
    instance = read_pb(data_dir / name)
    votes = tally(instance, "greedy").votes
    column = "score" if instance.vote_type == "cumulative" else "votes"
    assert votes == {p.id: int(p.extra[column]) for p in instance.projects}
