"""E-mail: building a message (UTF-8, an unsubscribe link in every notification),
queueing it for a job after commit, and delivering it through ``EMAIL_BACKEND``:
``outbox`` (a JSON-lines file, for development and tests) or ``smtp`` (the
standard library's smtplib, configured from the environment)."""

import fcntl
import json
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol

from flask import current_app
from sqlalchemy import select

from pbvote.core.jobs import enqueue_after_commit
from pbvote.extensions import db
from pbvote.notifications.models import EmailMessage

JOB = "jobs.notifications.deliver_email"
RETRIES = 5


class MailSendError(Exception):
    """The message did not leave; it stays failed (shown to staff) for a retry."""


class Mailer(Protocol):
    def send(self, message: MimeMessage) -> None: ...


class OutboxMailer:
    """Appends ``{"to", "subject", "body", "headers"}`` per line; safe across
    processes."""

    def __init__(self, path: str):
        self.path = Path(path)

    def send(self, message: MimeMessage) -> None:
        line = json.dumps(
            {
                "to": message["To"],
                "subject": str(message["Subject"]),
                "body": message.get_content(),
                "headers": {key: str(value) for key, value in message.items()},
            },
            ensure_ascii=False,
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as outbox:
                fcntl.flock(outbox, fcntl.LOCK_EX)
                outbox.write(line + "\n")
        except OSError as exc:
            raise MailSendError(f"outbox not writable: {exc}") from exc


class SmtpMailer:
    """One connection per message (a notification is a few a day per resident)."""

    def __init__(self, config, timeout: float = 20):
        # PBVOTE_-prefixed settings are read as JSON when they parse: a password of
        # digits arrives as a number.
        self.host = str(config["EMAIL_SMTP_HOST"])
        self.port = int(config["EMAIL_SMTP_PORT"])
        self.user = (
            None
            if config["EMAIL_SMTP_USER"] is None
            else str(config["EMAIL_SMTP_USER"])
        )
        self.password = str(config["EMAIL_SMTP_PASSWORD"] or "")
        self.tls = config["EMAIL_SMTP_TLS"]
        self.timeout = timeout

    def send(self, message: MimeMessage) -> None:
        try:
            if self.tls == "ssl":
                context = ssl.create_default_context()
                connection = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=context
                )
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with connection:
                if self.tls == "starttls":
                    connection.starttls(context=ssl.create_default_context())
                if self.user:
                    connection.login(self.user, self.password)
                connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = "; ".join(
                f"{code} {reason.decode(errors='replace')}"
                for code, reason in exc.recipients.values()
            )
            raise MailSendError(f"address refused: {codes}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise MailSendError(f"mail server: {exc}") from exc


def mailer_from_config(config) -> Mailer:
    if config["EMAIL_BACKEND"] == "smtp":
        return SmtpMailer(config)
    return OutboxMailer(config["EMAIL_OUTBOX"])


def sender_address(config) -> str:
    return config.get("EMAIL_SENDER") or "Ouazzane <participation@localhost>"


def build(message: EmailMessage, config) -> MimeMessage:
    """The MIME message: plain UTF-8 text; a non-ASCII subject is encoded by the
    e-mail package (RFC 2047), the body as UTF-8 (8bit or base64 as needed)."""
    mime = MimeMessage()
    mime["From"] = sender_address(config)
    mime["To"] = message.to_address
    mime["Subject"] = message.subject
    mime["Date"] = format_datetime(message.created_at_dt)
    mime["Message-ID"] = make_msgid(idstring=f"pbvote-{message.id}")
    mime["Auto-Submitted"] = "auto-generated"
    if message.unsubscribe_url:
        mime["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
    mime.set_content(message.body, charset="utf-8")
    return mime


def queue_email(
    to: str,
    subject: str,
    body: str,
    now: datetime,
    *,
    purpose: str,
    user_id: int | None = None,
    commune_id: int | None = None,
    unsubscribe_url: str | None = None,
    dedupe_key: str | None = None,
) -> EmailMessage:
    """Store a message and deliver it in a job after commit; a message already
    stored under ``dedupe_key`` is returned instead of a second one."""
    if dedupe_key:
        existing = db.session.scalar(
            select(EmailMessage).where(EmailMessage.dedupe_key == dedupe_key)
        )
        if existing:
            return existing
    message = EmailMessage(
        to_address=to,
        subject=subject[:200],
        body=body,
        purpose=purpose,
        user_id=user_id,
        commune_id=commune_id,
        unsubscribe_url=unsubscribe_url,
        dedupe_key=dedupe_key,
        status="queued",
        attempts=0,
        created_at_dt=now,
    )
    db.session.add(message)
    db.session.flush()  # the job needs the id
    enqueue_after_commit(JOB, message.id, queue="default", retry=RETRIES)
    return message


def deliver_email(message_id: int, now: datetime) -> EmailMessage | None:
    """Send one stored message. Already sent: nothing happens (safe to run twice).
    On failure the message is marked 'failed' with the error (the staff page
    shows it) and MailSendError is raised so the job retries."""
    message = db.session.get(EmailMessage, message_id, with_for_update=True)
    if message is None or message.status == "sent":
        return message
    message.attempts += 1
    config = current_app.config
    try:
        mailer_from_config(config).send(build(message, config))
    except MailSendError as exc:
        message.status = "failed"
        message.last_error = str(exc)[:300]
        raise
    message.status = "sent"
    message.sent_at_dt = now
    message.last_error = None
    return message


def failed_email_ids(commune_id: int, limit: int = 500) -> list[int]:
    return list(
        db.session.scalars(
            select(EmailMessage.id)
            .where(
                EmailMessage.commune_id == commune_id,
                EmailMessage.status.in_(("failed", "queued")),
            )
            .order_by(EmailMessage.id)
            .limit(limit)
        )
    )
