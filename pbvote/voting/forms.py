from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from markupsafe import Markup
from wtforms import BooleanField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from pbvote.core.forms import choices_of
from pbvote.core.i18n import current_language
from pbvote.voting.registry import parse_birth_date

AGE_BAND_LABELS = {
    "16-17": "16–17",
    "18-29": "18–29",
    "30-44": "30–44",
    "45-59": "45–59",
    "60+": "60+",
    "none": _l("I prefer not to say"),
}
GENDER_LABELS = {
    "woman": _l("Woman"),
    "man": _l("Man"),
    "none": _l("I prefer not to say"),
}
DISABILITY_LABELS = {
    "yes": _l("Yes"),
    "no": _l("No"),
    "none": _l("I prefer not to say"),
}


_KEPT_FIELDS = "pbvote_voting_kept_fields"


def kept_field(render, field, **options) -> Markup:
    """``render(field, **options)`` (the ``field`` macro of macros/forms.html),
    kept per language and process while the field is empty and without errors.

    An empty field's markup (label, input, hint) depends only on its form, the
    language and the options: rendering it (WTForms' widget, lazy label and
    placeholder translated on each call) was about a sixth of the identity and
    code pages' CPU (issue 13). A field holding a value or errors (a voter's) is
    rendered each time, as are all fields while templates reload."""
    app = current_app
    if app.jinja_env.auto_reload or field.errors or field.data or field.raw_data:
        return render(field, **options)
    kept = app.extensions.setdefault(_KEPT_FIELDS, {})
    key = (
        type(field._form),
        field.name,
        current_language().code,
        tuple(sorted((name, str(value)) for name, value in options.items())),
    )
    markup = kept.get(key)
    if markup is None:
        markup = kept[key] = Markup(render(field, **options))
    return markup


class BirthDateField(StringField):
    """A date typed as DD/MM/YYYY or YYYY-MM-DD; ``.day`` is the parsed date."""

    day = None

    def post_validate(self, form, validation_stopped):
        if not validation_stopped and self.data:
            self.day = parse_birth_date(self.data)
            if self.day is None:
                self.errors.append(
                    _l("Enter the date of birth as on your ID card, e.g. 23/04/1990.")
                )


def _not_blank_id(form, field):
    if not "".join((field.data or "").split()):
        raise ValidationError(_l("Enter your national ID card number."))


class IdentityFields:
    cin = StringField(
        _l("National ID card number (CIN)"),
        validators=[
            DataRequired(_l("Enter your national ID card number.")),
            Length(max=20),
            _not_blank_id,
        ],
        render_kw={
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
        },
    )
    birth_date = BirthDateField(
        _l("Date of birth"),
        validators=[DataRequired(_l("Enter your date of birth.")), Length(max=20)],
        render_kw={
            "autocomplete": "bday",
            "inputmode": "numeric",
            "placeholder": _l("DD/MM/YYYY"),  # JJ/MM/AAAA, ي ي/ش ش/س س س س
        },
    )


class VerifyForm(IdentityFields, FlaskForm):
    phone = StringField(
        _l("Mobile number"),
        validators=[DataRequired(_l("Enter your mobile number.")), Length(max=30)],
        render_kw={"autocomplete": "tel", "inputmode": "tel", "dir": "ltr"},
    )


class VoteCodeForm(FlaskForm):
    code = StringField(
        _l("Code received by SMS"),
        validators=[DataRequired(_l("Enter the 6-digit code.")), Length(max=12)],
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "dir": "ltr",
        },
    )


class ClerkLookupForm(IdentityFields, FlaskForm):
    id_checked = BooleanField(
        _l("I have checked the resident's ID card in person and the photo matches"),
        validators=[DataRequired(_l("Check the ID card in person and tick this box."))],
    )


class KioskCodeForm(FlaskForm):
    code = StringField(
        _l("Kiosk code given by the clerk"),
        validators=[DataRequired(_l("Enter the 8-digit code.")), Length(max=20)],
        render_kw={"autocomplete": "off", "inputmode": "numeric", "dir": "ltr"},
    )


class RegistryImportForm(FlaskForm):
    file = FileField(_l("CSV file"), render_kw={"accept": ".csv,text/csv"})

    def validate_file(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError(_l("Choose a CSV file to upload."))


class ProfileForm(FlaskForm):
    consent = BooleanField(
        _l(
            "I agree that these answers are kept, apart from my "
            "vote and without my name, to measure who takes part."
        )
    )
    age_band = RadioField(
        _l("Age"), choices=choices_of(AGE_BAND_LABELS), default="none"
    )
    gender = RadioField(_l("Gender"), choices=choices_of(GENDER_LABELS), default="none")
    disability = RadioField(
        _l("Do you live with a disability?"),
        choices=choices_of(DISABILITY_LABELS),
        default="none",
    )


def _note_field():
    return StringField(
        _l("What happened (optional)"),
        validators=[Length(max=1000, message=_l("Keep it under 1000 characters."))],
    )


class VoteTakenReportForm(FlaskForm):
    note = _note_field()


class MissingReceiptForm(FlaskForm):
    receipt = StringField(
        _l("Receipt code"),
        validators=[DataRequired(_l("Type your receipt code.")), Length(max=100)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    note = _note_field()


class OfficeReportForm(FlaskForm):
    kind = RadioField(
        _l("Report"),
        choices=[
            SelectChoice("vote_taken", _l("Vote already taken in the resident's name")),
            SelectChoice("receipt_missing", _l("Receipt not found in the ballot box")),
        ],
        validators=[DataRequired(_l("Choose what is reported."))],
    )
    cin = StringField(_l("National ID card number (CIN)"), validators=[Length(max=20)])
    birth_date = BirthDateField(_l("Date of birth"), validators=[Length(max=20)])
    receipt = StringField(_l("Receipt code"), validators=[Length(max=100)])
    note = _note_field()
