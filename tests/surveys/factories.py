"""Surveys test data: an open survey with one question of each kind."""

from datetime import timedelta

from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.surveys.models import Survey, SurveyQuestion
from tests.factories import create_staff


def create_survey(commune_id, *, audience="residents", open_=True, **kw) -> Survey:
    now = utcnow()
    survey = Survey(
        commune_id=commune_id,
        title_ar="استبيان النقل",
        title_fr="Enquête transport",
        audience=audience,
        opens_at_dt=now - timedelta(days=1) if open_ else None,
        closes_at_dt=now + timedelta(days=10) if open_ else None,
        created_at_dt=now,
        **kw,
    )
    questions = [
        (
            "single",
            True,
            [{"ar": "الحافلة", "fr": "Bus"}, {"ar": "مشيا", "fr": "À pied"}],
        ),
        (
            "multiple",
            False,
            [{"ar": "صباحا", "fr": "Matin"}, {"ar": "مساء", "fr": "Soir"}],
        ),
        ("scale", True, []),
        ("text", False, []),
    ]
    for position, (kind, required, options) in enumerate(questions):
        survey.questions.append(
            SurveyQuestion(
                position=position,
                kind=kind,
                required=required,
                text_ar=f"سؤال {position + 1}",
                text_fr=f"Question {position + 1} ({kind})",
                options=options,
            )
        )
    db.session.add(survey)
    db.session.flush()
    return survey


def setup_survey(commune, **kw) -> dict:
    _admin, secret = create_staff(commune["id"], "amina", ["admin"])
    survey = create_survey(commune["id"], **kw)
    return {
        "secret": secret,
        "survey_id": survey.id,
        "questions": [q.id for q in survey.questions],
    }
