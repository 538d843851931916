"""Reading and writing pabulib files; malformed files name the offending line."""

import io
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pbvote.engine import (
    Ballot,
    Instance,
    PabulibError,
    Project,
    read_pb,
    tally,
    write_pb,
)
from pbvote.engine.pabulib import declared_threshold
from pbvote.engine.profile import build_profile
from tests.engine.strategies import elections, fixed

GOOD = """META
key;value
budget;100
vote_type;approval
PROJECTS
project_id;cost;name;selected
1;60;"Park; with a semicolon";1
2;50.0;Bench;0
VOTES
voter_id;vote
v1;1,2
v2;2
v3;
"""


def test_reads_quoted_fields_decimal_costs_and_empty_votes():
    instance = read_pb(GOOD)
    assert [(p.id, p.cost, p.name) for p in instance.projects] == [
        ("1", 60, "Park; with a semicolon"),
        ("2", 50, "Bench"),
    ]
    assert instance.budget == 100
    assert list(instance.ballots) == [
        frozenset({"1", "2"}),
        frozenset({"2"}),
        frozenset(),
    ]
    assert instance.projects[0].extra == {"selected": "1"}


def test_reads_from_a_path_and_from_an_open_file(tmp_path):
    path = tmp_path / "x.pb"
    path.write_text(GOOD, encoding="utf-8")
    assert read_pb(path).budget == read_pb(str(path)).budget == 100
    assert read_pb(io.StringIO(GOOD)).budget == 100


def same_instance(first: Instance, second: Instance) -> bool:
    return (
        first.projects == second.projects
        and first.budget == second.budget
        and first.decimals == second.decimals
        and first.vote_type == second.vote_type
        and ballot_multiset(first) == ballot_multiset(second)
    )


def ballot_multiset(instance: Instance) -> dict:
    counts: dict = {}
    for ballot in instance.ballots:
        choice = ballot.choice if isinstance(ballot, Ballot) else ballot
        key = frozenset(choice.items()) if isinstance(choice, dict) else choice
        counts[key] = counts.get(key, 0) + (
            ballot.weight if isinstance(ballot, Ballot) else 1
        )
    return counts


@fixed(40)
@given(
    st.sampled_from(["approval", "cumulative", "ordinal"]).flatmap(
        lambda vote_type: elections(vote_type=vote_type, max_voters=30)
    ),
    st.integers(0, 3),
)
def test_write_then_read_gives_the_same_instance(instance, decimals):
    assume(instance.budget > 0)  # a file's budget of 0 is refused (tested above)
    instance.decimals = decimals  # the same whole numbers, as cents etc.
    buffer = io.StringIO()
    write_pb(instance, buffer)
    assert same_instance(read_pb(buffer.getvalue()), instance)


def test_round_trip_keeps_names_extra_columns_weights_and_selected(tmp_path):
    projects = [
        Project("1", 5, 'A "quoted"; name', {"category": "parks"}),
        Project("x", 7, "Line\nbreak"),
    ]
    instance = Instance(
        projects, 10, [Ballot(frozenset({"1", "x"}), 3)], {"description": "test"}
    )
    path = tmp_path / "out.pb"
    write_pb(instance, path, selected=["x"])
    back = read_pb(path)
    assert [(p.id, p.name) for p in back.projects] == [(p.id, p.name) for p in projects]
    assert back.projects[0].extra == {"category": "parks", "selected": "0"}
    assert back.meta["description"] == "test" and back.meta["num_votes"] == "3"
    assert build_profile(back).approval_groups == [(frozenset({"1", "x"}), 3)]


def test_real_file_round_trip(data_dir):
    original = read_pb(data_dir / "France_Toulouse_2019.pb")
    buffer = io.StringIO()
    write_pb(original, buffer)
    assert same_instance(read_pb(buffer.getvalue()), original)


def broken(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (broken("v1;1,2", "v1;1,9"), 11, "unknown project '9'"),
        (broken("2;50.0;Bench;0", "2;abc;Bench;0"), 8, "must be a number"),
        (broken("2;50.0;Bench;0", "2;-5;Bench;0"), 8, "at least 0"),
        (broken("2;50.0;Bench;0", "2;50;Bench"), 8, "expected 4 fields"),
        (broken("budget;100", "budget;1,000"), 3, "must be a number"),
        (broken("budget;100", "budget;0.00"), 3, "budget must be more than 0"),
        (
            broken("budget;100", "budget;100\nmin_project_score_threshold;fifty"),
            4,
            "min_project_score_threshold must be a number",
        ),
        (broken("budget;100\n", ""), 2, "no 'budget'"),
        (
            broken("VOTES\nvoter_id;vote\nv1;1,2\nv2;2\nv3;\n", ""),
            8,
            "missing section VOTES",
        ),
        (broken("META\n", ""), 1, "expected a section name"),
        (broken("1;60;", "2;60;"), 8, "appears twice"),
        (broken("vote_type;approval", "vote_type;quadratic"), 4, "unknown vote_type"),
        (broken("voter_id;vote", "voter_id;ballot"), 10, "no 'vote' column"),
        (GOOD + "META\nkey;value\n", 14, "appears twice"),
    ],
)
def test_malformed_files_raise_with_a_line_number(text, line, message):
    with pytest.raises(PabulibError, match=message) as caught:
        read_pb(text)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"line {line}: ")


def test_money_with_cents_is_exact_in_the_smallest_unit_the_file_uses():
    text = broken("budget;100", "budget;969245.38").replace("2;50.0;", "2;0.5;")
    instance = read_pb(text)
    assert instance.decimals == 2
    assert instance.budget == 96924538  # hundredths: no float anywhere
    assert [p.cost for p in instance.projects] == [6000, 50]
    result = tally(instance, "greedy")
    assert result.to_dict()["budget_left"] == "969184.88"
    costs = {d["project"]: d["cost"] for d in result.to_dict()["decisions"]}
    assert costs == {"1": "60.00", "2": "0.50"}


def test_a_trailing_zero_after_the_point_is_not_a_cent():
    assert read_pb(broken("budget;100", "budget;100.000")).decimals == 0


def test_mes_steps_one_currency_unit_when_money_is_in_cents():
    whole = read_pb(GOOD)
    cents = read_pb(broken("budget;100", "budget;100.00").replace("1;60;", "1;60.01;"))
    assert cents.currency_unit == 100
    completion = tally(cents, "mes").details["completion"]
    assert (
        completion["increments"]
        == tally(whole, "mes").details["completion"]["increments"]
    )


def test_a_ballot_naming_a_project_twice_counts_it_once():
    instance = read_pb(broken("v1;1,2", "v1;1,2,1"))
    assert instance.ballots[0] == frozenset({"1", "2"})
    assert tally(instance, "greedy").votes == {"1": 1, "2": 2}


def test_a_threshold_is_read_as_an_exact_number():
    text = broken("budget;100", "budget;100\nmin_project_score_threshold;50.5")
    assert declared_threshold(read_pb(text)) == Fraction(101, 2)
    assert declared_threshold(read_pb(GOOD)) is None


def test_points_must_match_the_vote_list():
    text = GOOD.replace("vote_type;approval", "vote_type;cumulative").replace(
        "voter_id;vote\nv1;1,2\nv2;2\nv3;\n", "voter_id;vote;points\nv1;1,2;3\n"
    )
    with pytest.raises(PabulibError, match="points lists 1") as caught:
        read_pb(text)
    assert caught.value.line == 11


def test_a_section_without_its_header_is_reported():
    with pytest.raises(PabulibError, match="VOTES has no header row") as caught:
        read_pb(GOOD.split("voter_id")[0])
    assert caught.value.line == 9
