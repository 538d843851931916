"""Advisory bodies as data: seeding them, their members, their assignment rules."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from pbvote.accounts.errors import InvalidPhone
from pbvote.accounts.models import User
from pbvote.accounts.phones import normalise_mobile
from pbvote.audit.services import record_action
from pbvote.communes.models import District
from pbvote.extensions import db
from pbvote.proposals.models import Category
from pbvote.proposals.services import ensure_categories
from pbvote.reviews.errors import InvalidAssignment
from pbvote.reviews.models import (
    DEFAULT_BODIES,
    DEFAULT_RULES,
    AdvisoryBody,
    AssignmentRule,
    BodyMember,
)


def ensure_bodies(commune_id: int) -> list[AdvisoryBody]:
    """Create the charter's bodies and the default rules if missing (idempotent)."""
    categories = {c.key: c for c in ensure_categories(commune_id)}
    existing = {
        b.key: b
        for b in db.session.scalars(
            select(AdvisoryBody).where(AdvisoryBody.commune_id == commune_id)
        )
    }
    for key, name_ar, name_fr in DEFAULT_BODIES:
        if key not in existing:
            existing[key] = AdvisoryBody(
                commune_id=commune_id, key=key, name_ar=name_ar, name_fr=name_fr
            )
            db.session.add(existing[key])
    db.session.flush()  # rules need the body ids
    has_rules = db.session.scalar(
        select(AssignmentRule.id)
        .where(AssignmentRule.commune_id == commune_id)
        .limit(1)
    )
    if not has_rules:
        for category_key, body_key in DEFAULT_RULES:
            category = categories.get(category_key) if category_key else None
            db.session.add(
                AssignmentRule(
                    commune_id=commune_id,
                    body_id=existing[body_key].id,
                    category_id=category.id if category else None,
                )
            )
    db.session.flush()  # callers read the rules back
    return bodies_of(commune_id)


def bodies_of(commune_id: int) -> list[AdvisoryBody]:
    return list(
        db.session.scalars(
            select(AdvisoryBody)
            .where(AdvisoryBody.commune_id == commune_id, AdvisoryBody.active)
            .order_by(AdvisoryBody.id)
        )
    )


def rules_of(commune_id: int) -> list[AssignmentRule]:
    return list(
        db.session.scalars(
            select(AssignmentRule)
            .where(AssignmentRule.commune_id == commune_id)
            .order_by(AssignmentRule.id)
        )
    )


def add_member(
    actor, body: AdvisoryBody, user: User | None, resident_phone: str, now: datetime
) -> BodyMember:
    """Seat a staff reviewer in a body. Raises InvalidAssignment."""
    if (
        user is None
        or user.commune_id != body.commune_id
        or not user.has_role("reviewer")
    ):
        raise InvalidAssignment(
            _("Choose a staff member with the reviewer role."), "user_id"
        )
    if any(m.user_id == user.id for m in body.members):
        raise InvalidAssignment(
            _("%(name)s is already a member of this body.", name=user.label), "user_id"
        )
    phone = None
    if (resident_phone or "").strip():
        try:
            phone = normalise_mobile(resident_phone)
        except InvalidPhone as exc:
            raise InvalidAssignment(str(exc), "resident_phone") from exc
    member = BodyMember(user_id=user.id, resident_phone=phone)
    body.members.append(member)
    db.session.flush()  # the audit entry needs the id
    record_action(
        actor, "body.add_member", "advisory_body", body.id, now, {"user_id": user.id}
    )
    return member


def remove_member(actor, member: BodyMember, now: datetime) -> None:
    body = member.body
    body.members.remove(member)
    record_action(
        actor,
        "body.remove_member",
        "advisory_body",
        body.id,
        now,
        {"user_id": member.user_id},
    )


def add_rule(
    actor,
    body: AdvisoryBody,
    category_id: int | None,
    district_id: int | None,
    now: datetime,
) -> AssignmentRule:
    """Send proposals of a category and/or district to ``body``.

    Raises InvalidAssignment."""
    category = db.session.get(Category, category_id) if category_id else None
    district = db.session.get(District, district_id) if district_id else None
    foreign_category = category_id and (
        category is None or category.commune_id != body.commune_id
    )
    foreign_district = district_id and (
        district is None or district.commune_id != body.commune_id
    )
    if foreign_category or foreign_district:
        raise InvalidAssignment(_("Choose a category and a district from the lists."))
    rule = AssignmentRule(
        commune_id=body.commune_id,
        body_id=body.id,
        category_id=category_id or None,
        district_id=district_id or None,
    )
    db.session.add(rule)
    db.session.flush()  # the audit entry needs the id
    record_action(
        actor,
        "body.add_rule",
        "advisory_body",
        body.id,
        now,
        {"category_id": category_id, "district_id": district_id},
    )
    return rule


def remove_rule(actor, rule: AssignmentRule, now: datetime) -> None:
    record_action(
        actor,
        "body.remove_rule",
        "advisory_body",
        rule.body_id,
        now,
        {"category_id": rule.category_id, "district_id": rule.district_id},
    )
    db.session.delete(rule)


def body_for(
    rules: list[AssignmentRule], category_id: int, district_id: int | None
) -> int | None:
    """The body of the most specific matching rule: category and district, then
    category, then district, then a catch-all."""

    def specificity(rule):
        return (rule.category_id is not None) * 2 + (rule.district_id is not None)

    matching = [
        r
        for r in rules
        if r.category_id in (None, category_id)
        and (r.district_id is None or r.district_id == district_id)
    ]
    if not matching:
        return None
    return max(matching, key=lambda r: (specificity(r), -r.id)).body_id


def reviewer_body_ids(user) -> list[int]:
    return list(
        db.session.scalars(
            select(BodyMember.body_id).where(BodyMember.user_id == user.id)
        )
    )
