"""Conversations on a proposal: comments, one level of replies, staff answers, and
who wrote what (never a phone number)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from blinker import Namespace
from flask_babel import gettext as _
from sqlalchemy import select

from pbvote.core import ratelimit
from pbvote.extensions import db
from pbvote.proposals.errors import InvalidProposal, NotAllowed
from pbvote.proposals.models import Comment, Proposal

COMMENTS_PER_HOUR = 10
# Sent inside the transaction with (comment, parent=, now=): notifications listen,
# so proposals never import them.
comment_added = Namespace().signal("comment-added")
ANSWERING_ROLES = ("admin", "reviewer")
MAX_COMMENT_ID = 2**31 - 1  # PostgreSQL's integer: a larger id names no comment


def _check_writer(user) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotAllowed(_("Sign in with your mobile number first."))
    if user.kind == "staff" and not user.has_role(*ANSWERING_ROLES):
        raise NotAllowed(_("Only reviewers and administrators answer for the commune."))


def _check_body(body: str) -> str:
    body = (body or "").strip()
    if len(body) < 2:
        raise InvalidProposal(_("Write your comment first."), "body")
    if len(body) > 2000:
        raise InvalidProposal(
            _(
                "A comment has at most 2000 characters; yours has %(num)d.",
                num=len(body),
            ),
            "body",
        )
    return body


def parse_parent_id(raw) -> int | None:
    """The hidden "answer to" field: an id, or None when empty or not a usable id."""
    text = str(raw or "").strip()
    if not text:
        return None
    if not text.isdigit() or not 0 < int(text) <= MAX_COMMENT_ID:
        raise InvalidProposal(_("The comment you answer no longer exists."), "body")
    return int(text)


def _parent(proposal: Proposal, parent_id: int | None) -> Comment | None:
    """The top-level comment a reply hangs under. A reply to a reply joins the same
    thread (one level only); a hidden comment takes no answer."""
    if parent_id is None:
        return None
    parent = db.session.get(Comment, parent_id)
    if parent is None or parent.proposal_id != proposal.id:
        raise InvalidProposal(_("The comment you answer no longer exists."), "body")
    if parent.parent_id is not None:
        parent = db.session.get(Comment, parent.parent_id)
    if parent.is_hidden:
        raise NotAllowed(
            _("This comment was hidden by a moderator: it cannot be answered."), "body"
        )
    return parent


def _rate_limit(user, now: datetime) -> None:
    if user.kind == "staff":
        return  # staff answers are not the flood the limit guards against
    try:
        ratelimit.check_and_hit(
            "proposal-comment", str(user.id), COMMENTS_PER_HOUR, timedelta(hours=1), now
        )
    except ratelimit.RateLimited:
        raise InvalidProposal(
            _("You have written many comments in the last hour. Please wait a little."),
            "body",
        ) from None


def add_comment(
    user, proposal: Proposal, body: str, now: datetime, parent_id: int | None = None
) -> Comment:
    """A plain-text comment, or a reply under a top-level comment, on a public
    proposal; residents at most 10 an hour. Reviewers and administrators answer too.

    Raises NotAllowed, InvalidProposal."""
    _check_writer(user)
    if not proposal.is_public or proposal.status == "withdrawn":
        raise NotAllowed(_("This proposal does not take comments."))
    body = _check_body(body)
    parent = _parent(proposal, parent_id)
    _rate_limit(user, now)
    comment = Comment(
        proposal_id=proposal.id,
        author_id=user.id,
        parent_id=parent.id if parent else None,
        body=body,
        created_at_dt=now,
    )
    db.session.add(comment)
    db.session.flush()  # the notification event needs the id
    comment_added.send(comment, parent=parent, now=now)
    return comment


@dataclass
class Thread:
    comment: Comment
    replies: list[Comment] = field(default_factory=list)


def threads_of(proposal: Proposal) -> list[Thread]:
    """Top-level comments in order, each with its replies in order."""
    rows = db.session.scalars(
        select(Comment).where(Comment.proposal_id == proposal.id).order_by(Comment.id)
    )
    threads: dict[int, Thread] = {}
    for row in rows:
        if row.parent_id is None:
            threads[row.id] = Thread(row)
        elif row.parent_id in threads:
            threads[row.parent_id].replies.append(row)
    return list(threads.values())


def reviewing_member_ids(proposal: Proposal) -> set[int]:
    """Staff ids sitting in the body that reviews this proposal (through the
    review's relationships: proposals do not import reviews)."""
    review = getattr(proposal, "review", None)
    if review is None:
        return set()
    return {member.user_id for member in review.body.members}


def author_name(comment: Comment, proposal: Proposal) -> str:
    """The name a reader sees: the association's name when its representative
    speaks on its proposal, else the chosen display name, else a neutral word."""
    from pbvote.core.i18n import localized

    author = comment.author
    association = proposal.association
    if association is not None and association.representative_id == author.id:
        return localized(association, "name") or author.display_name
    if author.display_name:
        return author.display_name
    if author.kind == "staff":
        return _("The commune")
    return _("A resident")
