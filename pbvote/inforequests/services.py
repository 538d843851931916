"""Information requests: filing (online or registered by a clerk), the legal
deadline in working days, one extension, and a reasoned answer or refusal.
Services never commit."""

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _

from pbvote.audit.services import record_action
from pbvote.core import files, ratelimit
from pbvote.core.security import open_secret, seal_secret
from pbvote.core.time import to_local_day
from pbvote.extensions import db
from pbvote.holidays.services import deadline_after, extend_deadline, working_days_taken
from pbvote.inforequests.errors import (
    ExtensionRefused,
    InvalidUpload,
    MissingContact,
    MissingGrounds,
    NotAllowed,
    TooManyRequests,
)
from pbvote.inforequests.models import REFUSAL_GROUNDS, InfoDocument, InfoRequest

SEAL = "info-requester"
FOLDER = "inforequests"
# Law 31-13, art. 16-17 (MOROCCO.md): working days, changeable in the configuration.
DEFAULTS = {
    "INFO_REQUEST_DAYS": 20,
    "INFO_REQUEST_EXTENSION_DAYS": 20,
    "INFO_REQUEST_URGENT_DAYS": 3,
    "INFO_REQUEST_URGENT_EXTENSION_DAYS": 3,
}


def setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


@dataclass
class Requester:
    name: str
    address: str
    cin: str
    email: str = ""
    phone: str = ""  # E.164, already normalised

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _tracking_number(now: datetime) -> str:
    # Random, not sequential: a number reveals nothing about other requests.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    code = "".join(secrets.choice(alphabet) for _ in range(6))
    return f"DI-{now.year}-{code}"


def file_request(
    commune_id: int,
    requester: Requester,
    *,
    subject: str,
    urgent: bool,
    channel: str,
    now: datetime,
    user=None,
    clerk=None,
    client_key: str | None = None,
) -> InfoRequest:
    """Record a request and its deadline: INFO_REQUEST_DAYS working days after the
    day of receipt, INFO_REQUEST_URGENT_DAYS when urgent.

    ``client_key`` (the sender's address, for online requests) is limited to
    INFO_REQUESTS_PER_DAY a day, so that the register cannot be flooded.

    Raises MissingContact, TooManyRequests.
    """
    if client_key is not None:
        try:
            ratelimit.check_and_hit(
                "inforequest",
                client_key,
                int(current_app.config.get("INFO_REQUESTS_PER_DAY", 20)),
                timedelta(days=1),
                now,
            )
        except ratelimit.RateLimited as error:
            raise TooManyRequests(
                _(
                    "Too many requests from this connection today: please try "
                    "again tomorrow or come to the citizen office."
                )
            ) from error
    if not requester.email.strip() and not requester.phone.strip():
        raise MissingContact(
            _(
                "Give an e-mail address or a mobile number so that the answer can "
                "reach you."
            ),
            field="email",
        )
    if requester.phone.strip():
        requester.phone = _mobile(requester.phone)
    days = setting("INFO_REQUEST_URGENT_DAYS" if urgent else "INFO_REQUEST_DAYS")
    request = InfoRequest(
        commune_id=commune_id,
        tracking_number=_tracking_number(now),
        channel=channel,
        subject=subject.strip(),
        requester_enc=seal_secret(SEAL, json.dumps(requester.as_dict())),
        user_id=getattr(user, "id", None),
        registered_by_id=getattr(clerk, "id", None),
        urgent=urgent,
        received_at_dt=now,
        due_on=deadline_after(now, days),
    )
    db.session.add(request)
    db.session.flush()  # the audit entry and the receipt need the id
    if clerk is not None:
        record_action(
            clerk,
            "inforequest.register",
            "info_request",
            request.id,
            now,
            {"channel": channel},
        )
    if requester.phone:
        from pbvote.sms.services import queue_sms

        queue_sms(
            requester.phone,
            _(  # one SMS segment: tests/notifications/test_sms_segments.py
                "Ouazzane: information request %(number)s received; answer by %(day)s.",
                number=request.tracking_number,
                day=request.due_on.isoformat(),
            ),
            now,
            purpose="inforequest",
            commune_id=commune_id,
        )
    return request


def _mobile(raw: str) -> str:
    from pbvote.accounts.errors import InvalidPhone
    from pbvote.accounts.phones import normalise_mobile

    try:
        return normalise_mobile(raw, current_app.config["PHONE_REGION"])
    except InvalidPhone as error:
        raise MissingContact(str(error), field="phone") from error


def requester_of(request: InfoRequest) -> Requester:
    return Requester(**json.loads(open_secret(SEAL, request.requester_enc)))


def _require_open(request: InfoRequest) -> None:
    if not request.is_open:
        raise NotAllowed(_("This request is already closed."))


def extend_request(actor, request: InfoRequest, *, reason: str, now: datetime) -> None:
    """The one extension the law allows, with its reason.

    Raises NotAllowed, ExtensionRefused, MissingGrounds.
    """
    _require_open(request)
    if request.extended_at_dt is not None:
        raise ExtensionRefused(
            _(
                "The deadline was already extended once: the law allows no second "
                "extension."
            )
        )
    if not (reason or "").strip():
        raise MissingGrounds(_("Give the reason for the extension."), field="reason")
    days = setting(
        "INFO_REQUEST_URGENT_EXTENSION_DAYS"
        if request.urgent
        else "INFO_REQUEST_EXTENSION_DAYS"
    )
    request.due_on = extend_deadline(request.due_on, days)
    request.extended_at_dt = now
    request.extension_reason = reason.strip()
    record_action(
        actor,
        "inforequest.extend",
        "info_request",
        request.id,
        now,
        {"due_on": request.due_on.isoformat()},
    )


def _close(request: InfoRequest, status: str, now: datetime) -> None:
    request.status = status
    request.closed_at_dt = now
    request.working_days_taken = working_days_taken(request.received_at_dt, now)


def answer_request(
    actor, request: InfoRequest, *, answer: str, uploads, now: datetime
) -> None:
    """Give the information, in words and/or documents.

    Raises NotAllowed, MissingGrounds, InvalidUpload.
    """
    _require_open(request)
    if not (answer or "").strip() and not uploads:
        raise MissingGrounds(
            _("Write the answer or attach the documents."), field="answer"
        )
    for storage in uploads[:5]:
        checked = files.check_upload(storage, InvalidUpload, "documents")
        request.documents.append(
            InfoDocument(
                filename=checked.filename,
                content_type=checked.content_type,
                size=len(checked.data),
                stored_name=files.store(FOLDER, checked),
            )
        )
    request.answer = (answer or "").strip()
    _close(request, "answered", now)
    record_action(
        actor,
        "inforequest.answer",
        "info_request",
        request.id,
        now,
        {
            "documents": len(request.documents),
            "working_days": request.working_days_taken,
        },
    )
    _notify(request, now)


def refuse_request(
    actor, request: InfoRequest, *, ground: str, explanation: str, now: datetime
) -> None:
    """A written, reasoned refusal on one of the legal grounds.

    Raises NotAllowed, MissingGrounds.
    """
    _require_open(request)
    if ground not in REFUSAL_GROUNDS:
        raise MissingGrounds(
            _("Choose the legal ground of the refusal."), field="ground"
        )
    if not (explanation or "").strip():
        raise MissingGrounds(
            _("Explain the refusal: the requester may appeal it."),
            field="explanation",
        )
    request.refusal_ground = ground
    request.explanation = explanation.strip()
    _close(request, "refused", now)
    record_action(
        actor, "inforequest.refuse", "info_request", request.id, now, {"ground": ground}
    )
    _notify(request, now)


def _notify(request: InfoRequest, now: datetime) -> None:
    phone = requester_of(request).phone
    if phone:
        from pbvote.sms.services import queue_sms

        queue_sms(
            phone,
            _(  # one SMS segment: tests/notifications/test_sms_segments.py
                "Ouazzane: your request %(number)s has an answer. See the site.",
                number=request.tracking_number,
            ),
            now,
            purpose="inforequest",
            commune_id=request.commune_id,
            dedupe_key=f"inforequest-closed-{request.id}",
        )


def public_state(request: InfoRequest, now: datetime) -> str:
    """received | extended | overdue | answered | refused."""
    if not request.is_open:
        return request.status
    if to_local_day(now) > request.due_on:
        return "overdue"
    return "extended" if request.extended_at_dt else "received"


def indicators(commune_id: int, start=None, end=None, **options) -> dict:
    """Counts, response rate and delay for the charter's indicators (section 13);
    see :func:`pbvote.inforequests.queries.indicators`."""
    from pbvote.inforequests import queries

    return queries.indicators(commune_id, start, end, **options)
