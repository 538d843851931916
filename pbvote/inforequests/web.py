"""The inforequests blueprint and the lookups its route modules share, so that
no route module imports another (``views`` imports them all at the top)."""

from flask import Blueprint, abort
from sqlalchemy import select

from pbvote.communes.services import current_commune
from pbvote.extensions import db
from pbvote.inforequests import services
from pbvote.inforequests.models import InfoRequest

bp = Blueprint("inforequests", __name__)


def request_by_number(number: str) -> InfoRequest:
    row = db.session.scalar(
        select(InfoRequest).where(
            InfoRequest.tracking_number == number[:20].upper(),
            InfoRequest.commune_id == current_commune().id,
        )
    )
    if row is None:
        abort(404)
    return row


def requester_from(form) -> services.Requester:
    return services.Requester(
        name=form.name.data.strip(),
        address=form.address.data.strip(),
        cin=form.cin.data,
        email=(form.email.data or "").strip(),
        phone=(form.phone.data or "").strip(),
    )
