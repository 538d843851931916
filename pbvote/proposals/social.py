"""Supports and comments on proposals, and the moderation of comments."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import selectinload

from pbvote.audit.services import record_action
from pbvote.cycles.services import phase_at
from pbvote.extensions import db
from pbvote.proposals.errors import AlreadyDone, InvalidProposal, NotAllowed
from pbvote.proposals.models import Comment, CommentFlag, Proposal, Support

SUPPORT_PHASES = ("proposals", "review")


def _resident(user) -> None:
    if user is None or getattr(user, "kind", None) != "resident":
        raise NotAllowed(_("Sign in with your mobile number first."))


def has_supported(user, proposal: Proposal) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Support.proposal_id == proposal.id, Support.user_id == user.id
                )
            )
        )
    )


def is_author_side(user, proposal: Proposal) -> bool:
    """The author, or the representative of the association that proposed it."""
    if user is None or not getattr(user, "id", None):
        return False
    if proposal.author_id == user.id:
        return True
    association = proposal.association
    return association is not None and association.representative_id == user.id


def support_proposal(user, proposal: Proposal, now: datetime) -> None:
    """Add the resident's support, once. Raises NotAllowed, AlreadyDone.

    Supports belong to the person, never to the association they may act for:
    one row per (proposal, resident), backed by a unique constraint against a
    double click, and the count is recounted from those rows.
    """
    _resident(user)
    if is_author_side(user, proposal):
        raise NotAllowed(_("You cannot support your own proposal."))
    if proposal.status not in ("submitted", "feasible", "feasible_with_changes"):
        raise NotAllowed(_("Only submitted proposals can be supported."))
    if phase_at(proposal.cycle, now) not in SUPPORT_PHASES:
        raise NotAllowed(
            _("Supports are collected during the proposals and review phases only.")
        )
    if has_supported(user, proposal):
        raise AlreadyDone(
            _(
                "You already support this proposal: each resident "
                "supports a proposal once."
            )
        )
    db.session.add(Support(proposal_id=proposal.id, user_id=user.id, created_at_dt=now))
    db.session.flush()  # the recount below must see the new row
    counted = (
        select(func.count(func.distinct(Support.user_id)))
        .where(Support.proposal_id == proposal.id)
        .scalar_subquery()
    )
    db.session.execute(
        update(Proposal).where(Proposal.id == proposal.id).values(support_count=counted)
    )


def flag_comment(user, comment: Comment, now: datetime) -> None:
    """Ask a moderator to look at a comment, once per resident.

    Raises NotAllowed, AlreadyDone."""
    _resident(user)
    if comment.is_hidden:
        raise AlreadyDone(_("This comment is already hidden."))
    if comment.author_id == user.id:
        raise NotAllowed(_("You cannot report your own comment."))
    flagged = db.session.scalar(
        select(
            exists().where(
                CommentFlag.comment_id == comment.id, CommentFlag.user_id == user.id
            )
        )
    )
    if flagged:
        raise AlreadyDone(
            _("You already reported this comment; a moderator will look at it.")
        )
    db.session.add(
        CommentFlag(comment_id=comment.id, user_id=user.id, created_at_dt=now)
    )
    comment.flag_count += 1
    comment.flags_dismissed = False


def hide_comment(actor, comment: Comment, reason: str, now: datetime) -> None:
    """Hide a comment; the reason stays visible in its place. Raises InvalidProposal."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise InvalidProposal(
            _("Give the reason readers will see, e.g. “insults”."), "reason"
        )
    comment.hidden_reason = reason[:300]
    comment.hidden_by_id = actor.id
    comment.hidden_at_dt = now
    record_action(
        actor,
        "comment.hide",
        "comment",
        comment.id,
        now,
        {"proposal_id": comment.proposal_id, "reason": reason},
    )


def dismiss_flags(actor, comment: Comment, now: datetime) -> None:
    """The comment stays: its reports are set aside."""
    comment.flags_dismissed = True
    record_action(
        actor,
        "comment.keep",
        "comment",
        comment.id,
        now,
        {"proposal_id": comment.proposal_id, "flags": comment.flag_count},
    )


def flagged_comments_query(commune_id: int):
    from pbvote.cycles.models import Cycle

    return (
        select(Comment)
        .join(Proposal)
        .join(Cycle, Cycle.id == Proposal.cycle_id)
        .where(
            Cycle.commune_id == commune_id,
            Comment.flag_count > 0,
            Comment.hidden_at_dt.is_(None),
            Comment.flags_dismissed.is_(False),
        )
        .options(selectinload(Comment.proposal))
        .order_by(Comment.flag_count.desc(), Comment.id)
    )
