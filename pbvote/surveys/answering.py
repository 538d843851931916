"""Answering a survey once, and counting the answers.

One response per signed-in resident (a unique constraint, so two tabs sending at
once still make one). Anonymous respondents, on surveys open to everyone, are told
apart by a random token in a cookie (stored only as a keyed hash) and limited per
network address, because a cookie can be cleared."""

from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from pbvote.core import ratelimit
from pbvote.core.security import keyed_hash
from pbvote.extensions import db
from pbvote.surveys.errors import (
    AlreadyAnswered,
    InvalidAnswers,
    ResidentsOnly,
    SurveyClosed,
)
from pbvote.surveys.models import (
    SCALE,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)

TEXT_MAX = 5000
ANONYMOUS_LIMIT = 20  # answers per network address and survey per hour
ANONYMOUS_WINDOW = timedelta(hours=1)


def anon_key_hash(survey: Survey, token: str | None) -> str | None:
    return keyed_hash("survey-respondent", f"{survey.id}:{token}") if token else None


def find_response(survey: Survey, user, token: str | None) -> SurveyResponse | None:
    if user is not None:
        clause = SurveyResponse.user_id == user.id
    elif token:
        clause = SurveyResponse.anon_key_hash == anon_key_hash(survey, token)
    else:
        return None
    return db.session.scalar(
        select(SurveyResponse).where(SurveyResponse.survey_id == survey.id, clause)
    )


def _values(question: SurveyQuestion, raw: list[str]) -> tuple[list[int], str | None]:
    """The answer to one question as option indexes/scale value or text; raises
    ValueError with the sentence to show when it is not a valid answer."""
    raw = [value.strip() for value in raw if value and value.strip()]
    if question.kind == "text":
        text = raw[0] if raw else ""
        if len(text) > TEXT_MAX or "\x00" in text:
            raise ValueError(_("At most %(max)d characters.", max=TEXT_MAX))
        return [], text or None
    allowed = (
        {str(v) for v in SCALE}
        if question.kind == "scale"
        else {str(i) for i in range(len(question.options))}
    )
    if any(value not in allowed for value in raw) or (
        question.kind != "multiple" and len(raw) > 1
    ):
        raise ValueError(_("Choose from the list."))
    return sorted({int(value) for value in raw}), None


def check_answers(survey: Survey, raw: dict[int, list[str]]) -> dict[int, tuple]:
    """Every answer valid and every required question answered, else
    InvalidAnswers naming each question with a problem."""
    answers, problems = {}, {}
    for question in survey.questions:
        try:
            choices, text = _values(question, raw.get(question.id, []))
        except ValueError as error:
            problems[question.id] = str(error)
            continue
        if question.required and not choices and not text:
            problems[question.id] = _("This question needs an answer.")
        answers[question.id] = (choices, text)
    if problems:
        raise InvalidAnswers(
            _("Some answers are missing: what you wrote is kept below."), problems
        )
    return answers


@dataclass
class Respondent:
    user: object | None  # a resident User
    token: str | None = None  # the anonymous cookie token
    network: str = field(default="unknown")  # for the anonymous rate limit


def submit_response(survey: Survey, who: Respondent, raw, now) -> SurveyResponse:
    """Store one response. Raises SurveyClosed, ResidentsOnly, AlreadyAnswered,
    InvalidAnswers (nothing stored), ratelimit.RateLimited (anonymous only)."""
    if not survey.is_open(now):
        raise SurveyClosed(_("This survey is not open for answers."))
    if who.user is None and survey.audience == "residents":
        raise ResidentsOnly(_("Sign in with your phone number to answer."))
    if find_response(survey, who.user, who.token):
        raise AlreadyAnswered(_("You have already answered this survey. Thank you!"))
    answers = check_answers(survey, raw)
    if who.user is None:
        key = f"{survey.id}:{who.network}"
        ratelimit.check("survey-anon", key, ANONYMOUS_LIMIT, ANONYMOUS_WINDOW, now)
        ratelimit.hit("survey-anon", key, now)
    response = SurveyResponse(
        survey_id=survey.id,
        user_id=getattr(who.user, "id", None),
        anon_key_hash=None if who.user else anon_key_hash(survey, who.token),
        created_at_dt=now,
    )
    try:
        with db.session.begin_nested():  # a second tab's answer loses here
            db.session.add(response)
            db.session.flush()  # the answers need the id
    except IntegrityError as error:
        raise AlreadyAnswered(
            _("You have already answered this survey. Thank you!")
        ) from error
    for question_id, (choices, text) in answers.items():
        rows = [SurveyAnswer(choice=c) for c in choices] + (
            [SurveyAnswer(text=text)] if text else []
        )
        for row in rows:
            row.response_id, row.question_id = response.id, question_id
            db.session.add(row)
    return response


@dataclass
class QuestionResult:
    question: SurveyQuestion
    answered: int
    counts: list[tuple[int, int]]  # (option index or scale value, count)
    mean: float | None = None
    texts: list[str] = field(default_factory=list)


def results(survey: Survey, with_texts: bool = False) -> tuple[int, list]:
    """Respondents and, per question, counts per option (or scale value), the mean
    of a scale, and the free texts when ``with_texts`` (staff only)."""
    total = db.session.scalar(
        select(func.count()).where(SurveyResponse.survey_id == survey.id)
    )
    out = []
    for question in survey.questions:
        answered = db.session.scalar(
            select(func.count(func.distinct(SurveyAnswer.response_id))).where(
                SurveyAnswer.question_id == question.id
            )
        )
        counted = dict(
            db.session.execute(
                select(SurveyAnswer.choice, func.count())
                .where(
                    SurveyAnswer.question_id == question.id,
                    SurveyAnswer.choice.is_not(None),
                )
                .group_by(SurveyAnswer.choice)
            ).all()
        )
        keys = SCALE if question.kind == "scale" else range(len(question.options))
        counts = [(k, counted.get(k, 0)) for k in keys]
        result = QuestionResult(question, answered, counts)
        if question.kind == "scale" and answered:
            result.mean = sum(k * n for k, n in counts) / answered
        if question.kind == "text" and with_texts:
            result.texts = list(
                db.session.scalars(
                    select(SurveyAnswer.text)
                    .where(SurveyAnswer.question_id == question.id)
                    .order_by(SurveyAnswer.id)
                    .limit(500)
                )
            )
        out.append(result)
    return total, out
