"""Languages: Arabic first (right to left), French and English, then every
catalogue found under ``pbvote/translations/``.

Adding a language (Standard Moroccan Tamazight in Tifinagh, ``zgh``) is adding its
catalogue, ``pbvote/translations/zgh/LC_MESSAGES/messages.po``: its name in its
own script, its direction and its number formats come from Babel (see
docs/accessibility.md).
"""

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale, dates, lists, numbers
from flask import current_app, g, request
from flask_babel import format_date, format_time, get_locale, get_translations
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


def select_locale() -> Locale:
    """The one locale selector: the visitor's cookie, else the configured default
    (Arabic; the test suite reads English unless a test chooses otherwise)."""
    code = request.cookies.get(COOKIE_NAME) if request else None
    default = current_app.config.get("DEFAULT_LANGUAGE", DEFAULT_LANGUAGE)
    return _locale(LANGUAGES.get(code, LANGUAGES[default]).babel_locale)


@cache
def _locale(identifier: str) -> Locale:
    """One Babel Locale per language and process, which Flask-Babel takes as it is:
    parsing the name and loading the locale's data again for each request was a
    fiftieth of a small page (issue 13)."""
    return Locale.parse(identifier)


def current_language() -> Language:
    """The language of the request's locale (pages ask several times each)."""
    return _kept_per_locale(_KEPT_LANGUAGE, _language_of_locale)


def _language_of_locale() -> Language:
    locale = get_locale()
    for language in LANGUAGES.values():  # the selector's own locale objects
        if _locale(language.babel_locale) is locale:
            return language
    name = str(locale or LANGUAGES[DEFAULT_LANGUAGE].babel_locale)
    for language in LANGUAGES.values():
        if language.babel_locale == name:
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
    return _money_parts((LANGUAGES.get(code) or current_language()).code)


@lru_cache(maxsize=8)
def _money_parts(code: str) -> tuple[str, str, str]:
    locale = Locale.parse(LANGUAGES[code].babel_locale)
    word = CURRENCY_WORDS.get(code, "MAD")
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
    return _format_mad(
        amount, centimes, (LANGUAGES.get(language) or current_language()).code
    )


# Babel parses its pattern and locale on every call: a ballot page formats the
# same few amounts again and again (issue 13: 13 % of the page's time).
@lru_cache(maxsize=4096)
def _format_mad(amount, centimes: bool, code: str) -> str:
    pattern = "#,##0.00" if centimes else "#,##0"
    number = numbers.format_decimal(
        amount, format=pattern, locale=LANGUAGES[code].babel_locale
    )
    return _money_parts(code)[0].replace("{n}", number)


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


def format_list(items) -> str:
    """Items joined as the reader's language joins a list ("a, b et c",
    "أ، ب و ج"): never a Latin comma in Arabic."""
    return lists.format_list([str(item) for item in items], locale=get_locale())


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
    """A moment in the commune's time zone: its day in ``style`` and its time to
    the minute (Babel's medium and long times show seconds, which no resident
    needs and a screen reader reads out), joined as the reader's language joins
    them."""
    if value is None:
        return ""
    local = value.astimezone(commune_zone())
    locale = get_locale()
    joined = dates.get_datetime_format(style, locale=locale).replace("'", "")
    return joined.replace("{0}", format_time(local, "short", rebase=False)).replace(
        "{1}", format_date(local, style, rebase=False)
    )


def format_clock(value: datetime | None) -> str:
    """The time of day of a moment in the commune's time zone, to the minute."""
    if value is None:
        return ""
    return format_time(value.astimezone(commune_zone()), "short", rebase=False)


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


def localized_text(obj, field: str) -> Markup:
    """``localized`` for a page's content: when the text shown is in the other
    language (its own version is missing), it is marked with that language and
    isolated (``<bdi lang="fr">``), so a screen reader reads it with the right
    voice and an Arabic line does not reorder it. Not for attributes or titles."""
    text = localized(obj, field)
    page = current_language().code
    if not text or getattr(obj, f"{field}_{page}", None):
        return Markup("%s") % text
    shown = "fr" if getattr(obj, f"{field}_fr", None) == text else "ar"
    return Markup('<bdi lang="%s">%s</bdi>') % (shown, text)


def _per_request(function):
    """A filter Jinja may not evaluate at compile time: ``{{ 0|mad }}`` would
    otherwise be folded into the template in the first visitor's language."""

    @pass_context
    def filter_(_context, *args, **kwargs):
        return function(*args, **kwargs)

    return filter_


# Templates call gettext dozens of times a page. Flask-Babel's callables find the
# translations again on each call (five look-ups of the request's globals and the
# locale's name) and Jinja wraps them in two more calls: about a fifth of a voting
# page's rendering (issue 13). These do what Jinja's newstyle gettext does
# (translate, mark safe when autoescaping, always format with ``%``) with the
# translations kept for the locale the request currently uses; force_locale and
# Flask-Babel's refresh change that locale object, and so the translations.
_KEPT = "pbvote_translations"
_KEPT_LANGUAGE = "pbvote_language"


def _kept_per_locale(name: str, find):
    """``find()``, kept on Flask-Babel's state of the request for as long as the
    request uses the same locale object."""
    try:
        state = _babel_state()
        locale, kept = getattr(state, name)
        if locale is state.babel_locale and locale is not None:
            return kept
    except (AttributeError, RuntimeError):  # not yet looked up, or no app context
        pass
    found = find()
    try:
        state = _babel_state()
        setattr(state, name, (state.babel_locale, found))
    except (AttributeError, RuntimeError):
        pass
    return found


def _babel_state():
    """Flask-Babel's state of the request, ``g._flask_babel``, with one call to
    the proxy rather than its attribute look-up (a dozen times a page)."""
    return g._get_current_object()._flask_babel


def current_translations():
    """Flask-Babel's translations for the current locale, found once per locale
    object of the request."""
    return _kept_per_locale(_KEPT, get_translations)


# A page's constant strings ({{ _("Home") }}), once escaped, per catalogue.
_SAFE_CONSTANTS = "_pbvote_safe_constants"


@pass_context
def template_gettext(context, string: str, /, **variables):
    translations = current_translations()
    if not context.eval_ctx.autoescape:
        return translations.ugettext(string) % variables
    if variables:
        return Markup(translations.ugettext(string)) % variables
    constants = translations.__dict__.setdefault(_SAFE_CONSTANTS, {})
    safe = constants.get(string)
    if safe is None:
        safe = constants[string] = Markup(translations.ugettext(string)) % {}
    return safe


@pass_context
def template_ngettext(context, singular: str, plural: str, num, /, **variables):
    variables.setdefault("num", num)
    text = current_translations().ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


def register_template_helpers(app) -> None:
    discover_languages(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    # After Flask-Babel's init_app, which installed its own.
    app.jinja_env.globals.update(
        _=template_gettext, gettext=template_gettext, ngettext=template_ngettext
    )
    app.jinja_env.filters.update(
        mad=_per_request(format_mad),
        number=_per_request(format_number),
        percent=_per_request(format_percent),
        day=_per_request(format_day),
        moment=_per_request(format_moment),
        as_list=_per_request(format_list),
        clock=_per_request(format_clock),
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
        localized_text=localized_text,
        money_parts=money_parts,
        money_html=money_html,
        ltr=ltr,
        nav_items=nav_items,
        staff_links=staff_links,
    )
