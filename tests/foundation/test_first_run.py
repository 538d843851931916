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
