"""Driving the app as a person would: real forms with CSRF tokens, real SMS codes
read from the outbox, real TOTP codes, real RQ workers."""

import json
import os
import re
from datetime import UTC, datetime

import pyotp
from redis import Redis
from rq import Queue, SimpleWorker

from tests.factories import STAFF_PASSWORD

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CODE_RE = re.compile(r"\b(\d{6})\b")


def csrf_token(client, url: str) -> str:
    page = client.get(url)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} (status {page.status_code})"
    return match.group(1)


def submit(
    client,
    url: str,
    data: dict,
    *,
    form_url: str | None = None,
    follow_redirects=False,
    **kwargs,
):
    """GET the form page for a CSRF token, then POST ``data`` to ``url``."""
    payload = {"csrf_token": csrf_token(client, form_url or url), **data}
    return client.post(url, data=payload, follow_redirects=follow_redirects, **kwargs)


class BurstWorker(SimpleWorker):
    """RQ's SimpleWorker, without the command channel: a burst worker that exits
    when the queues are empty takes no `rq` command (shutdown, kill-horse), and
    joining the channel's listener thread cost ~0.1 s per run."""

    def subscribe(self) -> None:
        self.pubsub_thread = None


def run_jobs(app, *queues: str) -> None:
    """Run every queued job with a real RQ SimpleWorker in burst mode."""
    connection = Redis.from_url(app.config["REDIS_URL"])
    names = queues or ("default", "sms", "tally", "followup")
    with app.app_context():
        BurstWorker(
            [Queue(name, connection=connection) for name in names],
            connection=connection,
        ).work(burst=True, logging_level="WARNING")


def outbox(app) -> list[dict]:
    path = app.config["SMS_OUTBOX"]
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def last_code(app, phone: str) -> str:
    """Deliver queued SMS and return the latest code sent to ``phone``. Codes jump
    the queue (``at_front``), so other SMS queued before it may be delivered after:
    the latest SMS *carrying a code* is the one."""
    run_jobs(app, "sms")
    codes = [
        found.group(1)
        for m in outbox(app)
        if m["to"] == phone and (found := CODE_RE.search(m["body"]))
    ]
    assert codes, f"no code sent to {phone}"
    return codes[-1]


def login_resident(client, app, phone="+212612345678"):
    submit(client, "/login", {"phone": phone})
    response = submit(client, "/login/code", {"code": last_code(app, phone)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def totp_code(secret: str, step_offset: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(datetime.now(UTC)) + step_offset)


def login_staff(client, username: str, secret: str, step_offset: int = 0):
    response = submit(
        client, "/staff/login", {"username": username, "password": STAFF_PASSWORD}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    code = totp_code(secret, step_offset)
    response = submit(client, "/staff/login/code", {"code": code})
    assert response.status_code == 302, response.get_data(as_text=True)
    return code


# Debian's Chromium, headless, offline (Playwright cannot download a browser here).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def verify_by_sms(client, app, vote_url: str, ballot_url: str, cin, birth, phone):
    """A resident's verification at ``vote_url`` (ID, date of birth, phone, then
    the SMS code at ``vote_url``/code), ending on ``ballot_url``; returns the
    code step's response."""
    response = submit(
        client, vote_url, {"cin": cin, "birth_date": birth, "phone": phone}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    response = submit(client, f"{vote_url}/code", {"code": last_code(app, phone)})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(ballot_url)
    return response
