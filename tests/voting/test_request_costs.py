"""What each request of the voting flow costs the database: SQL statements and
commits, counted on the engine (not timed: speed is measured in bench/cast.py).

The flow is served by the app's own engine with real commits, so the counts are
what production runs. A change that adds a round trip to a voter's request makes
this test fail; raise a limit only with a reason (issue 13: at most 20 statements
and 2 commits per voter)."""

import pytest

from pbvote.extensions import db
from tests.helpers import CSRF_RE, last_code
from tests.voting.factories import PHONE
from tests.voting.helpers import StatementCounter

# Statements and commits of each request of one resident's flow once the process
# has served a first voter (caches filled, election key made). POST /vote: the
# readiness of the cycle is cached; one lock statement for all five rate limits,
# then one that counts them and inserts their events, the SMS, the code and the
# attempt (its registry look-up inside). POST /vote/code: attempt and code in one
# locked read, with the entry's district and voted state and the typed phone's
# verifications (its limit); a right code writes nothing and is rolled back. The
# ballot: the session's claim (attempt, district, voted) in one query (the audio
# guides are cached per process); the review reads the claim's district from the
# session, no query. Cast: attempt and code deleted (and district, voted) in one
# statement; the verification's INSERT into the phone's first slot, the mark,
# the held ballot and the receipt SMS in one statement (on PostgreSQL).
# Two commits: the code sent (rate limits), the vote (docs/voting.md).
LIMITS = {
    "GET /vote": (0, 0),
    "POST /vote": (2, 1),
    "GET /vote/code": (0, 0),
    "POST /vote/code": (1, 0),
    "GET /vote/ballot": (1, 0),
    "POST /vote/ballot": (0, 0),
    "POST /vote/cast": (2, 1),
}
PER_VOTER = (20, 2)


def _flow(app, election, counter, resident, phone):
    """One resident's flow, request by request: {request: (statements, commits)}."""
    client = app.test_client()
    cycle_id = election["cycle_id"]
    base = f"/cycles/{cycle_id}/vote"
    cin, birth = election["residents"][resident]
    costs = {}

    def measured(name, method, url, data=None):
        with counter.counting():
            response = client.open(url, method=method, data=data)
        costs[name] = (counter.statements, counter.commits)
        return response

    page = measured("GET /vote", "GET", base)
    token = CSRF_RE.search(page.get_data(as_text=True)).group(1)
    response = measured(
        "POST /vote",
        "POST",
        base,
        {"csrf_token": token, "cin": cin, "birth_date": birth, "phone": phone},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    code = last_code(app, phone)
    measured("GET /vote/code", "GET", base + "/code")
    response = measured(
        "POST /vote/code", "POST", base + "/code", {"csrf_token": token, "code": code}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    page = measured("GET /vote/ballot", "GET", base + "/ballot")
    assert "scope-" in page.get_data(as_text=True)
    choice = {
        f"scope-{election['commune_scope']}": [election["projects"]["commune"][0]],
        f"scope-{election['district_scope']}": [],
        "csrf_token": token,
    }
    response = measured(
        "POST /vote/ballot", "POST", base + "/ballot", {**choice, "step": "review"}
    )
    assert response.status_code == 200
    response = measured("POST /vote/cast", "POST", base + "/cast", choice)
    assert response.status_code == 302, response.get_data(as_text=True)
    return costs


@pytest.mark.commits
def test_each_voting_request_stays_within_its_statements_and_commits(
    app, election, process_caches
):
    with app.app_context():
        counter = StatementCounter(db.engine)
    _flow(app, election, counter, 0, PHONE)  # the process's first voter
    costs = _flow(app, election, counter, 1, "+212612345679")
    assert costs == LIMITS
    statements, commits = map(sum, zip(*costs.values()))
    assert statements <= PER_VOTER[0] and commits <= PER_VOTER[1]
