from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError
from wtforms.widgets import TextInput

from pbvote.voting.registry import CIN_RE, normalise_cin

STATUS_LABELS = {
    "draft": _l("Draft"),
    "collecting": _l("Collecting signatures"),
    "filed": _l("Filed, waiting for the bureau's decision"),
    "admissible": _l("Admissible"),
    "not_admissible": _l("Not admissible"),
    "on_agenda": _l("On the council's agenda"),
    "decided": _l("Decided by the council"),
}
KIND_LABELS = {
    "citizens": _l("Citizens' petition"),
    "association": _l("Association's petition"),
}


def _cin(form, field) -> None:
    field.data = normalise_cin(field.data or "")
    if not CIN_RE.match(field.data):
        raise ValidationError(
            _l("Give the national ID card number: one or two letters then digits.")
        )


class PetitionForm(FlaskForm):
    association_id = SelectField(_l("Filed by"), coerce=int, default=0)
    agent_name = StringField(
        _l("Name of the petition's agent"),
        validators=[
            DataRequired(_l("Name the agent who follows the petition.")),
            Length(max=120),
        ],
    )
    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Give a title.")), Length(min=5, max=200)],
    )
    request = TextAreaField(
        _l("What the council should put on its agenda, and why"),
        validators=[
            DataRequired(_l("Describe the request.")),
            Length(min=20, max=10_000),
        ],
    )


class SignForm(FlaskForm):
    cin = StringField(
        _l("National ID card number"),
        validators=[DataRequired(_l("Give your ID card number.")), _cin],
    )
    # Typed as on the ID card (DD/MM/YYYY), like the voting form; a browser date
    # picker would make residents scroll back decades. ISO dates still pass.
    birth_date = DateField(
        _l("Date of birth"),
        format=["%d/%m/%Y", "%Y-%m-%d"],
        widget=TextInput(),
        validators=[
            DataRequired(
                _l("Enter the date of birth as on your ID card, e.g. 23/04/1990.")
            )
        ],
        render_kw={"inputmode": "numeric", "placeholder": _l("DD/MM/YYYY")},
    )


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision of the bureau"),
        choices=[
            SelectChoice("admissible", _l("Admissible")),
            SelectChoice("not_admissible", _l("Not admissible")),
        ],
        validators=[InputRequired(_l("Choose a decision."))],
    )
    reasons = TextAreaField(_l("Reasons (published)"), validators=[Length(max=5000)])


class AgendaForm(FlaskForm):
    session_on = DateField(
        _l("Day of the council session"),
        validators=[DataRequired(_l("Give the day, e.g. 2027-05-04."))],
    )


class OutcomeForm(FlaskForm):
    outcome = TextAreaField(
        _l("What the council decided (published)"),
        validators=[Length(max=5000)],
    )
