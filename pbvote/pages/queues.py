"""What waits for each member of staff, counted from each domain's own queries:
the staff home's work queues."""

from dataclasses import dataclass, field
from datetime import datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from pbvote.extensions import db


@dataclass
class Queue:
    key: str
    title: object
    count: int
    url: str
    items: list = field(default_factory=list)  # rows shown under the count


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def _reviews(user, commune_id: int, status: str):
    from pbvote.cycles.models import Cycle
    from pbvote.proposals.models import Proposal
    from pbvote.reviews.services import queue_for

    return queue_for(user, status).where(
        Proposal.cycle_id.in_(select(Cycle.id).where(Cycle.commune_id == commune_id))
    )


def review_deadline(review) -> datetime | None:
    """When the review phase of the proposal's cycle ends."""
    from pbvote.cycles.services import phase_span

    span = phase_span(review.proposal.cycle, "review")
    return span[1] if span else None


def _review_queues(user, commune_id: int) -> list[Queue]:
    todo = _reviews(user, commune_id, "todo")
    queues = [
        Queue(
            "to_review",
            _l("Proposals to review"),
            _count(todo),
            url_for("reviews.reviewer_queue"),
            list(db.session.scalars(todo.limit(5))),
        )
    ]
    if user.has_role("admin"):
        recorded = _reviews(user, commune_id, "recorded")
        queues.append(
            Queue(
                "to_publish",
                _l("Answers to publish"),
                _count(recorded),
                url_for("reviews.reviewer_queue", status="recorded"),
                list(db.session.scalars(recorded.limit(10))),
            )
        )
    return queues


def _comment_queue(commune_id: int) -> Queue:
    from pbvote.proposals.social import flagged_comments_query

    return Queue(
        "reported",
        _l("Reported comments"),
        _count(flagged_comments_query(commune_id)),
        url_for("proposals.staff_moderation"),
    )


def _execution_queues(commune_id: int) -> list[Queue]:
    from pbvote.accountability.models import ExecutionRecord, Question

    questions = (
        select(Question.id)
        .join(ExecutionRecord, Question.record_id == ExecutionRecord.id)
        .where(
            ExecutionRecord.commune_id == commune_id,
            Question.answered_at_dt.is_(None),
            Question.hidden_at_dt.is_(None),
        )
    )
    overdue = select(ExecutionRecord.id).where(
        ExecutionRecord.commune_id == commune_id,
        ExecutionRecord.overdue_since.is_not(None),
    )
    return [
        Queue(
            "questions",
            _l("Questions to answer"),
            _count(questions),
            url_for("accountability.staff_questions"),
        ),
        Queue(
            "overdue",
            _l("Overdue execution records"),
            _count(overdue),
            url_for("accountability.staff_records"),
        ),
    ]


def work_queues(user, commune_id: int) -> list[Queue]:
    """The queues of ``user``'s roles, in the order they are worked on."""
    queues: list[Queue] = []
    if user.has_role("reviewer", "admin"):
        queues += _review_queues(user, commune_id)
    if user.has_role("admin"):
        queues.append(_comment_queue(commune_id))
    if user.has_role("finance", "admin"):
        queues += _execution_queues(commune_id)
    return queues
