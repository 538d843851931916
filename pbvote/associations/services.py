"""Registering associations and deciding on them."""

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from pbvote.associations.errors import (
    InvalidAssociation,
    NotRepresentative,
    RegistrationTaken,
)
from pbvote.associations.models import FIELDS, Association
from pbvote.audit.services import record_action
from pbvote.core.time import to_local_day
from pbvote.extensions import db


def register_association(
    user,
    commune_id: int,
    *,
    name_ar: str,
    name_fr: str,
    registration_number: str,
    seat_address: str,
    founded_on: date,
    field: str,
    now: datetime,
) -> Association:
    """Record an association under ``user`` as its representative, waiting for an
    administrator. Raises InvalidAssociation, RegistrationTaken."""
    name_ar, name_fr = (name_ar or "").strip(), (name_fr or "").strip()
    number = " ".join((registration_number or "").split()).upper()
    if user is None or user.kind != "resident":
        raise InvalidAssociation(
            _("Sign in with your mobile number to register an association.")
        )
    if not (name_ar or name_fr):
        raise InvalidAssociation(
            _("Give the association's name in Arabic or in French."), "name_ar"
        )
    if founded_on > to_local_day(now):
        raise InvalidAssociation(
            _("The founding date cannot be in the future."), "founded_on"
        )
    if field not in FIELDS:
        raise InvalidAssociation(
            _("Choose a field of activity from the list."), "field"
        )
    taken = db.session.scalar(
        select(Association.id).where(
            Association.commune_id == commune_id,
            func.upper(Association.registration_number) == number,
        )
    )
    if taken:
        raise RegistrationTaken(
            _(
                "An association with the registration number "
                "%(number)s is already registered. If it is yours, "
                "contact the citizen office.",
                number=number,
            )
        )
    association = Association(
        commune_id=commune_id,
        name_ar=name_ar,
        name_fr=name_fr,
        registration_number=number,
        seat_address=seat_address.strip(),
        founded_on=founded_on,
        field=field,
        representative_id=user.id,
        status="pending",
        created_at_dt=now,
    )
    db.session.add(association)
    return association


def decide_association(
    actor, association: Association, approve: bool, reason: str, now: datetime
) -> None:
    """Approve or reject a registration; a rejection must say why.

    Raises InvalidAssociation."""
    reason = (reason or "").strip()
    if not approve and len(reason) < 10:
        raise InvalidAssociation(
            _(
                "Explain in a sentence why the registration is "
                "refused: the representative will read it."
            ),
            "reason",
        )
    association.status = "approved" if approve else "rejected"
    association.decision_reason = reason
    association.decided_by_id = actor.id
    association.decided_at_dt = now
    record_action(
        actor,
        "association.approve" if approve else "association.reject",
        "association",
        association.id,
        now,
        {"registration_number": association.registration_number, "reason": reason},
    )


def associations_of(user) -> list[Association]:
    return list(
        db.session.scalars(
            select(Association)
            .where(Association.representative_id == user.id)
            .order_by(Association.id)
        )
    )


def approved_associations_of(user) -> list[Association]:
    return [a for a in associations_of(user) if a.is_approved]


def acting_association(user, association_id: int | None) -> Association | None:
    """The association ``user`` acts for, or None for themselves.

    Raises NotRepresentative when it is not theirs or not approved yet."""
    if not association_id:
        return None
    association = db.session.get(Association, association_id)
    if association is None or association.representative_id != user.id:
        raise NotRepresentative(
            _("You can only act for an association you represent."), "association_id"
        )
    if not association.is_approved:
        raise NotRepresentative(
            _(
                "This association is not approved yet: an "
                "administrator must approve it first."
            ),
            "association_id",
        )
    return association


def approved_query(commune_id: int):
    return (
        select(Association)
        .where(Association.commune_id == commune_id, Association.status == "approved")
        .order_by(Association.name_fr, Association.name_ar)
    )


def staff_query(commune_id: int, status: str = ""):
    query = select(Association).where(Association.commune_id == commune_id)
    if status in ("pending", "approved", "rejected"):
        query = query.where(Association.status == status)
    return query.options(joinedload(Association.representative)).order_by(
        (Association.status != "pending"), Association.id.desc()
    )
