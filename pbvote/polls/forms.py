from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from pbvote.core.forms import LocalTimeField

TOO_LONG = _l("At most %(max)d characters.")
KIND_LABELS = {
    "yesno": _l("Yes or no"),
    "choice": _l("One option among several"),
}


class PollForm(FlaskForm):
    title_ar = StringField(_l("Title (Arabic)"), [Length(max=200, message=TOO_LONG)])
    title_fr = StringField(_l("Title (French)"), [Length(max=200, message=TOO_LONG)])
    intro_ar = TextAreaField(
        _l("Introduction (Arabic)"), [Length(max=5000, message=TOO_LONG)]
    )
    intro_fr = TextAreaField(
        _l("Introduction (French)"), [Length(max=5000, message=TOO_LONG)]
    )
    registry_cycle_id = SelectField(
        _l("Who may vote: the residents on the voter registry of"),
        coerce=int,
        validate_choice=False,  # the service says which registries are allowed
    )
    opens_at = LocalTimeField(_l("Opens (Ouazzane time)"), validators=[Optional()])
    closes_at = LocalTimeField(_l("Closes (Ouazzane time)"), validators=[Optional()])


class QuestionForm(FlaskForm):
    kind = SelectField(_l("Kind of question"), choices=list(KIND_LABELS.items()))
    text_ar = StringField(_l("Question (Arabic)"), [Length(max=500, message=TOO_LONG)])
    text_fr = StringField(_l("Question (French)"), [Length(max=500, message=TOO_LONG)])
    options = TextAreaField(
        _l("Options, one per line: Arabic | French"),
        [Length(max=5000, message=TOO_LONG)],
    )
