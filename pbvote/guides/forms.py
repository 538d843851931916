from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField
from wtforms.validators import NumberRange, Optional

from pbvote.core.forms import choices_of
from pbvote.guides.models import GUIDE_LANGUAGES


class AudioGuideForm(FlaskForm):
    language = SelectField(_l("Language spoken"), choices=choices_of(GUIDE_LANGUAGES))
    project_id = IntegerField(
        _l("Project number (leave empty for the whole ballot)"),
        validators=[Optional(), NumberRange(min=1, max=2**31 - 1)],
    )
    recording = FileField(
        _l("Recording (MP3, Ogg, M4A or WebM)"),
        validators=[FileRequired(_l("Choose the recording to upload."))],
        render_kw={"accept": "audio/*"},
    )
