from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from pbvote.core.forms import WHEN, LocalTimeField, choices_of
from pbvote.proposals.forms import optional_int

TOO_LONG = _l("At most %(max)d characters.")
REQUIRED = _l("This is required.")

KIND_LABELS = {
    "consultative": _l("Consultative meeting"),
    "hearing": _l("Public hearing"),
    "accountability": _l("Accountability session"),
    "body": _l("Advisory body meeting"),
}
LANGUAGE_LABELS = {
    "ar": _l("Arabic"),
    "fr": _l("French"),
    "ar_fr": _l("Arabic and French"),
    "darija": _l("Moroccan Arabic (Darija)"),
    "zgh": _l("Amazigh"),
}
STATUS_LABELS = {
    "planned": _l("Planned"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "dropped": _l("Dropped"),
}


class MeetingForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices_of(KIND_LABELS))
    title = StringField(
        _l("Title"), [DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)]
    )
    agenda = TextAreaField(_l("Agenda"), [Length(max=20000, message=TOO_LONG)])
    starts_at = LocalTimeField(
        _l("Starts (Ouazzane time)"), validators=[DataRequired(WHEN)]
    )
    ends_at = LocalTimeField(
        _l("Ends (Ouazzane time)"), validators=[DataRequired(WHEN)]
    )
    place = StringField(_l("Place"), [Length(max=300, message=TOO_LONG)])
    online_url = StringField(_l("Online link"), [Length(max=500, message=TOO_LONG)])
    step_free = BooleanField(_l("Step-free access"))
    sign_language = BooleanField(_l("Sign language interpretation"))
    childcare = BooleanField(_l("Childcare on site"))
    language = SelectField(_l("Language"), choices=choices_of(LANGUAGE_LABELS))
    organiser = StringField(
        _l("Organised by"), [DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)]
    )
    capacity = IntegerField(
        _l("Places (empty: no limit)"),
        [
            Optional(),
            NumberRange(min=1, max=100000, message=_l("Between 1 and 100000.")),
        ],
    )
    body_id = SelectField(_l("Advisory body"), coerce=optional_int)


def _count(label):
    return IntegerField(
        label,
        [
            InputRequired(REQUIRED),
            NumberRange(min=0, max=100000, message=_l("Between 0 and 100000.")),
        ],
    )


class AttendanceForm(FlaskForm):
    total = _count(_l("People present"))
    women = _count(_l("Women"))
    men = _count(_l("Men"))
    under_18 = _count(_l("Under 18"))
    from_18_to_35 = _count(_l("18 to 35"))
    from_36_to_60 = _count(_l("36 to 60"))
    over_60 = _count(_l("Over 60"))
    with_disability = _count(_l("People with a disability"))


class MinutesForm(FlaskForm):
    minutes = TextAreaField(
        _l("Minutes"), [DataRequired(REQUIRED), Length(max=100000, message=TOO_LONG)]
    )


class CommitmentForm(FlaskForm):
    text = TextAreaField(
        _l("Decision or commitment"),
        [DataRequired(REQUIRED), Length(max=5000, message=TOO_LONG)],
    )
    responsible = StringField(_l("Who is responsible"), [Length(max=200)])
    due_on = DateField(_l("Due by"), [Optional()])


class CommitmentUpdateForm(FlaskForm):
    status = SelectField(_l("Status"), choices=choices_of(STATUS_LABELS))
    note = TextAreaField(_l("What changed"), [Length(max=5000, message=TOO_LONG)])
