from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional, Regexp

from pbvote.indicators.definitions import TITLES


class GenerateReportForm(FlaskForm):
    period = StringField(
        _l("Period (2026-Q3 or 2026)"),
        validators=[
            Regexp(r"^\d{4}(-Q[1-4])?$", message=_l("Write 2026-Q3 or 2026.")),
        ],
    )


class ReportTextsForm(FlaskForm):
    """One short text per indicator, shown under its figures in the report."""


for _key, _title in TITLES.items():
    setattr(
        ReportTextsForm,
        f"text_{_key}",
        TextAreaField(_title, validators=[Optional(), Length(max=2000)]),
    )
