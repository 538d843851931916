"""Issue 16's "done when" for polls, in the demo: a resident votes in a poll
whose sealed results appear after it closes; last month's poll is published and
its record verifies."""

import re
from datetime import timedelta

from pbvote.core.time import utcnow
from pbvote.demo import seed_demo
from pbvote.extensions import db
from pbvote.polls.models import Poll
from pbvote.polls.verify import verify_document
from tests.helpers import csrf_token
from tests.polls.helpers import verify


def test_demo_resident_votes_and_results_appear_after_close(app, client):
    with app.app_context():
        lines = seed_demo()
    cin, birth = re.search(r"(GB100000)\s+(\d\d/\d\d/\d{4})", "\n".join(lines)).groups()
    index = client.get("/polls").get_data(as_text=True)
    current = int(re.search(r'href="/polls/(\d+)"', index).group(1))
    published = int(re.search(r'href="/polls/(\d+)/results"', index).group(1))
    verify(client, app, current, cin, birth)
    ballot = client.get(f"/polls/{current}/ballot").get_data(as_text=True)
    names = list(dict.fromkeys(re.findall(r'name="(q-\d+)"', ballot)))
    first = re.search(rf'name="{names[0]}" value="(\d+)"', ballot).group(1)
    data = {names[0]: first, names[1]: "blank"}
    token = csrf_token(client, f"/polls/{current}/ballot")
    response = client.post(
        f"/polls/{current}/ballot", data={"csrf_token": token, **data}
    )
    assert response.status_code == 302
    assert client.get(f"/polls/{current}/results").status_code == 404  # sealed
    with app.app_context():
        poll = db.session.get(Poll, current)
        poll.closes_at_dt = utcnow() - timedelta(seconds=1)
        db.session.commit()
        from jobs.polls import safety_net

        assert "published" in safety_net()
    results = client.get(f"/polls/{current}/results")
    assert results.status_code == 200
    assert "13 ballots counted" in results.get_data(as_text=True)  # 12 + this one
    old = client.get(f"/polls/{published}/record.json").get_json()
    assert all(check.ok for check in verify_document(old))
    assert client.get(f"/polls/{published}/results").status_code == 200
