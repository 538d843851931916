"""Indicators from the consultation domains: consultative meetings (held, and
their aggregate attendance) and surveys (respondents, and the ready-made
satisfaction survey's three questions)."""

from sqlalchemy import func, select

from pbvote.extensions import db
from pbvote.meetings.models import Meeting
from pbvote.surveys.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from pbvote.surveys.ready import SATISFACTION_KEY

ATTENDANCE = (
    "attended_total",
    "attended_women",
    "attended_men",
    "attended_with_disability",
    "age_under_18",
    "age_18_35",
    "age_36_60",
    "age_over_60",
)


def _held(commune_id: int, period):
    """Meetings of the period that took place: not cancelled, attendance taken."""
    return (
        Meeting.commune_id == commune_id,
        Meeting.cancelled_at_dt.is_(None),
        Meeting.attended_total.is_not(None),
        Meeting.starts_at_dt >= period.start,
        Meeting.starts_at_dt < period.end,
    )


def meetings_held(commune_id: int, period) -> int:
    return db.session.scalar(
        select(func.count(Meeting.id)).where(*_held(commune_id, period))
    )


def attendance(commune_id: int, period) -> dict[str, int]:
    """Summed aggregate attendance (meetings record counts, never names)."""
    sums = db.session.execute(
        select(
            *(func.coalesce(func.sum(getattr(Meeting, f)), 0) for f in ATTENDANCE)
        ).where(*_held(commune_id, period))
    ).one()
    return dict(zip(ATTENDANCE, (int(s) for s in sums), strict=True))


def respondents(commune_id: int, period) -> tuple[set[int], int]:
    """Survey respondents of the period: account ids, and anonymous responses."""
    rows = db.session.scalars(
        select(SurveyResponse.user_id)
        .join(Survey, Survey.id == SurveyResponse.survey_id)
        .where(
            Survey.commune_id == commune_id,
            SurveyResponse.created_at_dt >= period.start,
            SurveyResponse.created_at_dt < period.end,
        )
    ).all()
    return {r for r in rows if r is not None}, sum(1 for r in rows if r is None)


def satisfaction(commune_id: int, period) -> dict:
    """The satisfaction survey's answers of the period: the choices per question
    position (0 overall, 1 the commune's answers, 2 take part again)."""
    rows = db.session.execute(
        select(SurveyQuestion.position, SurveyAnswer.choice)
        .join(SurveyAnswer, SurveyAnswer.question_id == SurveyQuestion.id)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(Survey, Survey.id == SurveyQuestion.survey_id)
        .where(
            Survey.commune_id == commune_id,
            Survey.key == SATISFACTION_KEY,
            SurveyAnswer.choice.is_not(None),
            SurveyResponse.created_at_dt >= period.start,
            SurveyResponse.created_at_dt < period.end,
        )
    ).all()
    by_position: dict[int, list[int]] = {}
    for position, choice in rows:
        by_position.setdefault(position, []).append(choice)
    return by_position
