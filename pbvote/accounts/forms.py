from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
    SelectChoice,
    StringField,
)
from wtforms.validators import DataRequired, Length, Regexp

from pbvote.accounts.models import ROLES
from pbvote.core.forms import CheckboxesField

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "reviewer": _l("Advisory-body reviewer"),
    "finance": _l("Finance officer"),
    "clerk": _l("Citizen-office clerk"),
}


class PhoneForm(FlaskForm):
    phone = StringField(
        _l("Mobile number"),
        validators=[DataRequired(_l("Enter your mobile number.")), Length(max=30)],
        render_kw={"autocomplete": "tel", "inputmode": "tel", "dir": "ltr"},
    )


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code received by SMS"),
        validators=[DataRequired(_l("Enter the 6-digit code.")), Length(max=12)],
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "dir": "ltr",
        },
    )


class StaffLoginForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(_l("Enter your username.")), Length(max=64)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )


class TotpForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app"),
        validators=[DataRequired(_l("Enter the 6-digit code.")), Length(max=12)],
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "dir": "ltr",
        },
    )


class StaffUserForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(_l("Enter a username.")),
            Length(min=3, max=64),
            Regexp(
                r"^[a-zA-Z0-9._-]+$",
                message=_l("Use letters, digits, dots, dashes or underscores."),
            ),
        ],
    )
    display_name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Enter the person's name.")), Length(max=120)],
    )
    roles = CheckboxesField(
        _l("Roles"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES]
    )
    active = BooleanField(_l("Account active"), default=True)


class PasswordChangeForm(FlaskForm):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    new = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Enter a new password.")), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    repeated = PasswordField(
        _l("New password again"),
        validators=[DataRequired(_l("Enter the new password again.")), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )
