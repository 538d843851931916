"""E-mail notifications: an address is used only once confirmed by the link sent
to it; one e-mail per event (after commit, by a real RQ worker, once even when the
job runs twice), the rest in the daily digest; an unsubscribe link that works
without signing in; delivery through a real SMTP server on this machine (UTF-8,
Arabic), and an address refused or a server out of reach retried and shown to
staff, never a 500."""

import base64
import email
import json
import os
import re
import socketserver
import threading
from email import policy

import pytest
from flask_babel import force_locale
from redis import Redis
from rq.registry import ScheduledJobRegistry
from sqlalchemy import func, select

from jobs.notifications import fan_out, send_digests
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.notifications.models import EmailMessage, Notification, Preference
from pbvote.notifications.texts import email_subject
from tests.helpers import login_resident, login_staff, run_jobs, submit
from tests.reviews.test_reviews import assign_all, feasible, review_id, seed

FOLLOWER = "+212612345678"
ADDRESS = "fatima@example.ma"
LINK = re.compile(r"https?://\S+/notifications/email/(verify|unsubscribe)/\S+")


def mails(app, to=None) -> list[dict]:
    path = app.config["EMAIL_OUTBOX"]
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as handle:
        found = [json.loads(line) for line in handle if line.strip()]
    return [m for m in found if to is None or m["to"] == to]


def link_in(message: dict, kind: str) -> str:
    found = [m.group(0) for m in LINK.finditer(message["body"]) if m.group(1) == kind]
    assert found, message["body"]
    return "/" + found[0].split("/", 3)[3]  # the path, for the test client


def save_choices(client, **data):
    values = {"language": "ar", "by_sms": "y", **data}
    return submit(
        client, "/notifications/preferences", values, form_url="/notifications"
    )


def confirm(app, client, address=ADDRESS):
    run_jobs(app)
    verification = mails(app, address)[-1]
    path = link_in(verification, "verify")
    shown = client.get(path).get_data(as_text=True)
    assert "Confirm my address" in shown
    return submit(client, path, {}, form_url=path).get_data(as_text=True)


def follower_with_email(app, committed, commune):
    data = seed(committed, commune)
    resident = app.test_client()
    login_resident(resident, app, phone=FOLLOWER)
    url = f"/follow/proposal/{data['first']}"
    submit(resident, url, {"next": "/notifications"}, form_url="/notifications")
    assert save_choices(resident, email=ADDRESS, by_email="y").status_code == 302
    assert "Your address is confirmed" in confirm(app, resident)
    return data, resident


def publish(app, client, data):
    assign_all(client, data)
    reviewer = app.test_client()
    login_staff(reviewer, "youssef", data["reviewer"])
    submit(reviewer, f"/staff/reviews/{review_id(app, data['first'])}", feasible())
    submit(client, f"/staff/cycles/{data['cycle_id']}/reviews/publish", {})


@pytest.mark.commits
def test_an_address_gets_nothing_until_confirmed(client, app, committed, commune):
    data = seed(committed, commune)
    resident = app.test_client()
    login_resident(resident, app, phone=FOLLOWER)
    url = f"/follow/proposal/{data['first']}"
    submit(resident, url, {"next": "/notifications"}, form_url="/notifications")
    # Not an address: the page again with the message and what was typed.
    bad = save_choices(resident, email="fatima at example", by_email="y")
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "This is not an e-mail address" in page
    assert 'value="fatima at example"' in page
    # What an attacker sends: a header smuggled by CR/LF, a tab, a NUL byte.
    for hostile in ("a@b.ma\r\nBcc: x@y.ma", "a\t@b.ma", "a@b.ma\nX: y"):
        refused = save_choices(resident, email=hostile, by_email="y")
        assert refused.status_code == 400, hostile
        assert "This is not an e-mail address" in refused.get_data(as_text=True)
    assert save_choices(resident, email="a\x00@b.ma", by_email="y").status_code == 400
    save_choices(resident, email=ADDRESS, by_email="y")
    page = resident.get("/notifications").get_data(as_text=True)
    assert "Waiting for confirmation" in page
    publish(app, client, data)
    run_jobs(app)  # the review's fan-out and the confirmation e-mail
    sent = mails(app, ADDRESS)
    assert len(sent) == 1 and "/notifications/email/verify/" in sent[0]["body"]
    # Opening the link (a mail scanner does) confirms nothing; the button does,
    # without signing in.
    path = link_in(sent[0], "verify")
    # The link names the address by a keyed hash only (links end up in logs).
    payload = path.rsplit("/", 1)[1].split(".")[0]
    assert b"fatima" not in base64.urlsafe_b64decode(payload + "==")
    stranger = app.test_client()
    assert "Confirm my address" in stranger.get(path).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Preference, _user_id(FOLLOWER)).email_verified is False
    done = submit(stranger, path, {}, form_url=path).get_data(as_text=True)
    assert "Your address is confirmed" in done
    # A damaged link, or one for an address since changed, is a clear page.
    damaged = stranger.get(path[:-3] + "xyz")
    assert damaged.status_code == 400
    assert "This link is damaged" in damaged.get_data(as_text=True)
    save_choices(resident, email="other@example.ma", by_email="y")
    again = submit(stranger, path, {}, form_url=path)
    assert again.status_code == 400
    assert "since changed or removed" in again.get_data(as_text=True)
    # Three confirmations a day at most (one resident cannot flood an address).
    save_choices(resident, email="third@example.ma", by_email="y")
    refused = save_choices(resident, email="fourth@example.ma", by_email="y")
    assert "Too many confirmation e-mails today" in refused.get_data(as_text=True)


def _user_id(phone):
    from pbvote.accounts.models import User

    return db.session.scalar(select(User.id).where(User.phone == phone))


@pytest.mark.commits
def test_one_email_per_event_then_a_digest_then_unsubscribe(
    client, app, committed, commune
):
    data, resident = follower_with_email(app, committed, commune)
    publish(app, client, data)
    run_jobs(app)
    sent = [m for m in mails(app, ADDRESS) if "/verify/" not in m["body"]]
    assert len(sent) == 1
    mail = sent[0]
    # In the resident's language (Arabic), with the unsubscribe link in the body
    # and the List-Unsubscribe header.
    with app.test_request_context(), force_locale("ar_MA"):
        assert mail["subject"] == email_subject("review", {})
    assert "Éclairage de la rue Rmel" in mail["body"]
    assert "توصل بجوابه" in mail["body"]  # the page's sentence, in Arabic
    assert f"/proposals/{data['first']}" in mail["body"]
    unsubscribe = link_in(mail, "unsubscribe")
    assert unsubscribe in mail["headers"]["List-Unsubscribe"]
    # The same job again (a retry, a duplicate): nothing new is sent.
    with app.app_context():
        review = review_id(app, data["first"])
        fan_out(
            "review",
            ["proposal", data["first"]],
            f"review:{review}",
            {"proposal_id": data["first"], "title": "x", "decision": "feasible"},
            [["cycle", data["cycle_id"]]],
            [],
            False,
        )
    run_jobs(app)
    assert len([m for m in mails(app, ADDRESS) if "/verify/" not in m["body"]]) == 1
    # Two more events the same day wait for the daily digest: one e-mail.
    with app.app_context():
        for key in ("comment:900", "comment:901"):
            fan_out(
                "staff_answer",
                ["proposal", data["first"]],
                key,
                {"proposal_id": data["first"], "title": "t"},
                [],
                [],
                True,
            )
        states = db.session.scalars(
            select(Notification.email_state).where(Notification.kind == "staff_answer")
        )
        assert sorted(states) == ["digest", "digest"]
        send_digests()
        send_digests()  # run twice: nothing more
    run_jobs(app)
    sent = [m for m in mails(app, ADDRESS) if "/verify/" not in m["body"]]
    assert len(sent) == 2 and sent[-1]["body"].count("/proposals/") == 2
    # Unsubscribing needs no sign-in: a GET asks, the button stops the e-mails.
    stranger = app.test_client()
    asked = stranger.get(unsubscribe).get_data(as_text=True)
    assert "Stop the e-mails" in asked
    done = submit(stranger, unsubscribe, {}, form_url=unsubscribe)
    assert "you will receive no more e-mails" in done.get_data(as_text=True)
    with app.app_context():
        fan_out(
            "staff_answer",
            ["proposal", data["first"]],
            "comment:902",
            {"proposal_id": data["first"], "title": "t"},
            [],
            [],
            True,
        )
        send_digests()
    run_jobs(app)
    assert len([m for m in mails(app, ADDRESS) if "/verify/" not in m["body"]]) == 2
    page = resident.get("/notifications").get_data(as_text=True)
    assert 'name="by_email"' in page and "Confirmed" in page


# A real SMTP server on this machine -------------------------------------------------


class SmtpHandler(socketserver.StreamRequestHandler):
    """Enough SMTP (RFC 5321) for smtplib: refuses recipients at refused.example."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 test.local ESMTP")
        recipients = []
        while line := self.rfile.readline():
            command = line.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                self.reply("250-test.local")
                self.reply("250-8BITMIME")
                self.reply("250 SMTPUTF8")
            elif verb == "RCPT":
                if "refused.example" in command:
                    self.reply("550 5.1.1 No such mailbox")
                else:
                    recipients.append(command)
                    self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                self.server.received.append(b"".join(data))
                self.reply("250 OK queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:  # HELO, MAIL, RSET, NOOP
                self.reply("250 OK")


class SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port=0):
        super().__init__(("127.0.0.1", port), SmtpHandler)
        self.received: list[bytes] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()


@pytest.fixture
def smtp_app(app):
    server = SmtpServer()
    saved = {key: app.config.get(key) for key in ("EMAIL_BACKEND", "EMAIL_SMTP_HOST")}
    saved |= {key: app.config.get(key) for key in ("EMAIL_SMTP_PORT", "EMAIL_SMTP_TLS")}
    saved["EMAIL_SENDER"] = app.config.get("EMAIL_SENDER")
    app.config.update(
        EMAIL_BACKEND="smtp",
        EMAIL_SMTP_HOST="127.0.0.1",
        EMAIL_SMTP_PORT=server.server_address[1],
        EMAIL_SMTP_TLS="none",
        EMAIL_SENDER="Commune de Ouazzane <participation@ouazzane.example>",
    )
    yield app, server
    server.shutdown()
    server.server_close()
    app.config.update(saved)


def queue(committed, commune, to, subject, body):
    from pbvote.notifications.mail import queue_email

    with committed():
        return queue_email(
            to,
            subject,
            body,
            utcnow(),
            purpose="notification",
            commune_id=commune["id"],
        ).id


@pytest.mark.commits
def test_smtp_delivers_utf8_and_failures_are_retried_and_shown(
    smtp_app, client, committed, commune
):
    app, server = smtp_app
    subject = "المقترح «إنارة زنقة الرمل» تلقى جوابه"
    body = "تلقى المقترح جوابه: ممكن.\nVoir : https://ouazzane.example/proposals/1"
    queue(committed, commune, ADDRESS, subject, body)
    run_jobs(app)
    assert len(server.received) == 1
    parsed = email.message_from_bytes(server.received[0], policy=policy.default)
    assert parsed["Subject"] == subject and parsed["To"] == ADDRESS
    assert "=?utf-8?" in server.received[0].decode("ascii", "replace").lower()
    assert parsed.get_content_charset() == "utf-8"
    assert (
        parsed.get_content().replace("\r\n", "\n").rstrip("\n") == body
    )  # CRLF on the wire
    # An address the server refuses: failed with the server's words, and retried.
    refused = queue(committed, commune, "nobody@refused.example", subject, body)
    run_jobs(app)
    # A server out of reach (connection refused): the same.
    port = app.config["EMAIL_SMTP_PORT"]
    server.shutdown()
    server.server_close()
    unreachable = queue(committed, commune, ADDRESS, subject, body)
    run_jobs(app)
    with app.app_context():
        rows = {m.id: m for m in db.session.scalars(select(EmailMessage))}
        assert rows[refused].status == "failed" and "550" in rows[refused].last_error
        assert rows[unreachable].status == "failed"
        assert "mail server" in rows[unreachable].last_error
        registry = ScheduledJobRegistry(
            "default", connection=Redis.from_url(app.config["REDIS_URL"])
        )
        assert len(registry.get_job_ids()) == 2  # each waits for its retry
    with committed():
        from tests.factories import create_staff

        _, secret = create_staff(commune["id"], "amina", ["admin"])
    login_staff(client, "amina", secret)
    assert 'href="/staff/email"' in client.get("/staff/").get_data(as_text=True)
    page = client.get("/staff/email")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "address refused: 550 5.1.1 No such mailbox" in text
    assert "mail server:" in text
    # The server is back: staff retry, the message leaves; the refused one stays.
    server = SmtpServer(port)
    try:
        submit(client, "/staff/email/retry", {}, form_url="/staff/email")
        run_jobs(app)
        with app.app_context():
            rows = {m.id: m for m in db.session.scalars(select(EmailMessage))}
            assert rows[unreachable].status == "sent"
            assert rows[refused].status == "failed" and rows[refused].attempts == 2
            assert db.session.scalar(select(func.count(EmailMessage.id))) == 3
        assert len(server.received) == 1
    finally:
        server.shutdown()
        server.server_close()


def test_the_smtp_backend_needs_its_settings():
    from pbvote.config import ConfigError, defaults, finalise

    config = defaults("/tmp") | {"ENV_NAME": "testing", "EMAIL_BACKEND": "smtp"}
    with pytest.raises(ConfigError, match="EMAIL_SMTP_HOST and EMAIL_SENDER"):
        finalise(config)
    config = defaults("/tmp") | {"ENV_NAME": "testing", "EMAIL_BACKEND": "mailgun"}
    with pytest.raises(ConfigError, match="EMAIL_BACKEND must be"):
        finalise(config)
    config = defaults("/tmp") | {"ENV_NAME": "testing", "EMAIL_SMTP_TLS": "yes"}
    with pytest.raises(ConfigError, match="EMAIL_SMTP_TLS must be"):
        finalise(config)
