"""The ballot pages' pieces that depend only on the ballot and the language,
rendered once per process (issue 13).

A district's ballot shows the same scopes and projects to every resident of the
district: each scope's legend, rule and help, and each project's picture, title,
cost, summary and audio guide are the same markup for all of them in a language.
Rendering them (Babel's money formatting, the rule's plural forms, ``url_for`` per
picture and guide) was most of the ballot page's template time. They are kept for
as long as the ballot itself (``PROCESS_CACHE_SECONDS``, emptied in this process
when a commit changes what they show). What a resident chose (the ticked boxes,
the gauges, the totals) and the CSRF field are rendered for each page: nothing
about a resident is kept.
"""

from flask import current_app, request
from flask_babel import gettext as _
from markupsafe import Markup, escape

from pbvote.core.i18n import current_language, format_mad
from pbvote.core.processcache import ProcessCache, cache_seconds
from pbvote.guides.models import AudioGuide
from pbvote.voting.rules import BALLOT_ROWS

# The rows a ballot's markup shows: its pieces (and a page kept whole,
# pbvote.voting.pages) are emptied by a commit that writes one of them.
MARKUP_ROWS = (*BALLOT_ROWS, AudioGuide)
_PIECES = ProcessCache("ballot-markup", MARKUP_ROWS)


def ballot_pieces(cycle_id: int, scope_ids) -> dict | None:
    """The kept pieces of the ballot made of ``scope_ids`` in the page's language
    (a dict filled as pieces are rendered), or None when nothing may be kept:
    caches off, or templates reloading."""
    if current_app.jinja_env.auto_reload or cache_seconds() <= 0:
        return None
    key = (cycle_id, tuple(scope_ids), current_language().code, request.script_root)
    return _PIECES.get(key, dict)


def piece(pieces: dict | None, key, render, *args) -> Markup:
    """``render(*args)`` (a macro), kept in ``pieces`` under ``key`` if it may be."""
    if pieces is None:
        return Markup(render(*args))
    markup = pieces.get(key)
    if markup is None:
        markup = pieces[key] = Markup(render(*args))
    return markup


# A scope's budget gauge: the share of ``amount`` that ``used`` takes, drawn as SVG
# (attributes, not inline styles: the CSP forbids those) with the same figures
# written out beside it. A resident's sum is on the review page and on a ballot
# kept to be changed, so it is rendered for each page; as a macro it was an eighth
# of the review page's Python calls (issue 13), as this format string far less.
_GAUGE = """<div class="gauge{over_class}" id="{gauge_id}" data-amount="{amount}">
    <svg class="gauge-bar" viewBox="0 0 100 10" preserveAspectRatio="none" \
aria-hidden="true" focusable="false">
      <rect class="gauge-track" x="0" y="0" width="100" height="10" rx="2"></rect>
      <rect class="gauge-fill" x="0" y="0" width="{share}" height="10" rx="2"></rect>
    </svg>
    <p class="gauge-text">
      <span class="gauge-used">{used_text}</span>
      <span class="gauge-left"{left_hidden}>{left_text}</span>
      <span class="gauge-over"{over_hidden}>{over_text}</span>
    </p>
  </div>"""
_HIDDEN = " hidden"
# The gauge's three sentences per language (the same for every resident), as
# trusted text: a catalogue's sentence is markup, as the templates' _() makes it.
_GAUGE_TEXTS: dict[str, tuple[str, str, str]] = {}


def _gauge_texts(code: str) -> tuple[str, str, str]:
    texts = _GAUGE_TEXTS.get(code)
    if texts is None:
        texts = _GAUGE_TEXTS[code] = (
            _("Chosen: %(used)s"),
            _("Left: %(left)s"),
            _("Over the budget by %(over)s"),
        )
    return texts


def gauge(used: int, amount: int, gauge_id: str) -> Markup:
    """The gauge of ``used`` out of ``amount`` in the page's language. Plain
    string formatting of escaped values (Markup's own ``%`` wraps and escapes
    each value again, most of the gauge's calls)."""
    code = current_language().code
    used_text, left_text, over_text = _gauge_texts(code)
    left = amount - used
    return Markup(
        _GAUGE.format(
            over_class=" is-over" if left < 0 else "",
            gauge_id=escape(gauge_id),
            amount=escape(amount),
            share=min(used * 100 // amount if amount else 0, 100),
            used_text=used_text % {"used": _money(used, code)},
            left_hidden=_HIDDEN if left < 0 else "",
            left_text=left_text % {"left": _money(max(left, 0), code)},
            over_hidden="" if left < 0 else _HIDDEN,
            over_text=over_text % {"over": _money(max(-left, 0), code)},
        )
    )


def _money(amount: int, code: str) -> str:
    """pbvote.core.i18n.money_html in the language ``code``, as text."""
    return f'<bdi class="money">{escape(format_mad(amount, language=code))}</bdi>'
