"""A scope's minimum support (votes or share of ballots), counted and verified.

Hand ballots (factories.HAND_*): votes p3 7, p1 6, p2 4, p4 2 of 15 ballots;
plain greedy funds p3, p1 and p4 with the budget of 100.
"""

import json

from pbvote.cycles.models import Scope
from tests.results.test_pages import counted
from tests.results.test_verify import download


def test_min_votes_for_takes_the_larger_of_number_and_share():
    scope = Scope(tally_min_votes=3, tally_min_share_pct=20)
    assert scope.min_votes_for(15) == 3  # 20 % of 15 is 3
    assert scope.min_votes_for(16) == 4  # 3.2 rounds up
    assert Scope(tally_min_share_pct=10).min_votes_for(0) is None
    assert Scope().min_votes_for(100) is None


def test_a_share_of_ballots_keeps_a_weak_project_out(app, client, committed, commune):
    election = counted(app, committed, commune, min_share_pct=20)
    data = json.loads(
        client.get(f"/cycles/{election['cycle_id']}/results/record.json").get_data(
            as_text=True
        )
    )
    [scope] = json.loads(data["signed_results"]["payload"])["scopes"]
    names = [election["names"][int(w)] for w in scope["winners"]]
    assert names == ["p3", "p1"]  # p4 fits but has 2 votes of the 3 needed
    assert scope["min_votes"] == 3
    page = client.get(f"/cycles/{election['cycle_id']}/results").get_data(as_text=True)
    assert "A project needed at least 3 votes to be funded." in page
    assert "fewer votes than the minimum to be funded" in page


def test_the_record_of_a_count_with_a_minimum_verifies(
    app, client, committed, commune, runner, tmp_path
):
    election = counted(app, committed, commune, min_votes=5)
    result = runner.invoke(
        args=["verify-results", download(client, election, tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "RESULT: OK" in result.output
