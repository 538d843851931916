"""Residents' voice on a project being carried out: following it, public questions
and the commune's answers (with moderation), ratings of completed projects.
Services take the actor, objects and ``now`` and never commit."""

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from pbvote.accountability.errors import NotAllowed
from pbvote.accountability.evaluation import MAX_TEXT
from pbvote.accountability.models import ExecutionRecord, Follow, Question, Rating
from pbvote.accountability.services import FOLLOWUP_QUEUE
from pbvote.audit.services import record_action
from pbvote.core import ratelimit
from pbvote.core.jobs import enqueue_after_commit
from pbvote.extensions import db


def follow(user, record: ExecutionRecord, sms_opt_in: bool, now: datetime) -> Follow:
    row = db.session.scalar(
        select(Follow).where(Follow.record_id == record.id, Follow.user_id == user.id)
    )
    if row is None:
        row = Follow(record_id=record.id, user_id=user.id, created_at_dt=now)
        db.session.add(row)
    row.sms_opt_in = bool(sms_opt_in)
    return row


def unfollow(user, record: ExecutionRecord) -> None:
    row = db.session.scalar(
        select(Follow).where(Follow.record_id == record.id, Follow.user_id == user.id)
    )
    if row is not None:
        db.session.delete(row)


def following(user, record: ExecutionRecord) -> Follow | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(Follow).where(Follow.record_id == record.id, Follow.user_id == user.id)
    )


QUESTIONS_PER_DAY = 5


def ask_question(user, record: ExecutionRecord, body: str, now: datetime) -> Question:
    """A public question to the commune. Raises NotAllowed (too many today)."""
    body = (body or "").strip()
    if len(body) < 10:
        raise NotAllowed(_("Write your question in at least 10 characters."))
    if len(body) > 1000:
        raise NotAllowed(_("Your question is too long (at most 1000 characters)."))
    try:
        ratelimit.check_and_hit(
            "exec-question", str(user.id), QUESTIONS_PER_DAY, timedelta(days=1), now
        )
    except ratelimit.RateLimited:
        raise NotAllowed(
            _(
                "You have asked %(n)d questions today: please wait until tomorrow.",
                n=QUESTIONS_PER_DAY,
            )
        )
    question = Question(
        record_id=record.id, user_id=user.id, body=body, asked_at_dt=now
    )
    db.session.add(question)
    return question


def answer_question(
    actor, question: Question, answer: str, service: str, now: datetime
) -> None:
    answer = (answer or "").strip()
    if len(answer) < 2:
        raise NotAllowed(_("Write the answer."))
    if len(answer) > MAX_TEXT:
        raise NotAllowed(
            _("The answer is too long (at most %(max)d characters).", max=MAX_TEXT)
        )
    first = not question.answered_at_dt
    question.answer = answer
    question.answer_service = (service or "").strip()[:160]
    question.answered_by_id = actor.id
    question.answered_at_dt = now
    record_action(
        actor,
        "execution.answer" if first else "execution.answer_edit",
        "execution_question",
        question.id,
        now,
        {"record_id": question.record_id},
    )


def hide_question(actor, question: Question, reason: str, now: datetime) -> None:
    """Moderation: the question's text is no longer shown; the public sees that it
    was hidden and why. Raises NotAllowed (no reason)."""
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise NotAllowed(_("Say publicly why the question is hidden."))
    question.hidden_at_dt, question.hidden_by_id = now, actor.id
    question.hidden_reason = reason[:200]
    record_action(
        actor,
        "execution.question_hide",
        "execution_question",
        question.id,
        now,
        {"record_id": question.record_id, "reason": question.hidden_reason},
    )


def rate(
    user,
    record: ExecutionRecord,
    score: int | None,
    take_part_again: bool | None,
    now: datetime,
) -> Rating:
    """Satisfaction with a completed project; a resident may change their rating."""
    if record.status_key != "completed":
        raise NotAllowed(_("You can rate this project once it is completed."))
    if score is None or not 1 <= score <= 5:
        raise NotAllowed(_("Choose a score from 1 to 5."))
    if take_part_again is None:
        raise NotAllowed(_("Say whether you would take part again."))
    row = db.session.scalar(
        select(Rating).where(Rating.record_id == record.id, Rating.user_id == user.id)
    )
    if row is None:
        row = Rating(record_id=record.id, user_id=user.id, created_at_dt=now)
        db.session.add(row)
    row.score, row.take_part_again, row.updated_at_dt = score, take_part_again, now
    enqueue_after_commit(
        "jobs.accountability.refresh_record", record.id, queue=FOLLOWUP_QUEUE
    )
    return row


def rating_summary(record_ids=None) -> dict:
    query = select(
        func.count(Rating.id),
        func.avg(Rating.score),
        func.sum(func.cast(Rating.take_part_again, db.Integer)),
    )
    if record_ids is not None:
        query = query.where(Rating.record_id.in_(list(record_ids)))
    return _summary(*db.session.execute(query).one())


def rating_summaries(record_ids: list[int]) -> dict[int, dict]:
    """{record id: :func:`rating_summary` of that record} in one statement."""
    rows = db.session.execute(
        select(
            Rating.record_id,
            func.count(Rating.id),
            func.avg(Rating.score),
            func.sum(func.cast(Rating.take_part_again, db.Integer)),
        )
        .where(Rating.record_id.in_(list(record_ids)))
        .group_by(Rating.record_id)
    ).all()
    found = {row[0]: _summary(*row[1:]) for row in rows}
    return {i: found.get(i) or _summary(0, None, 0) for i in record_ids}


def _summary(count, average, again) -> dict:
    return {
        "count": int(count or 0),
        "average": round(float(average), 2) if average is not None else None,
        "again": int(again or 0),
        "again_share": round(100 * int(again or 0) / count) if count else None,
    }
