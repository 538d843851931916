"""Indicators from the consultation domains: consultative meetings (held, and
their aggregate attendance) and surveys (respondents, and the ready-made
satisfaction survey's three questions)."""

from sqlalchemy import func, select

from pbvote.indicators.queries import each_period, per_period_rows, period_position
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


# Each look-up serves several periods in one statement: a UNION ALL branch per
# period, its first column the period's position (see queries.each_period).


def attendance_by_period(commune_id: int, periods) -> dict:
    """{period: meetings held, and their summed aggregate attendance} (meetings
    record counts, never names)."""
    sums = {}
    for index, held, *totals in per_period_rows(_attendance, commune_id, periods):
        sums[periods[index]] = {
            "held": held,
            **dict(zip(ATTENDANCE, (int(t) for t in totals), strict=True)),
        }
    return sums


def _attendance(bounds, commune, _district):
    def branch(index, period):
        return select(
            period_position(index),
            func.count(Meeting.id),
            *(func.coalesce(func.sum(getattr(Meeting, f)), 0) for f in ATTENDANCE),
        ).where(*_held(commune, period))

    return each_period(bounds, branch)


def respondents_by_period(commune_id: int, periods) -> dict:
    """{period: (survey respondents' account ids, anonymous responses)}."""
    accounts = [set() for _period in periods]
    anonymous = [0] * len(periods)
    for index, user_id in per_period_rows(_respondents, commune_id, periods):
        if user_id is None:
            anonymous[index] += 1
        else:
            accounts[index].add(user_id)
    return {period: (accounts[i], anonymous[i]) for i, period in enumerate(periods)}


def _respondents(bounds, commune, _district):
    def branch(index, period):
        return (
            select(period_position(index), SurveyResponse.user_id)
            .join(Survey, Survey.id == SurveyResponse.survey_id)
            .where(
                Survey.commune_id == commune,
                SurveyResponse.created_at_dt >= period.start,
                SurveyResponse.created_at_dt < period.end,
            )
        )

    return each_period(bounds, branch)


def satisfaction_by_period(commune_id: int, periods) -> dict:
    """{period: the satisfaction survey's answers given in it, the choices per
    question position (0 overall, 1 the commune's answers, 2 take part again)}."""
    answers: list[dict] = [{} for _period in periods]
    for index, position, choice in per_period_rows(_satisfaction, commune_id, periods):
        answers[index].setdefault(position, []).append(choice)
    return dict(zip(periods, answers, strict=True))


def _satisfaction(bounds, commune, _district):
    def branch(index, period):
        return (
            select(period_position(index), SurveyQuestion.position, SurveyAnswer.choice)
            .join(SurveyAnswer, SurveyAnswer.question_id == SurveyQuestion.id)
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .join(Survey, Survey.id == SurveyQuestion.survey_id)
            .where(
                Survey.commune_id == commune,
                Survey.key == SATISFACTION_KEY,
                SurveyAnswer.choice.is_not(None),
                SurveyResponse.created_at_dt >= period.start,
                SurveyResponse.created_at_dt < period.end,
            )
        )

    return each_period(bounds, branch)
