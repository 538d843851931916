"""Languages: Arabic first (right to left), French and English.

Adding a language (Amazigh in Tifinagh, ``zgh``) is adding its catalogue under
``pbvote/translations/`` and one entry in :data:`LANGUAGES`.
"""

from dataclasses import dataclass
from datetime import date, datetime

from babel import Locale, numbers
from flask import current_app, request
from flask_babel import format_date, format_datetime, get_locale


@dataclass(frozen=True)
class Language:
    code: str  # the catalogue and the html lang attribute
    babel_locale: str  # formatting: Moroccan conventions (Latin digits, MAD)
    native_name: str
    rtl: bool


LANGUAGES = {
    "ar": Language("ar", "ar_MA", "العربية", True),
    "fr": Language("fr", "fr_MA", "Français", False),
    "en": Language("en", "en", "English", False),
}
DEFAULT_LANGUAGE = "ar"
COOKIE_NAME = "lang"


def select_locale() -> str:
    """The one locale selector: the visitor's cookie, else the configured default
    (Arabic; the test suite reads English unless a test chooses otherwise)."""
    code = request.cookies.get(COOKIE_NAME) if request else None
    default = current_app.config.get("DEFAULT_LANGUAGE", DEFAULT_LANGUAGE)
    return LANGUAGES.get(code, LANGUAGES[default]).babel_locale


def current_language() -> Language:
    locale = str(get_locale() or LANGUAGES[DEFAULT_LANGUAGE].babel_locale)
    for language in LANGUAGES.values():
        if language.babel_locale == locale:
            return language
    return LANGUAGES[DEFAULT_LANGUAGE]


def format_mad(amount: int | None) -> str:
    """Whole dirhams in the reader's locale, e.g. ``1 234 567 MAD``."""
    if amount is None:
        return ""
    locale = Locale.parse(str(get_locale()))
    # The locale's own currency pattern, without the centimes we never use.
    pattern = locale.currency_formats["standard"].pattern.replace(".00", "")
    return numbers.format_currency(
        amount, "MAD", locale=locale, format=pattern, currency_digits=False
    )


def format_number(value) -> str:
    return numbers.format_decimal(value, locale=str(get_locale()))


def format_percent(value: float) -> str:
    return numbers.format_percent(value, locale=str(get_locale()))


def format_day(value: date | datetime | None, style: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_date(value.date(), style)
    return format_date(value, style)


def format_moment(value: datetime | None, style: str = "medium") -> str:
    return "" if value is None else format_datetime(value, style)


def format_local_moment(value: datetime | None, style: str = "medium") -> str:
    """A moment as the clock in Ouazzane shows it (meetings, survey periods)."""
    if value is None:
        return ""
    from zoneinfo import ZoneInfo

    from babel.dates import format_datetime as babel_datetime

    return babel_datetime(
        value, style, tzinfo=ZoneInfo("Africa/Casablanca"), locale=str(get_locale())
    )


def localized(obj, field: str) -> str:
    """Pick ``field_ar`` or ``field_fr`` for the reader; fall back to the other.

    English readers get the French text (the commune publishes in Arabic and
    French).
    """
    first = "ar" if current_language().code == "ar" else "fr"
    second = "fr" if first == "ar" else "ar"
    return (
        getattr(obj, f"{field}_{first}", None)
        or getattr(obj, f"{field}_{second}", "")
        or ""
    )


def register_template_helpers(app) -> None:
    app.jinja_env.filters.update(
        mad=format_mad,
        number=format_number,
        percent=format_percent,
        day=format_day,
        moment=format_moment,
        local_moment=format_local_moment,
    )
    from pbvote.core.nav import nav_items, staff_links

    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES,
        current_language=current_language,
        localized=localized,
        nav_items=nav_items,
        staff_links=staff_links,
    )
