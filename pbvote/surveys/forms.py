from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from pbvote.core.forms import LocalTimeField, choices_of

TOO_LONG = _l("At most %(max)d characters.")
KIND_LABELS = {
    "single": _l("One choice"),
    "multiple": _l("Several choices"),
    "scale": _l("Scale from 1 to 5"),
    "text": _l("Free text"),
}
AUDIENCE_LABELS = {
    "residents": _l("Verified residents only (signed in by SMS)"),
    "everyone": _l("Everyone, also without signing in"),
}


class SurveyForm(FlaskForm):
    title_ar = StringField(_l("Title (Arabic)"), [Length(max=200, message=TOO_LONG)])
    title_fr = StringField(_l("Title (French)"), [Length(max=200, message=TOO_LONG)])
    intro_ar = TextAreaField(
        _l("Introduction (Arabic)"), [Length(max=5000, message=TOO_LONG)]
    )
    intro_fr = TextAreaField(
        _l("Introduction (French)"), [Length(max=5000, message=TOO_LONG)]
    )
    audience = RadioField(
        _l("Who may answer"), choices=choices_of(AUDIENCE_LABELS), default="residents"
    )
    opens_at = LocalTimeField(_l("Opens (Ouazzane time)"), validators=[Optional()])
    closes_at = LocalTimeField(_l("Closes (Ouazzane time)"), validators=[Optional()])


class QuestionForm(FlaskForm):
    kind = SelectField(_l("Kind of question"), choices=choices_of(KIND_LABELS))
    text_ar = StringField(_l("Question (Arabic)"), [Length(max=500, message=TOO_LONG)])
    text_fr = StringField(_l("Question (French)"), [Length(max=500, message=TOO_LONG)])
    required = BooleanField(_l("An answer is required"))
    options = TextAreaField(
        _l("Choices, one per line: Arabic | French"),
        [Length(max=5000, message=TOO_LONG)],
    )


def parse_options(text: str) -> list[dict]:
    """``نعم | Oui`` lines into ``[{"ar": "نعم", "fr": "Oui"}]``; a line without the
    bar gives an empty French text, which the service then refuses."""
    options = []
    for line in (text or "").splitlines():
        if line.strip():
            ar, _bar, fr = line.partition("|")
            options.append({"ar": ar.strip(), "fr": fr.strip()})
    return options


def read_answers(survey, formdata) -> dict[int, list[str]]:
    """The raw values sent for each question (fields ``q-<id>``)."""
    return {q.id: formdata.getlist(f"q-{q.id}") for q in survey.questions}
