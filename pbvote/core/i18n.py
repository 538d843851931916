"""Languages: Arabic first (right to left), French and English, then every
catalogue found under ``pbvote/translations/``.

Adding a language (Standard Moroccan Tamazight in Tifinagh, ``zgh``) is adding its
catalogue, ``pbvote/translations/zgh/LC_MESSAGES/messages.po``: its name in its
own script, its direction and its number formats come from Babel (see
docs/accessibility.md).
"""

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from babel import Locale, numbers
from flask import current_app, request
from flask_babel import format_date, format_datetime, get_locale
from jinja2 import pass_context
from markupsafe import Markup

from pbvote.core.time import commune_zone, to_local_day


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


def _language_from_catalogue(code: str) -> Language:
    """What Babel knows of a language whose catalogue was added: its own name in
    its own script, its direction, and Moroccan formatting when Babel has it."""
    base = Locale.parse(code)
    try:
        formatting = str(Locale.parse(f"{code}_MA"))
    except (ValueError, LookupError):
        formatting = str(base)
    name = base.get_language_name(code) or code
    return Language(
        code,
        formatting,
        name[:1].upper() + name[1:],
        base.character_order == "right-to-left",
    )


def discover_languages(directories: str) -> None:
    """Add every catalogue found under ``directories`` (Flask-Babel's setting,
    separated by ";"), as ``<code>/LC_MESSAGES/messages.po`` (or ``.mo``), to
    LANGUAGES: a language is added without changing code."""
    paths = [Path(d) for d in directories.split(";") if d]
    found = sorted(p for d in paths for p in d.glob("*/LC_MESSAGES/messages.[pm]o"))
    for path in found:
        code = path.parent.parent.name
        if code not in LANGUAGES:
            try:
                LANGUAGES[code] = _language_from_catalogue(code)
            except (ValueError, LookupError):
                continue  # a folder Babel cannot name is not a language


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


# How each language names the dirham after an amount. Arabic writes the word: the
# CLDR symbol "د.م." ends with a stop, which doubles the full stop of a sentence
# ending with an amount, and a word is what a resident reads aloud.
CURRENCY_WORDS = {"ar": "درهم", "fr": "MAD", "en": "MAD"}


def money_parts(code: str | None = None) -> tuple[str, str, str]:
    """(pattern, grouping mark, decimal mark) of amounts in the reader's language
    (or in ``code``); the pattern holds ``{n}`` where the number goes, e.g.
    ``{n}\u00a0MAD``. The ballot's running total is built from these."""
    language = LANGUAGES.get(code) or current_language()
    locale = Locale.parse(language.babel_locale)
    word = CURRENCY_WORDS.get(language.code, "MAD")
    return (
        "{n}\u00a0" + word,
        numbers.get_group_symbol(locale),
        numbers.get_decimal_symbol(locale),
    )


def format_mad(amount, centimes: bool = False, language: str | None = None) -> str:
    """The one money formatter: whole dirhams (or to the centime) in the reader's
    language (or in ``language``, for documents built outside a request), the
    number first, e.g. ``1 600 000 MAD`` or ``1.600.000 درهم``."""
    if amount is None:
        return ""
    pattern = "#,##0.00" if centimes else "#,##0"
    locale = (LANGUAGES.get(language) or current_language()).babel_locale
    number = numbers.format_decimal(amount, format=pattern, locale=locale)
    return money_parts(language)[0].replace("{n}", number)


def money_html(amount, centimes: bool = False) -> Markup:
    """An amount for a page, isolated from the sentence around it (``<bdi>``) so
    that Arabic text never reorders its digits and word."""
    return Markup('<bdi class="money">%s</bdi>') % format_mad(amount, centimes)


def ltr(value) -> Markup:
    """A phone number, code or hash inside a sentence: isolated and left to right,
    so that an Arabic page does not reverse its groups."""
    return Markup('<bdi dir="ltr">%s</bdi>') % value


def format_number(value) -> str:
    return numbers.format_decimal(value, locale=str(get_locale()))


def format_percent(value: float) -> str:
    return numbers.format_percent(value, locale=str(get_locale()))


# Moments are shown in the commune's zone, converted here with zoneinfo: Flask-Babel's
# own rebasing goes through pytz, whose Africa/Casablanca is wrong after 2026.
def format_day(value: date | datetime | None, style: str = "medium") -> str:
    """A day; a moment is shown as its day in the commune's time zone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local_day(value)
    return format_date(value, style, rebase=False)


def format_moment(value: datetime | None, style: str = "medium") -> str:
    if value is None:
        return ""
    return format_datetime(value.astimezone(commune_zone()), style, rebase=False)


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


def _per_request(function):
    """A filter Jinja may not evaluate at compile time: ``{{ 0|mad }}`` would
    otherwise be folded into the template in the first visitor's language."""

    @pass_context
    def filter_(_context, *args, **kwargs):
        return function(*args, **kwargs)

    return filter_


def register_template_helpers(app) -> None:
    discover_languages(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    app.jinja_env.filters.update(
        mad=_per_request(format_mad),
        number=_per_request(format_number),
        percent=_per_request(format_percent),
        day=_per_request(format_day),
        moment=_per_request(format_moment),
    )
    from pbvote.core.labels import (
        action_label,
        email_purpose,
        sms_purpose,
        sms_status,
    )
    from pbvote.core.nav import nav_items, staff_links

    app.jinja_env.filters.update(
        action_label=action_label,
        sms_purpose=sms_purpose,
        sms_status=sms_status,
        email_purpose=email_purpose,
    )

    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES,
        current_language=current_language,
        localized=localized,
        money_parts=money_parts,
        money_html=money_html,
        ltr=ltr,
        nav_items=nav_items,
        staff_links=staff_links,
    )
