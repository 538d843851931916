"""The embedded first run: SQLite, migrations, the demo, jobs in-process (no Redis)."""

import json

import flask_migrate
import pytest

from tests.conftest import test_config
from tests.helpers import submit

pytestmark = pytest.mark.sqlite


def test_demo_runs_on_sqlite_with_jobs_in_process(tmp_path_factory, tmp_path):
    from pbvote import create_app
    from pbvote.demo import seed_demo

    app = create_app(
        test_config(
            tmp_path_factory,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'first.db'}",
            REDIS_URL=None,
        )
    )
    with app.app_context():
        flask_migrate.upgrade()
        lines = seed_demo()
    assert any("admin" in line for line in lines)
    client = app.test_client()
    for url in ("/", "/cycles", "/login", "/staff/login", "/privacy", "/indicators"):
        assert client.get(url).status_code == 200, url
    # Every page without parameters answers on SQLite too: a query written for
    # PostgreSQL only (array_agg, ...) must not reach the embedded default.
    plain = sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments
    )
    failing = [url for url in plain if client.get(url).status_code >= 500]
    assert not failing, failing
    # No Redis: the SMS job runs in-process right after the commit.
    submit(client, "/login", {"phone": "0612345601"})
    with open(app.config["SMS_OUTBOX"], encoding="utf-8") as handle:
        message = json.loads(handle.readlines()[-1])
    assert message["to"] == "+212612345601" and "sent_at" in message
    digits = next(word for word in message["body"].split() if word.strip(".").isdigit())
    assert submit(client, "/login/code", {"code": digits.strip(".")}).status_code == 302


def test_the_vote_and_a_poll_run_on_sqlite(tmp_path_factory, tmp_path):
    """The demo's budget vote and poll, verification to receipt, on the embedded
    default: statements written for PostgreSQL (a DELETE inside WITH, ...) must
    have their SQLite form."""
    import re

    from pbvote import create_app
    from pbvote.demo import seed_demo
    from tests.helpers import CODE_RE

    def sent_to(app, phone):  # no Redis: the SMS went out in-process
        with open(app.config["SMS_OUTBOX"], encoding="utf-8") as handle:
            sent = [json.loads(line) for line in handle if line.strip()]
        return [m["body"] for m in sent if m["to"] == phone]

    def last_code(app, phone):
        codes = [CODE_RE.search(body) for body in sent_to(app, phone)]
        return [found.group(1) for found in codes if found][-1]

    app = create_app(
        test_config(
            tmp_path_factory,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'vote.db'}",
            REDIS_URL=None,
        )
    )
    with app.app_context():
        flask_migrate.upgrade()
        lines = "\n".join(seed_demo())
    cycle_id = re.search(r"verify at /cycles/(\d+)/vote", lines).group(1)
    cin, birth = re.search(r"(GB\d+)\s+(\d\d/\d\d/\d{4})", lines).groups()
    client = app.test_client()
    phone = "+212612349999"
    identity = {"cin": cin, "birth_date": birth, "phone": "0612349999"}
    assert submit(client, f"/cycles/{cycle_id}/vote", identity).status_code == 302
    code = {"code": last_code(app, phone)}
    response = submit(client, f"/cycles/{cycle_id}/vote/code", code)
    assert response.headers["Location"].endswith(f"/cycles/{cycle_id}/vote/ballot")
    assert client.get(f"/cycles/{cycle_id}/vote/ballot").status_code == 200
    # The cast consumes the code and records the verification (SQLite's form).
    cast = submit(
        client,
        f"/cycles/{cycle_id}/vote/cast",
        {},
        form_url=f"/cycles/{cycle_id}/vote/ballot",
    )
    assert cast.headers["Location"].endswith("/vote/done"), cast.get_data(True)[:500]
    assert len(sent_to(app, phone)) == 3  # the code, then the two receipt SMS
    # The poll verifies the same way (another resident, another session).
    poll = app.test_client()
    cin, birth = re.findall(r"(GB\d+)\s+(\d\d/\d\d/\d{4})", lines)[1]
    identity = {"cin": cin, "birth_date": birth, "phone": "0612349998"}
    assert submit(poll, "/polls/1/vote", identity).status_code == 302
    code = {"code": last_code(app, "+212612349998")}
    response = submit(poll, "/polls/1/vote/code", code)
    assert response.headers["Location"].endswith("/polls/1/ballot")
    ballot = poll.get("/polls/1/ballot").get_data(as_text=True)
    answers = {}
    for name, value in re.findall(
        r'type="radio" name="([^"]+)" value="([^"]+)"', ballot
    ):
        answers.setdefault(name, value)
    assert answers
    done = submit(poll, "/polls/1/ballot", answers)
    assert done.status_code == 302, done.get_data(as_text=True)[:500]
