from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import Length

TOO_LONG = _l("At most %(max)d characters.")


class OpinionForm(FlaskForm):
    kind = RadioField(
        _l("Kind"),
        choices=[
            SelectChoice("opinion", _l("Opinion")),
            SelectChoice("recommendation", _l("Recommendation")),
        ],
        default="opinion",
    )
    title_ar = StringField(_l("Title (Arabic)"), [Length(max=200, message=TOO_LONG)])
    title_fr = StringField(_l("Title (French)"), [Length(max=200, message=TOO_LONG)])
    text_ar = TextAreaField(_l("Text (Arabic)"), [Length(max=20000, message=TOO_LONG)])
    text_fr = TextAreaField(_l("Text (French)"), [Length(max=20000, message=TOO_LONG)])
