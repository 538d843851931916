"""Each level of the documented tie order, in greedy and in MES."""

from fractions import Fraction

from pbvote.engine import TIE_ORDER, Instance, Project, tally
from pbvote.engine.greedy import split_ineligible
from pbvote.engine.mes import EqualShares
from pbvote.engine.profile import build_profile
from pbvote.engine.ties import project_id_key, tie_key

P = Project


def one_ballot_each(*ids: str) -> list[frozenset]:
    return [frozenset({project_id}) for project_id in ids]


def test_the_tie_order_is_described_in_plain_words():
    assert "cheaper" in TIE_ORDER and "more votes" in TIE_ORDER and "id" in TIE_ORDER


def test_equal_votes_the_cheaper_project_wins():
    instance = Instance([P("1", 40), P("2", 30)], 50, one_ballot_each("1", "2"))
    assert tally(instance, "greedy").winners == ["2"]


def test_equal_votes_and_cost_the_lower_id_wins_numerically():
    instance = Instance([P("10", 30), P("9", 30)], 40, one_ballot_each("10", "9"))
    assert tally(instance, "greedy").winners == ["9"]  # as text "10" < "9"


def test_whole_number_ids_come_before_other_ids():
    instance = Instance([P("a", 30), P("2", 30)], 40, one_ballot_each("a", "2"))
    assert tally(instance, "greedy").winners == ["2"]


def test_tie_key_orders_cost_then_votes_then_id():
    assert tie_key(5, 1, "9") < tie_key(6, 9, "1")
    assert tie_key(5, 3, "9") < tie_key(5, 2, "1")
    assert tie_key(5, 3, "2") < tie_key(5, 3, "10")
    assert project_id_key("7") != project_id_key("007")


def test_mes_equal_rho_the_cheaper_project_wins():
    # t = 5/2: a (cost 5) and b (cost 1) both have rho 1/2; b is cheaper.
    instance = Instance(
        [P("a", 5), P("b", 1), P("c", 10)],
        10,
        [frozenset("ac"), frozenset("bc"), frozenset("a"), frozenset("bc")],
    )
    assert base_run(instance, "cost").winners == ["b", "a"]


def test_mes_equal_rho_and_cost_more_votes_wins():
    # After 2 is funded, 1 and 3 both cost 2 and have rho 1; 1 has 2 votes, 3 has 1.
    instance = Instance(
        [P("1", 2), P("2", 6), P("3", 2)],
        10,
        [frozenset("2"), frozenset("2"), frozenset("13"), frozenset("12"), frozenset()],
    )
    assert base_run(instance, "cost").winners == ["2", "1"]


def test_mes_equal_rho_cost_and_votes_lower_id_wins():
    instance = Instance([P("b", 4), P("a", 4)], 4, [frozenset("ab"), frozenset("ab")])
    assert tally(instance, "mes").winners == ["a"]
    assert tally(instance, "mes-card").winners == ["a"]


def base_run(instance: Instance, utility: str):
    """MES without completion, at the per-voter budget B/n."""
    profile = build_profile(instance)
    candidates, _ = split_ineligible(instance, profile.votes)
    mes = EqualShares(candidates, profile.approval_groups, profile.votes, utility)
    return mes.run(Fraction(instance.budget, profile.voter_count))
