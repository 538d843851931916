from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from pbvote.core.forms import choices_of

CATEGORY_LABELS = {
    "roads": _l("Roads and pavements"),
    "lighting": _l("Street lighting"),
    "cleanliness": _l("Cleanliness and waste"),
    "water": _l("Water and sanitation"),
    "green": _l("Parks and green spaces"),
    "markets": _l("Markets and shops"),
    "accessibility": _l("Accessibility"),
    "noise": _l("Noise and nuisance"),
    "other": _l("Other"),
}
SERVICE_LABELS = {
    "works": _l("Works and roads service"),
    "hygiene": _l("Hygiene office"),
    "environment": _l("Environment and parks service"),
    "economic": _l("Economic affairs service"),
    "urbanism": _l("Urban planning service"),
    "citizen_office": _l("Citizen office"),
}
STATUS_LABELS = {
    "submitted": _l("Received"),
    "routed": _l("With the service"),
    "answered": _l("Answered"),
    "closed": _l("Closed"),
    "overdue": _l("Late"),
}


class ComplaintForm(FlaskForm):
    category = SelectField(
        _l("What is it about?"),
        choices=choices_of(CATEGORY_LABELS, blank=_l("Choose…")),
    )
    district_id = SelectField(_l("District"), coerce=int)
    description = TextAreaField(
        _l("Describe the problem and where it is"),
        validators=[
            DataRequired(_l("Describe the problem.")),
            Length(min=10, max=5000),
        ],
    )
    photo = FileField(_l("Photo (optional)"))


class RouteForm(FlaskForm):
    service = SelectField(
        _l("Service"), choices=choices_of(SERVICE_LABELS, blank=_l("Choose…"))
    )


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer (published)"), validators=[Length(max=10_000)])


class RateForm(FlaskForm):
    rating = RadioField(
        _l("How satisfied are you with the answer?"),
        choices=[SelectChoice(str(n), f"{n} " + "★" * n) for n in range(5, 0, -1)],
        validators=[InputRequired(_l("Choose a rating from 1 to 5."))],
    )
    comment = TextAreaField(
        _l("Comment for the commune (not published)"),
        validators=[Length(max=2000)],
    )
