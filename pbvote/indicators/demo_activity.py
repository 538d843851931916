"""Demo activity that the other domains' demos leave out and the indicators
need (all DEMO DATA, deterministic): consented participation profiles for last
year's voters, answers to the satisfaction survey, more ratings of the completed
project, and a consultative meeting a year ago so that growth has a base."""

from datetime import timedelta

from sqlalchemy import select

from pbvote.accountability.models import ExecutionRecord, Rating
from pbvote.extensions import db
from pbvote.meetings.models import Meeting
from pbvote.surveys.models import Survey, SurveyAnswer, SurveyResponse
from pbvote.surveys.ready import SATISFACTION_KEY
from pbvote.voting.models import ParticipationProfile, VoterMark

AGES = ("18-29", "30-44", "18-29", "45-59", "60+", "30-44", "16-17")
GENDERS = ("woman", "man", "man", "woman", "none")


def profiles(ctx) -> None:
    """Six in ten of last year's voters answered the optional profile."""
    cycle = ctx["past_cycle"]
    days = db.session.scalars(
        select(VoterMark.voted_on).where(VoterMark.cycle_id == cycle.id)
    ).all()
    for index, day in enumerate(days):
        if index % 5 in (3, 4) and index % 2:
            continue
        db.session.add(
            ParticipationProfile(
                id=f"demo{cycle.id:04d}{index:024d}",
                cycle_id=cycle.id,
                age_band=AGES[index % len(AGES)],
                gender=GENDERS[index % len(GENDERS)],
                disability="yes" if index % 11 == 0 else "no",
                given_on=day,
            )
        )


def survey_answers(ctx) -> None:
    """24 anonymous answers to the open satisfaction survey, over the last day."""
    survey = db.session.scalar(
        select(Survey).where(
            Survey.commune_id == ctx["commune"].id, Survey.key == SATISFACTION_KEY
        )
    )
    if survey is None:
        return
    questions = sorted(survey.questions, key=lambda q: q.position)[:3]
    now = ctx["now"]
    for index in range(24):
        response = SurveyResponse(
            survey_id=survey.id,
            anon_key_hash=f"demo-indicators-{index:048d}",
            created_at_dt=now - timedelta(hours=index),
        )
        db.session.add(response)
        db.session.flush()  # the answers need its id
        choices = (3 + index % 3, 2 + index % 4, (0, 0, 1, 0, 2)[index % 5])
        for question, choice in zip(questions, choices, strict=False):
            db.session.add(
                SurveyAnswer(
                    response_id=response.id, question_id=question.id, choice=choice
                )
            )


def ratings(ctx) -> None:
    """The residents who have not rated the completed project rate it."""
    record = db.session.scalar(
        select(ExecutionRecord).where(
            ExecutionRecord.commune_id == ctx["commune"].id,
            ExecutionRecord.status_key == "completed",
        )
    )
    if record is None:
        return
    rated = set(
        db.session.scalars(select(Rating.user_id).where(Rating.record_id == record.id))
    )
    now = ctx["now"]
    for index, user in enumerate(ctx["residents"]):
        if user.id in rated:
            continue
        db.session.add(
            Rating(
                record_id=record.id,
                user_id=user.id,
                score=(4, 5, 3, 4, 2)[index % 5],
                take_part_again=index % 4 != 3,
                created_at_dt=now - timedelta(days=2 + index),
                updated_at_dt=now - timedelta(days=2 + index),
            )
        )


def last_year_meeting(ctx) -> None:
    """A neighbourhood meeting held a year ago, with its attendance."""
    start = ctx["now"] - timedelta(days=365)
    db.session.add(
        Meeting(
            commune_id=ctx["commune"].id,
            kind="consultative",
            title="لقاء تشاوري حول الميزانية / Réunion de concertation budgétaire",
            starts_at_dt=start,
            ends_at_dt=start + timedelta(hours=2),
            place="Maison de la culture",
            organiser="Commune de Ouazzane",
            created_at_dt=start - timedelta(days=20),
            attended_total=44,
            attended_women=19,
            attended_men=25,
            attended_with_disability=3,
            age_under_18=2,
            age_18_35=17,
            age_36_60=18,
            age_over_60=7,
        )
    )


def seed(ctx) -> None:
    profiles(ctx)
    survey_answers(ctx)
    ratings(ctx)
    last_year_meeting(ctx)
