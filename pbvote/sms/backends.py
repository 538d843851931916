"""Where text messages go. Chosen by ``SMS_BACKEND``: ``outbox`` (a JSON-lines file,
for the first run and tests) or ``http`` (the operator's gateway)."""

import fcntl
import json
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Protocol


class SmsSendError(Exception):
    """The message did not leave; it stays queued for a retry."""


class SmsBackend(Protocol):
    def send(self, to: str, body: str, now: datetime) -> None: ...


class OutboxBackend:
    """Appends ``{"to", "body", "sent_at"}`` per line; safe across processes."""

    def __init__(self, path: str):
        self.path = Path(path)

    def send(self, to: str, body: str, now: datetime) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"to": to, "body": body, "sent_at": now.isoformat()}, ensure_ascii=False
        )
        try:
            with self.path.open("a", encoding="utf-8") as outbox:
                fcntl.flock(outbox, fcntl.LOCK_EX)
                outbox.write(line + "\n")
        except OSError as exc:
            raise SmsSendError(f"outbox not writable: {exc}") from exc


class HttpGatewayBackend:
    """POSTs ``{"to", "body", "sender"}`` as JSON with a bearer token."""

    def __init__(self, url: str, token: str | None, sender: str, timeout: float = 10):
        self.url, self.token, self.sender, self.timeout = url, token, sender, timeout

    def send(self, to: str, body: str, now: datetime) -> None:
        payload = json.dumps({"to": to, "body": body, "sender": self.sender}).encode()
        request = urllib.request.Request(
            self.url,
            data=payload,
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                if not 200 <= response.status < 300:
                    raise SmsSendError(f"gateway answered {response.status}")
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsSendError(f"gateway unreachable: {exc}") from exc


def backend_from_config(config) -> SmsBackend:
    if config["SMS_BACKEND"] == "http":
        return HttpGatewayBackend(
            config["SMS_GATEWAY_URL"], config["SMS_GATEWAY_TOKEN"], config["SMS_SENDER"]
        )
    return OutboxBackend(config["SMS_OUTBOX"])
