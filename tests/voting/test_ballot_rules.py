"""Every ballot rule, and every kind of bad input, refused with a clear message; a
refused cast leaves the resident able to vote."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from pbvote.cycles.models import Cycle
from pbvote.extensions import db
from pbvote.voting.models import Ballot, VoterMark
from tests.factories import create_cycle, create_project
from tests.helpers import submit
from tests.voting.factories import create_voting_cycle
from tests.voting.helpers import cast, review, token_for_ballot, verify


def _ballots(app):
    with app.app_context():
        return db.session.scalars(select(Ballot)).all()


def _assert_refused_and_can_still_vote(client, app, election, response, message):
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _ballots(app) == []
    ok = cast(client, election, election["projects"]["commune"][:1])
    assert ok.status_code == 302
    assert len(_ballots(app)) == 2


@pytest.fixture
def voter(client, app, election):
    cin, birth = election["residents"][0]
    verify(client, app, election["cycle_id"], cin, birth)
    return client


def test_the_ballot_shows_project_cards_with_costs_and_the_rule(voter, election):
    page = voter.get(f"/cycles/{election['cycle_id']}/vote/ballot").get_data(
        as_text=True
    )
    assert 'class="project-card"' in page and 'data-cost="250000"' in page
    assert "at most" in page and "ballot.js" in page


def test_over_budget_is_refused_then_a_good_ballot_is_accepted(voter, app, election):
    everything = election["projects"]["commune"]  # 900 000 MAD > 600 000 MAD
    refused = cast(voter, election, everything)
    _assert_refused_and_can_still_vote(
        voter, app, election, refused, "more than the budget"
    )


def test_the_review_page_refuses_over_budget_and_keeps_the_choice(voter, election):
    everything = election["projects"]["commune"]
    page = review(voter, election, everything)
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and "more than the budget" in text
    assert text.count("checked") >= 3


def test_changing_the_choice_from_the_review_page_keeps_it(voter, election):
    pick = election["projects"]["commune"][:1]
    page = review(voter, election, pick, step="edit")
    text = page.get_data(as_text=True)
    assert (
        page.status_code == 200
        and f'value="{pick[0]}" data-cost="250000" checked' in text
    )


def test_duplicate_picks_are_refused(voter, app, election):
    pick = election["projects"]["commune"][0]
    refused = cast(voter, election, [pick, pick])
    _assert_refused_and_can_still_vote(voter, app, election, refused, "chosen twice")


def test_a_project_of_another_scope_is_refused(voter, app, election):
    district_project = election["projects"][election["district_key"]][0]
    refused = cast(voter, election, [district_project])
    _assert_refused_and_can_still_vote(
        voter, app, election, refused, "not on this ballot"
    )


def test_a_project_of_another_cycle_is_refused(
    voter, app, election, committed, commune
):
    with committed():
        other = create_cycle(commune["id"], current_phase="voting", year=2001)
        foreign = create_project(other, other.scopes[0], 10_000).id
    refused = cast(voter, election, [foreign])
    _assert_refused_and_can_still_vote(
        voter, app, election, refused, "not on this ballot"
    )


def test_a_tampered_form_with_extra_fields_is_refused(voter, app, election):
    refused = cast(voter, election, [], voter_id="1")
    _assert_refused_and_can_still_vote(
        voter, app, election, refused, "fields that are not part of it"
    )


def test_a_scope_that_is_not_the_voters_is_refused(voter, app, election):
    other_district_scope = election["scopes"][f"district-{election['district_ids'][1]}"]
    refused = cast(voter, election, [], **{f"scope-{other_district_scope}": ["1"]})
    _assert_refused_and_can_still_vote(
        voter, app, election, refused, "fields that are not part of it"
    )


def test_a_non_numeric_value_is_refused(voter, app, election):
    refused = cast(voter, election, ["1 OR 1=1"])
    _assert_refused_and_can_still_vote(
        voter, app, election, refused, "value that is not a project"
    )


def test_a_cast_without_csrf_token_is_refused(voter, app, election):
    response = voter.post(
        f"/cycles/{election['cycle_id']}/vote/cast",
        data={
            f"scope-{election['commune_scope']}": election["projects"]["commune"][:1]
        },
    )
    assert response.status_code == 400
    assert "form has expired" in response.get_data(as_text=True)
    assert _ballots(app) == []
    assert cast(voter, election).status_code == 302


def test_a_cast_after_voting_closed_is_refused(voter, app, election):
    token = token_for_ballot(voter, election["cycle_id"])
    with app.app_context():
        cycle = db.session.get(Cycle, election["cycle_id"])
        voting = next(p for p in cycle.phases if p.kind == "voting")
        tally = next(p for p in cycle.phases if p.kind == "tally")
        tally.starts_at_dt = voting.starts_at_dt + timedelta(seconds=1)
        db.session.commit()
    response = voter.post(
        f"/cycles/{election['cycle_id']}/vote/cast", data={"csrf_token": token}
    )
    assert response.status_code == 409
    assert "Counting" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(VoterMark)).all() == []
    assert _ballots(app) == []


def test_casting_without_verification_is_refused(client, app, election):
    response = submit(
        client,
        f"/cycles/{election['cycle_id']}/vote/cast",
        {},
        form_url=f"/cycles/{election['cycle_id']}/vote",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/vote")
    assert _ballots(app) == []
    page = client.get(f"/cycles/{election['cycle_id']}/vote/ballot")
    assert page.status_code == 302 and page.headers["Location"].endswith("/vote")


def test_a_blank_knapsack_ballot_is_accepted(voter, app, election):
    assert cast(voter, election).status_code == 302
    assert len(_ballots(app)) == 2


@pytest.fixture
def approval_k(committed, commune):
    with committed():
        return create_voting_cycle(commune, commune_rule="approval_k", max_projects=2)


def test_approval_k_refuses_more_than_k_projects(client, app, approval_k):
    cin, birth = approval_k["residents"][0]
    verify(client, app, approval_k["cycle_id"], cin, birth)
    refused = cast(client, approval_k, approval_k["projects"]["commune"])
    assert refused.status_code == 400
    assert "choose at most 2 projects" in refused.get_data(as_text=True)
    # Approval ignores cost: two projects worth 650 000 MAD > 600 000 MAD are fine.
    assert (
        cast(client, approval_k, approval_k["projects"]["commune"][1:]).status_code
        == 302
    )


@pytest.fixture
def min_share(committed, commune):
    with committed():
        return create_voting_cycle(
            commune, commune_rule="approval_min_share", min_share_pct=50
        )


def test_approval_min_share_needs_the_minimum_and_refuses_blank(client, app, min_share):
    cin, birth = min_share["residents"][0]
    verify(client, app, min_share["cycle_id"], cin, birth)
    small = cast(client, min_share, min_share["projects"]["commune"][:1])  # 250 000
    assert small.status_code == 400
    assert "at least 300,000\xa0MAD" in small.get_data(as_text=True)
    blank = cast(client, min_share)
    assert blank.status_code == 400 and "cannot be left blank" in blank.get_data(
        as_text=True
    )
    too_much = cast(client, min_share, min_share["projects"]["commune"])  # 900 000
    assert too_much.status_code == 400
    assert (
        cast(client, min_share, min_share["projects"]["commune"][1:2]).status_code
        == 302
    )
