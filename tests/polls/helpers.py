"""Driving the poll pages as a resident would."""

from tests.helpers import csrf_token, last_code, run_jobs, submit
from tests.voting.factories import PHONE


def verify(client, app, poll_id: int, cin: str, birth: str, phone: str = PHONE):
    response = submit(
        client,
        f"/polls/{poll_id}/vote",
        {"cin": cin, "birth_date": birth, "phone": phone},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    response = submit(
        client, f"/polls/{poll_id}/vote/code", {"code": last_code(app, phone)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/polls/{poll_id}/ballot")
    return response


def answers(poll: dict, yesno, day) -> dict:
    return {f"q-{poll['yesno']}": yesno, f"q-{poll['choice']}": day}


def cast(client, poll: dict, data: dict, mix=True):
    url = f"/polls/{poll['poll_id']}/ballot"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), **data})
    if mix and response.status_code == 302:
        run_jobs(client.application, "default")
    return response
