from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from pbvote.associations.models import FIELDS

FIELD_LABELS = {
    "social": _l("Social action"),
    "culture": _l("Culture and arts"),
    "sports": _l("Sports"),
    "environment": _l("Environment"),
    "education": _l("Education and literacy"),
    "health": _l("Health"),
    "disability": _l("Persons with disabilities"),
    "women": _l("Women's rights"),
    "youth": _l("Youth and childhood"),
    "neighbourhood": _l("Neighbourhood life"),
    "economy": _l("Local economy"),
    "other": _l("Other"),
}


class AssociationForm(FlaskForm):
    name_ar = StringField(
        _l("Name in Arabic"),
        validators=[
            Optional(),
            Length(max=200, message=_l("At most %(max)d characters.")),
        ],
    )
    name_fr = StringField(
        _l("Name in French"),
        validators=[
            Optional(),
            Length(max=200, message=_l("At most %(max)d characters.")),
        ],
    )
    registration_number = StringField(
        _l("Registration number (receipt of the declaration)"),
        validators=[
            DataRequired(_l("Enter the registration number.")),
            Length(
                min=3, max=60, message=_l("Between %(min)d and %(max)d characters.")
            ),
        ],
    )
    seat_address = StringField(
        _l("Seat in the commune (address)"),
        validators=[
            DataRequired(_l("Enter the address of the association's seat.")),
            Length(max=300, message=_l("At most %(max)d characters.")),
        ],
    )
    founded_on = DateField(
        _l("Founding date"),
        validators=[DataRequired(_l("Enter the founding date, e.g. 2015-03-21."))],
    )
    field = SelectField(
        _l("Field of activity"),
        choices=[SelectChoice(key, FIELD_LABELS[key]) for key in FIELDS],
    )


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (shown to the representative)"),
        validators=[
            DataRequired(_l("Explain why the registration is refused.")),
            Length(max=500, message=_l("At most %(max)d characters.")),
        ],
    )
