"""Form pieces shared by domains."""

from collections.abc import Mapping

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectMultipleField,
    widgets,
)
from wtforms.validators import InputRequired, NumberRange

from pbvote.core.i18n import format_mad

WHEN = _l("Enter a date and time, e.g. 2026-05-14 18:00.")


class MadField(IntegerField):
    """Whole dirhams, zero or more; accepts spaces and commas as thousands marks."""

    def __init__(self, label=None, validators=None, maximum=10**12, **kwargs):
        validators = list(validators or []) + [
            NumberRange(
                min=0,
                max=maximum,
                # The maximum is formatted when the message is shown, in the
                # reader's language (the field is built at import time).
                message=_l(
                    "Enter an amount between 0 and %(max)s.",
                    max=LazyString(format_mad, maximum),
                ),
            )
        ]
        kwargs.setdefault("render_kw", {"inputmode": "numeric"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            cleaned = (
                valuelist[0].replace(" ", "").replace(",", "").replace("\u202f", "")
            )
            cleaned = cleaned.replace("\u00a0", "").replace(".", "")
            valuelist = [cleaned]
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a whole number of dirhams, e.g. 250000."))


class YearField(IntegerField):
    """A year from 2000 to 2100, required."""

    def __init__(self, label=None, **kwargs):
        label = _l("Year") if label is None else label
        message = _l("Enter a year between 2000 and 2100.")
        validators = [
            InputRequired(_l("Enter the year.")),
            NumberRange(min=2000, max=2100, message=message),
        ]
        super().__init__(label, validators, **kwargs)


def saved(form, save, refused: type[Exception], message) -> bool:
    """The usual form POST: when ``form`` validates, call ``save()``; on the
    domain's refusal (``refused``) roll back and show the reason on the form,
    otherwise commit and flash ``message``. True when saved (the view redirects)."""
    if not form.validate_on_submit():
        return False
    return committed(
        save, refused, message, shown=lambda error: form_error(form, error)
    )


def committed(save, refused: type[Exception], message, shown=None) -> bool:
    """Call ``save()`` and commit, flashing ``message``; on the domain's refusal
    (``refused``) roll back and show the reason (``shown``, by default a flash
    message). True when committed. For actions with no form fields of their own
    (a confirmation); :func:`saved` is this after a form's validation."""
    from flask import flash

    from pbvote.extensions import db

    try:
        save()
    except refused as error:
        db.session.rollback()
        (shown or (lambda error: flash(str(error), "error")))(error)
        return False
    db.session.commit()
    flash(message, "success")
    return True


def form_error(form, error) -> None:
    """Show a domain error under the field it names (``error.field``), else above
    the form as a flash message."""
    from flask import flash

    field = getattr(error, "field", None)
    target = getattr(form, field, None) if field else None
    if target is None:
        flash(str(error), "error")
    else:
        target.errors = list(target.errors) + [str(error)]


class LocalTimeField(DateTimeLocalField):
    """A date and time typed as the clock in Ouazzane shows it (naive: callers
    attach ``pbvote.core.time.commune_zone()``)."""

    def __init__(self, label, **kwargs):
        super().__init__(label, format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(WHEN)


class ConfirmForm(FlaskForm):
    """An empty form: a POST with a CSRF token, after a confirmation page."""


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def choices_of(labels: Mapping, blank=None) -> list[SelectChoice]:
    """The options of a select or radio field from a ``{value: label}`` mapping,
    in its order, after an empty first option labelled ``blank`` when given."""
    first = [SelectChoice("", blank)] if blank is not None else []
    return first + [SelectChoice(value, label) for value, label in labels.items()]
