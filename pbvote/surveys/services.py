"""Building surveys: their period and audience, their questions, publishing the
results. Every change is audited."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from pbvote.audit.services import record_action
from pbvote.extensions import db
from pbvote.surveys.errors import InvalidSurvey, SurveyLocked
from pbvote.surveys.models import (
    AUDIENCES,
    QUESTION_KINDS,
    Survey,
    SurveyQuestion,
    SurveyResponse,
)


@dataclass
class SurveyInput:
    title_ar: str
    title_fr: str
    intro_ar: str
    intro_fr: str
    audience: str
    opens_at_dt: datetime | None
    closes_at_dt: datetime | None


@dataclass
class QuestionInput:
    kind: str
    text_ar: str
    text_fr: str
    required: bool
    options: list[dict]  # [{"ar": ..., "fr": ...}]


def response_count(survey: Survey) -> int:
    return db.session.scalar(
        select(func.count()).where(SurveyResponse.survey_id == survey.id)
    )


def save_survey(actor, survey: Survey | None, data: SurveyInput, now) -> Survey:
    """Create or change a survey (title, introduction, audience, period).

    Raises InvalidSurvey."""
    if not (data.title_ar.strip() and data.title_fr.strip()):
        raise InvalidSurvey(_("Give the title in Arabic and in French."), "title_ar")
    if data.audience not in AUDIENCES:
        raise InvalidSurvey(_("Choose who may answer."), "audience")
    if data.closes_at_dt and not data.opens_at_dt:
        raise InvalidSurvey(_("Give the opening date too."), "opens_at")
    if data.opens_at_dt and data.closes_at_dt and data.closes_at_dt <= data.opens_at_dt:
        raise InvalidSurvey(_("The survey must close after it opens."), "closes_at")
    if survey is None:
        survey = Survey(
            commune_id=actor.commune_id, created_at_dt=now, created_by_id=actor.id
        )
        db.session.add(survey)
    for name, value in vars(data).items():
        setattr(survey, name, value.strip() if isinstance(value, str) else value)
    db.session.flush()  # the audit entry needs the id
    record_action(actor, "survey.save", "survey", survey.id, now)
    return survey


def _check_question(data: QuestionInput) -> None:
    if data.kind not in QUESTION_KINDS:
        raise InvalidSurvey(_("Choose the kind of question."), "kind")
    if not (data.text_ar.strip() and data.text_fr.strip()):
        raise InvalidSurvey(_("Give the question in Arabic and in French."), "text_ar")
    if data.kind in ("single", "multiple"):
        if len(data.options) < 2:
            raise InvalidSurvey(_("Give at least two choices."), "options")
        if any(not (o["ar"] and o["fr"]) for o in data.options):
            raise InvalidSurvey(
                _("Write each choice as: Arabic | French, one per line."), "options"
            )


def add_question(actor, survey: Survey, data: QuestionInput, now) -> SurveyQuestion:
    """Add a question at the end. Raises InvalidSurvey, and SurveyLocked once
    someone has answered (their answers would no longer match the survey)."""
    if response_count(survey):
        raise SurveyLocked(_("Questions cannot change once someone has answered."))
    _check_question(data)
    question = SurveyQuestion(
        kind=data.kind,
        text_ar=data.text_ar.strip(),
        text_fr=data.text_fr.strip(),
        required=data.required,
        options=data.options if data.kind in ("single", "multiple") else [],
        position=len(survey.questions),
    )
    survey.questions.append(question)
    db.session.flush()  # the audit entry needs the id
    record_action(
        actor, "survey.add_question", "survey", survey.id, now, {"id": question.id}
    )
    return question


def remove_question(actor, question: SurveyQuestion, now) -> None:
    survey = question.survey
    if response_count(survey):
        raise SurveyLocked(_("Questions cannot change once someone has answered."))
    survey.questions.remove(question)
    record_action(
        actor, "survey.remove_question", "survey", survey.id, now, {"id": question.id}
    )


def publish_results(actor, survey: Survey, now) -> None:
    """Make the aggregate results public (free-text answers stay with staff)."""
    survey.results_published_at_dt = survey.results_published_at_dt or now
    record_action(actor, "survey.publish_results", "survey", survey.id, now)


def open_surveys(commune_id: int, now: datetime) -> list[Survey]:
    rows = db.session.scalars(
        select(Survey)
        .where(
            Survey.commune_id == commune_id,
            Survey.opens_at_dt <= now,
            (Survey.closes_at_dt.is_(None)) | (Survey.closes_at_dt > now),
        )
        .order_by(Survey.opens_at_dt.desc())
    )
    return list(rows)


def published_surveys(commune_id: int) -> list[Survey]:
    rows = db.session.scalars(
        select(Survey)
        .where(
            Survey.commune_id == commune_id,
            Survey.results_published_at_dt.is_not(None),
        )
        .order_by(Survey.results_published_at_dt.desc())
        .limit(100)
    )
    return list(rows)
