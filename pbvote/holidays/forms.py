from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from pbvote.core.forms import choices_of

KIND_LABELS = {"fixed": _l("Fixed date"), "islamic": _l("Islamic (lunar) calendar")}


class HolidayForm(FlaskForm):
    day = DateField(
        _l("Day"), validators=[DataRequired(_l("Give the day, e.g. 2027-03-10."))]
    )
    name_ar = StringField(
        _l("Name in Arabic"),
        validators=[DataRequired(_l("Give the name.")), Length(max=120)],
    )
    name_fr = StringField(
        _l("Name in French"),
        validators=[DataRequired(_l("Give the name.")), Length(max=120)],
    )
    kind = SelectField(_l("Kind"), choices=choices_of(KIND_LABELS))
    confirmed = BooleanField(_l("Date confirmed by the official announcement"))
