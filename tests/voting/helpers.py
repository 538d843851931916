"""Driving the voting pages as a resident would."""

from contextlib import contextmanager

from sqlalchemy import event

from tests.helpers import csrf_token, submit, verify_by_sms
from tests.voting.factories import PHONE


def verify(client, app, cycle_id: int, cin: str, birth: str, phone: str = PHONE):
    """Verification by ID, date of birth and the SMS code; returns the last response."""
    return verify_by_sms(
        client,
        app,
        f"/cycles/{cycle_id}/vote",
        f"/cycles/{cycle_id}/vote/ballot",
        cin,
        birth,
        phone,
    )


def ballot_data(election: dict, commune=(), district=()) -> dict:
    return {
        f"scope-{election['commune_scope']}": list(commune),
        f"scope-{election['district_scope']}": list(district),
    }


def review(client, election: dict, commune=(), district=(), **extra):
    cycle_id = election["cycle_id"]
    data = {"step": "review", **ballot_data(election, commune, district), **extra}
    return submit(client, f"/cycles/{cycle_id}/vote/ballot", data)


def cast(client, election: dict, commune=(), district=(), mix=True, **extra):
    """Cast, then (``mix``) mix the held ballots as the workers' tick would; with
    the voting tests' batch of one, the ballots are then in the chain."""
    cycle_id = election["cycle_id"]
    data = {**ballot_data(election, commune, district), **extra}
    response = submit(
        client,
        f"/cycles/{cycle_id}/vote/cast",
        data,
        form_url=f"/cycles/{cycle_id}/vote/ballot",
    )
    if mix and response.status_code == 302:
        mix_now(client.application, cycle_id)
    return response


def mix_now(app, cycle_id: int) -> int:
    """What the workers' tick does for the cycle (jobs.voting.safety_net): mix
    its held ballots if a batch is due. Returns how many were appended."""
    from jobs.voting import mix_ballots

    with app.app_context():
        return mix_ballots(cycle_id)


def token_for_ballot(client, cycle_id: int) -> str:
    return csrf_token(client, f"/cycles/{cycle_id}/vote/ballot")


class StatementCounter:
    """Counts statements and commits on an engine while active (a few lines, on
    purpose: tests/conftest.py may offer a general one)."""

    def __init__(self, engine):
        self.engine, self.statements, self.commits, self.sql = engine, 0, 0, []

    def _statement(self, _conn, _cursor, statement, *_args):
        self.statements += 1
        self.sql.append(statement)

    def _commit(self, _conn):
        self.commits += 1

    @contextmanager
    def counting(self):
        self.statements, self.commits, self.sql = 0, 0, []
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "commit", self._commit)
        try:
            yield self
        finally:
            event.remove(self.engine, "before_cursor_execute", self._statement)
            event.remove(self.engine, "commit", self._commit)
