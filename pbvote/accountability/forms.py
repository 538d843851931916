"""Forms of the accountability domain."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
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

from pbvote.core.forms import MadField, YearField

DATE_FORMAT_MESSAGE = _l("Enter a date as YYYY-MM-DD.")


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class DateInput(DateField):
    """A date field with a clear message when the text is not a date."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(DATE_FORMAT_MESSAGE)


class UpdateForm(FlaskForm):
    subproject_id = SelectField(_l("About"), coerce=_int_or_none, validate_choice=True)
    status_key = SelectField(_l("Status"), validate_choice=True, default="")
    reason = TextAreaField(
        _l("Public reason (needed for delayed, suspended or cancelled)"),
        validators=[Length(max=2000)],
    )
    progress = IntegerField(
        _l("Progress (%)"),
        validators=[
            Optional(),
            NumberRange(
                min=0, max=100, message=_l("Progress must be between 0 and 100 %%.")
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )
    committed = MadField(_l("Committed so far (MAD)"), validators=[Optional()])
    spent = MadField(_l("Spent so far (MAD)"), validators=[Optional()])
    overspend_reason = TextAreaField(
        _l("Public reason for going over the allocated budget"),
        validators=[Length(max=2000)],
    )
    actual_start = DateInput(_l("Works actually started on"), validators=[Optional()])
    actual_end = DateInput(_l("Works actually ended on"), validators=[Optional()])
    body_ar = TextAreaField(_l("What happened (Arabic)"), validators=[Length(max=4000)])
    body_fr = TextAreaField(_l("What happened (French)"), validators=[Length(max=4000)])
    service = StringField(
        _l("Service publishing this update"), validators=[Length(max=160)]
    )
    files = MultipleFileField(_l("Photos (JPEG, PNG) and documents (PDF)"))


class DetailsForm(FlaskForm):
    responsible_service = StringField(
        _l("Responsible service"), validators=[Length(max=160)]
    )
    contractor = StringField(_l("Contractor"), validators=[Length(max=200)])
    procurement_ref = StringField(
        _l("Procurement reference"), validators=[Length(max=80)]
    )
    location = StringField(_l("Location"), validators=[Length(max=200)])
    planned_start = DateInput(_l("Planned start"), validators=[Optional()])
    planned_end = DateInput(_l("Planned end"), validators=[Optional()])


class MilestoneForm(FlaskForm):
    title_ar = StringField(_l("Milestone (Arabic)"), validators=[Length(max=200)])
    title_fr = StringField(_l("Milestone (French)"), validators=[Length(max=200)])
    planned_date = DateInput(_l("Planned date"), validators=[Optional()])


class MilestoneDoneForm(FlaskForm):
    done_date = DateInput(_l("Done on"), validators=[Optional()])


class SubProjectForm(FlaskForm):
    title_ar = StringField(_l("Sub-project (Arabic)"), validators=[Length(max=200)])
    title_fr = StringField(_l("Sub-project (French)"), validators=[Length(max=200)])
    cost = MadField(_l("Cost (MAD)"), validators=[InputRequired(_l("Enter the cost."))])


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file from the finance system"))


class FollowForm(FlaskForm):
    sms_opt_in = BooleanField(_l("Also send me a text message when it is updated"))


class QuestionForm(FlaskForm):
    body = TextAreaField(
        _l("Your question"),
        validators=[
            DataRequired(_l("Write your question.")),
            Length(
                min=10, max=1000, message=_l("Write between 10 and 1000 characters.")
            ),
        ],
    )


class AnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("Answer"),
        validators=[DataRequired(_l("Write the answer.")), Length(max=4000)],
    )
    service = StringField(_l("Answering service"), validators=[Length(max=160)])


class RatingForm(FlaskForm):
    score = RadioField(
        _l("How satisfied are you with this project?"),
        choices=[SelectChoice(str(n)) for n in range(1, 6)],
        validators=[InputRequired(_l("Choose a score from 1 to 5."))],
    )
    again = RadioField(
        _l("Would you take part in the participatory budget again?"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        validators=[InputRequired(_l("Say whether you would take part again."))],
    )


class ReportForm(FlaskForm):
    kind = SelectField(
        _l("Report"),
        choices=[
            SelectChoice("quarter", _l("Quarterly")),
            SelectChoice("year", _l("Annual")),
        ],
    )
    year = YearField()
    quarter = SelectField(
        _l("Quarter (quarterly reports)"),
        choices=[SelectChoice(str(n)) for n in range(1, 5)],
    )


class StatusForm(FlaskForm):
    label_ar = StringField(
        _l("Name in Arabic"),
        validators=[
            DataRequired(_l("Give the status a name in Arabic.")),
            Length(max=80),
        ],
    )
    label_fr = StringField(
        _l("Name in French"),
        validators=[
            DataRequired(_l("Give the status a name in French.")),
            Length(max=80),
        ],
    )
    label_en = StringField(_l("Name in English"), validators=[Length(max=80)])
    default_progress = IntegerField(
        _l("Progress it implies (%)"),
        validators=[
            Optional(),
            NumberRange(
                min=0, max=100, message=_l("Give a share between 0 and 100 %%.")
            ),
        ],
    )


class HideQuestionForm(FlaskForm):
    reason = StringField(
        _l("Public reason for hiding it"),
        validators=[
            DataRequired(_l("Say publicly why the question is hidden.")),
            Length(min=3, max=200, message=_l("Write between 3 and 200 characters.")),
        ],
    )
