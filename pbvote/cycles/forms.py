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

from pbvote.core.forms import MadField, YearField, choices_of
from pbvote.cycles.labels import BALLOT_RULE_LABELS, PHASE_LABELS, TALLY_RULE_LABELS
from pbvote.cycles.models import PHASES

DATE_REQUIRED = _l("Enter a date.")


class CycleForm(FlaskForm):
    year = YearField()
    title_ar = StringField(
        _l("Title in Arabic"),
        validators=[DataRequired(_l("Enter a title in Arabic.")), Length(max=200)],
    )
    title_fr = StringField(
        _l("Title in French"),
        validators=[DataRequired(_l("Enter a title in French.")), Length(max=200)],
    )
    total_budget = MadField(
        _l("Total budget (MAD)"),
        validators=[InputRequired(_l("Enter the total budget."))],
    )
    ends_at = DateField(
        _l("Last day of the cycle"), validators=[DataRequired(DATE_REQUIRED)]
    )
    # Only needed when the running phase's dates change (cycles/schedule.py).
    change_reason = TextAreaField(
        _l("Public reason for changing the dates"),
        validators=[Optional(), Length(max=500)],
    )
    confirm_change = BooleanField(
        _l("I confirm the change of the running phase's dates")
    )


for _kind in PHASES:
    setattr(
        CycleForm,
        f"start_{_kind}",
        DateField(
            _l("Start of “%(phase)s”", phase=PHASE_LABELS[_kind]),
            validators=[DataRequired(DATE_REQUIRED)],
        ),
    )


class ScopeRulesForm(FlaskForm):
    ballot_rule = SelectField(_l("Ballot rule"), choices=choices_of(BALLOT_RULE_LABELS))
    max_projects = IntegerField(
        _l("Most projects a voter may choose"),
        validators=[Optional(), NumberRange(min=1, max=200)],
    )
    min_share_pct = IntegerField(
        _l("Minimum share of the budget (%)"),
        validators=[Optional(), NumberRange(min=1, max=100)],
    )
    tally_rule = SelectField(_l("Counting rule"), choices=choices_of(TALLY_RULE_LABELS))
    greedy_fill = BooleanField(_l("Fill left-over money with the most voted projects"))
    min_votes = IntegerField(
        _l("Minimum votes a project needs to be funded"),
        validators=[Optional(), NumberRange(min=1, max=10_000_000)],
    )
    min_vote_share_pct = IntegerField(
        _l("Minimum share of the ballots a project needs to be funded (%)"),
        validators=[Optional(), NumberRange(min=1, max=100)],
    )
