"""Reading a body's public record and publishing its opinions."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from pbvote.audit.services import record_action
from pbvote.bodies.errors import InvalidOpinion
from pbvote.bodies.models import OPINION_KINDS, BodyOpinion
from pbvote.extensions import db
from pbvote.reviews.models import AdvisoryBody, Review


def opinions_of(body: AdvisoryBody) -> list[BodyOpinion]:
    return list(
        db.session.scalars(
            select(BodyOpinion)
            .where(BodyOpinion.body_id == body.id)
            .order_by(BodyOpinion.published_at_dt.desc(), BodyOpinion.id.desc())
        )
    )


def reviewed_by(body: AdvisoryBody, limit: int = 50) -> list[Review]:
    """Published reviews only: an answer not yet published stays internal."""
    return list(
        db.session.scalars(
            select(Review)
            .where(Review.body_id == body.id, Review.published_at_dt.is_not(None))
            .options(joinedload(Review.proposal))
            .order_by(Review.published_at_dt.desc(), Review.id.desc())
            .limit(limit)
        )
    )


def publish_opinion(
    actor,
    body: AdvisoryBody,
    kind: str,
    title_ar: str,
    title_fr: str,
    text_ar: str,
    text_fr: str,
    now: datetime,
) -> BodyOpinion:
    """Publish an opinion or recommendation of ``body`` at once; audited.

    Raises InvalidOpinion when the kind is unknown or there is no title or text."""
    if kind not in OPINION_KINDS:
        raise InvalidOpinion(_("Choose opinion or recommendation."), "kind")
    if not (title_ar.strip() or title_fr.strip()):
        raise InvalidOpinion(_("Give a title in Arabic or in French."), "title_ar")
    if not (text_ar.strip() or text_fr.strip()):
        raise InvalidOpinion(_("Write the text in Arabic or in French."), "text_ar")
    opinion = BodyOpinion(
        body_id=body.id,
        kind=kind,
        title_ar=title_ar.strip(),
        title_fr=title_fr.strip(),
        text_ar=text_ar.strip(),
        text_fr=text_fr.strip(),
        published_at_dt=now,
        published_by_id=getattr(actor, "id", None),
    )
    db.session.add(opinion)
    db.session.flush()  # the audit entry needs the id
    record_action(
        actor, "body.publish_opinion", "advisory_body", body.id, now, {"id": opinion.id}
    )
    return opinion


def delete_opinion(actor, opinion: BodyOpinion, now: datetime) -> None:
    """Withdraw a published opinion (a mistake); the audit keeps its title."""
    record_action(
        actor,
        "body.delete_opinion",
        "advisory_body",
        opinion.body_id,
        now,
        {"id": opinion.id, "title": opinion.title_fr or opinion.title_ar},
    )
    db.session.delete(opinion)
