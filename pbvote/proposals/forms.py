from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    FloatField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from pbvote.core.forms import CheckboxesField, MadField, choices_of
from pbvote.proposals.models import BENEFICIARIES

BENEFICIARY_LABELS = {
    "women": _l("Women and girls"),
    "children": _l("Children"),
    "youth": _l("Youth"),
    "elderly": _l("Elderly people"),
    "disabilities": _l("Persons with disabilities"),
    "everyone": _l("Everyone"),
}
STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted, waiting for review"),
    "withdrawn": _l("Withdrawn by its author"),
    "feasible": _l("Feasible"),
    "feasible_with_changes": _l("Feasible with changes"),
    "not_feasible": _l("Not feasible"),
    "merged": _l("Merged into another proposal"),
}
SORT_LABELS = {
    "newest": _l("Newest"),
    "supported": _l("Most supported"),
    "cost_asc": _l("Lowest cost"),
    "cost_desc": _l("Highest cost"),
}
TOO_LONG = _l("At most %(max)d characters.")


def optional_int(value):
    """Select values: a number, or None for "" and anything else (the service then
    explains which choice is missing)."""
    if isinstance(value, int):
        return value
    value = str(value or "").strip()
    return int(value) if value.isdigit() else None


class CoordinateField(FloatField):
    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [valuelist[0].strip().replace(",", ".")]
        if not valuelist or not valuelist[0]:
            self.data = None
            return
        try:
            self.data = float(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(
                _l("Enter a number with a dot, e.g. 34.7971, or leave it empty.")
            ) from None


class ProposalForm(FlaskForm):
    association_id = SelectField(
        _l("Submitted by"), coerce=optional_int, validate_choice=False
    )
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(_l("Give your proposal a title.")),
            Length(
                min=5,
                max=150,
                message=_l("The title needs between %(min)d and %(max)d characters."),
            ),
        ],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[
            DataRequired(_l("Describe your proposal.")),
            Length(
                min=30,
                max=10000,
                message=_l(
                    "The description needs between %(min)d and %(max)d characters."
                ),
            ),
        ],
        render_kw={"rows": 10},
    )
    scope_id = SelectField(_l("Where"), coerce=optional_int, validate_choice=False)
    category_id = SelectField(
        _l("Category"), coerce=optional_int, validate_choice=False
    )
    beneficiaries = CheckboxesField(
        _l("Who benefits"),
        choices=[SelectChoice(key, BENEFICIARY_LABELS[key]) for key in BENEFICIARIES],
        validate_choice=False,
    )
    location_text = StringField(
        _l("Place (address or landmark)"),
        validators=[Optional(), Length(max=300, message=TOO_LONG)],
    )
    latitude = CoordinateField(
        _l("Latitude (optional)"), render_kw={"inputmode": "decimal", "dir": "ltr"}
    )
    longitude = CoordinateField(
        _l("Longitude (optional)"), render_kw={"inputmode": "decimal", "dir": "ltr"}
    )
    estimated_cost = MadField(_l("Estimated cost (MAD)"))
    attachments = MultipleFileField(
        _l("Photos or documents (optional)"),
        render_kw={"accept": "image/jpeg,image/png,application/pdf"},
    )
    save_draft = SubmitField(_l("Save as draft"))
    submit = SubmitField(_l("Submit the proposal"))


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Your comment"),
        validators=[
            DataRequired(_l("Write your comment first.")),
            Length(max=2000, message=TOO_LONG),
        ],
        render_kw={"rows": 4},
    )
    # The comment this one answers, if any; checked by the service.
    parent_id = HiddenField()


class HideCommentForm(FlaskForm):
    reason = StringField(
        _l("Reason shown in place of the comment"),
        validators=[
            DataRequired(_l("Give the reason readers will see.")),
            Length(
                min=5, max=300, message=_l("Between %(min)d and %(max)d characters.")
            ),
        ],
    )


class FilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])
    district = SelectField(_l("District"), validate_choice=False)
    category = SelectField(_l("Category"), coerce=optional_int, validate_choice=False)
    beneficiary = SelectField(_l("Beneficiaries"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)
    sort = SelectField(
        _l("Sort by"), validate_choice=False, choices=choices_of(SORT_LABELS)
    )
