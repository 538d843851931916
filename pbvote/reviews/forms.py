from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Choice,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from pbvote.core.forms import MadField
from pbvote.proposals.forms import STATUS_LABELS, optional_int
from pbvote.proposals.models import DECISIONS

TOO_LONG = _l("At most %(max)d characters.")


def yes_no(value):
    return {"yes": True, "no": False, True: True, False: False}.get(value)


class YesNoField(RadioField):
    def __init__(self, label, **kwargs):
        super().__init__(
            label,
            choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
            coerce=yes_no,
            validate_choice=False,
            **kwargs,
        )
        self.type = "RadioField"  # the shared field macro draws it as a fieldset

    def _value(self):
        return {True: "yes", False: "no"}.get(self.data, "")

    def iter_choices(self):
        current = self._value()
        for choice in self.choices:
            yield Choice(choice.value, choice.label, choice.value == current, {})


class ReviewForm(FlaskForm):
    competent = YesNoField(_l("Within the commune's competence?"))
    technical_ok = YesNoField(_l("Technically feasible?"))
    legal_ok = YesNoField(_l("Legally feasible?"))
    official_cost = MadField(
        _l("Official cost estimate (MAD)"), validators=[Optional()]
    )
    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice(d, STATUS_LABELS[d]) for d in DECISIONS],
        validate_choice=False,
    )
    merged_into_id = SelectField(
        _l("Merged into (for duplicates)"), coerce=optional_int, validate_choice=False
    )
    answer = TextAreaField(
        _l("Answer to the author (published)"),
        validators=[Length(max=5000, message=TOO_LONG)],
        render_kw={"rows": 6},
    )
    reasons = TextAreaField(
        _l("Reasons (required when not feasible or feasible with changes)"),
        validators=[Length(max=5000, message=TOO_LONG)],
        render_kw={"rows": 5},
    )
    project_title_ar = StringField(
        _l("Project title in Arabic (for the ballot)"),
        validators=[Length(max=200, message=TOO_LONG)],
    )
    project_title_fr = StringField(
        _l("Project title in French (for the ballot)"),
        validators=[Length(max=200, message=TOO_LONG)],
    )


class AssignForm(FlaskForm):
    body_id = SelectField(
        _l("Advisory body"), coerce=optional_int, validate_choice=False
    )


class MemberForm(FlaskForm):
    user_id = SelectField(_l("Reviewer"), coerce=optional_int, validate_choice=False)
    resident_phone = StringField(
        _l("Their own mobile number as a resident (optional)"),
        validators=[Length(max=30)],
    )


class RuleForm(FlaskForm):
    category_id = SelectField(
        _l("Category"), coerce=optional_int, validate_choice=False
    )
    district_id = SelectField(
        _l("District"), coerce=optional_int, validate_choice=False
    )
