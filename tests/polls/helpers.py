"""Driving the poll pages as a resident would."""

from jobs.polls import mix_ballots
from tests.helpers import csrf_token, verify_by_sms
from tests.voting.factories import PHONE


def verify(client, app, poll_id: int, cin: str, birth: str, phone: str = PHONE):
    return verify_by_sms(
        client,
        app,
        f"/polls/{poll_id}/vote",
        f"/polls/{poll_id}/ballot",
        cin,
        birth,
        phone,
    )


def answers(poll: dict, yesno, day) -> dict:
    return {f"q-{poll['yesno']}": yesno, f"q-{poll['choice']}": day}


def cast(client, poll: dict, data: dict, mix=True):
    url = f"/polls/{poll['poll_id']}/ballot"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), **data})
    if mix and response.status_code == 302:
        with client.application.app_context():  # as the workers' tick would
            mix_ballots(poll["poll_id"])
    return response
