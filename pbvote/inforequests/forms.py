from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from pbvote.core.forms import choices_of
from pbvote.voting.registry import CIN_RE, normalise_cin

STATUS_LABELS = {
    "received": _l("Being prepared"),
    "extended": _l("Deadline extended"),
    "overdue": _l("Late"),
    "answered": _l("Answered"),
    "refused": _l("Refused"),
}
CHANNEL_LABELS = {
    "online": _l("Online"),
    "in_person": _l("In person, against a receipt"),
    "post": _l("By post"),
    "email": _l("By e-mail"),
}
GROUND_LABELS = {
    "not_held": _l("The commune does not hold this information"),
    "exception": _l("Covered by a legal exception (art. 7)"),
    "published": _l("Already published"),
    "repeated": _l("Same request by the same person within the year"),
    "unclear": _l("The request is not clear enough"),
    "in_preparation": _l("The document is still being prepared"),
    "archives": _l("Held by the national archives"),
}


def _cin(form, field) -> None:
    field.data = normalise_cin(field.data or "")
    if not CIN_RE.match(field.data):
        raise ValidationError(
            _l("Give the national ID card number: one or two letters then digits.")
        )


class RequestForm(FlaskForm):
    name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Give your name.")), Length(max=120)],
    )
    address = StringField(
        _l("Postal address"),
        validators=[
            DataRequired(_l("Give your postal address.")),
            Length(max=300),
        ],
    )
    cin = StringField(
        _l("National ID card number"),
        validators=[DataRequired(_l("Give your ID card number.")), _cin],
    )
    email = StringField(
        _l("E-mail address"),
        validators=[
            Optional(),
            # The mail server is the real check; this catches typing slips.
            Regexp(
                r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                message=_l("This is not an e-mail address."),
            ),
            Length(max=200),
        ],
    )
    phone = StringField(_l("Mobile number"), validators=[Length(max=30)])
    subject = TextAreaField(
        _l("The information you want"),
        validators=[
            DataRequired(_l("Say which information you want.")),
            Length(min=10, max=5000),
        ],
    )
    urgent = BooleanField(
        _l("Urgent: a person's life, safety or freedom depends on it")
    )


class ClerkRequestForm(RequestForm):
    channel = SelectField(
        _l("Received"),
        choices=[
            SelectChoice(k, v) for k, v in CHANNEL_LABELS.items() if k != "online"
        ],
    )


class ExtendForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the extension (published)"),
        validators=[Length(max=2000)],
    )


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer (published)"), validators=[Length(max=20_000)])
    documents = MultipleFileField(_l("Documents (PDF, JPEG or PNG)"))


class RefuseForm(FlaskForm):
    ground = SelectField(
        _l("Legal ground"),
        choices=choices_of(GROUND_LABELS, blank=_l("Choose…")),
    )
    explanation = TextAreaField(
        _l("Explanation (published)"), validators=[Length(max=5000)]
    )
