"""Notification forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, RadioField, SelectChoice


class PreferenceForm(FlaskForm):
    by_sms = BooleanField(_l("Also tell me by SMS (at most one a day)"))
    language = RadioField(
        _l("Language of my SMS"),
        choices=[
            SelectChoice("ar", "العربية", render_kw={"lang": "ar"}),
            SelectChoice("fr", "Français", render_kw={"lang": "fr"}),
        ],
        default="ar",
    )
    by_email = BooleanField(_l("Also tell me by e-mail (at most one a day)"))
    # Checked by services.normalised_address (a clear message, never a 500).
    email = EmailField(_l("My e-mail address (optional)"))


class FollowForm(FlaskForm):
    """Follow or unfollow; ``next`` brings the resident back where they were."""

    next = HiddenField()
