"""The ready-made satisfaction survey: the charter's satisfaction indicators
(overall satisfaction, satisfaction with the commune's answers, willingness to
participate again), asked the same way every year so the figures compare."""

from datetime import datetime

from sqlalchemy import select

from pbvote.audit.services import record_action
from pbvote.extensions import db
from pbvote.surveys.models import Survey, SurveyQuestion

SATISFACTION_KEY = "satisfaction"
SATISFACTION_QUESTIONS = (
    (
        "scale",
        True,
        "بشكل عام، ما مدى رضاك عن المشاركة المواطنة في وزان؟ (1 غير راض، 5 راض جدا)",
        (
            "Dans l'ensemble, êtes-vous satisfait de la participation citoyenne à "
            "Ouazzane ? (1 pas satisfait, 5 très satisfait)"
        ),
        [],
    ),
    (
        "scale",
        True,
        "ما مدى رضاك عن أجوبة الجماعة على مقترحات وأسئلة الساكنة؟",
        (
            "Êtes-vous satisfait des réponses de la commune aux propositions et "
            "questions des habitants ?"
        ),
        [],
    ),
    (
        "single",
        True,
        "هل ستشارك مرة أخرى؟",
        "Participeriez-vous à nouveau ?",
        [
            {"ar": "نعم", "fr": "Oui"},
            {"ar": "ربما", "fr": "Peut-être"},
            {"ar": "لا", "fr": "Non"},
        ],
    ),
    (
        "text",
        False,
        "ما الذي يجب تحسينه؟",
        "Que faudrait-il améliorer ?",
        [],
    ),
)


def ensure_satisfaction_survey(actor, commune_id: int, now: datetime) -> Survey:
    """The commune's satisfaction survey, created (closed, for verified residents)
    if missing. Idempotent; staff then set its period."""
    survey = db.session.scalar(
        select(Survey).where(
            Survey.commune_id == commune_id, Survey.key == SATISFACTION_KEY
        )
    )
    if survey is not None:
        return survey
    survey = Survey(
        commune_id=commune_id,
        key=SATISFACTION_KEY,
        title_ar="استبيان الرضا عن المشاركة",
        title_fr="Enquête de satisfaction sur la participation",
        intro_ar="أجوبتك تساعد الجماعة على قياس مؤشرات الميثاق وتحسين المشاركة.",
        intro_fr="Vos réponses aident la commune à mesurer les indicateurs de la "
        "charte et à améliorer la participation.",
        audience="residents",
        created_at_dt=now,
        created_by_id=getattr(actor, "id", None),
    )
    for position, (kind, required, text_ar, text_fr, options) in enumerate(
        SATISFACTION_QUESTIONS
    ):
        survey.questions.append(
            SurveyQuestion(
                position=position,
                kind=kind,
                required=required,
                text_ar=text_ar,
                text_fr=text_fr,
                options=options,
            )
        )
    db.session.add(survey)
    db.session.flush()  # the audit entry needs the id
    record_action(actor, "survey.ready_made", "survey", survey.id, now)
    return survey
