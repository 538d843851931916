"""The identity, code and ballot pages, kept whole per cycle and language
(issue 13).

A signed-out resident opening the identity page (GET /vote) or the code page
(GET /vote/code) sees the empty form: the page is the same for every resident of
the cycle in a language, except for their CSRF token, the masked phone number on
the code page and the page's address in the language links. So is the empty
ballot (GET /vote/ballot) for every resident of a district. Rendering it (the
layout, the steps, the form object and its fields) was most of these requests'
Python time. The page is rendered once with marks in those places, kept as long
as the cycle itself (``PROCESS_CACHE_SECONDS``, emptied in this process when a
commit changes the commune or the cycle, or for the ballot a row it shows), and
each request fills in its own values. The page is rendered for each request, as
before, whenever it shows anything else: a signed-in visitor's header, flashed
messages, a form with values or errors (a POST), or while templates reload or
caches are off. Nothing about a resident is ever kept.
"""

from collections.abc import Callable

from flask import current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from pbvote.communes.models import Commune
from pbvote.core import layout
from pbvote.core.i18n import current_language
from pbvote.core.processcache import ProcessCache, cache_seconds
from pbvote.cycles.models import Cycle, Phase
from pbvote.voting.markup import MARKUP_ROWS

# Stand for a request's own values while a page is rendered for every request:
# letters and hyphens, which HTML escaping leaves as they are.
CSRF_MARK = "pbvote-kept-page-csrf-token"
PHONE_MARK = "pbvote-kept-page-phone"

_PAGES = ProcessCache("voting-pages", (Commune, Cycle, Phase))
_BALLOT_PAGES = ProcessCache(
    "voting-ballot-pages", (Commune, Cycle, Phase, *MARKUP_ROWS)
)


def may_keep() -> bool:
    """May this request's page be the kept one? Only a plain GET by a signed-out
    visitor with no flashed message waiting, with caches on and templates not
    reloading (the rules of pbvote.core.layout and kept_field)."""
    return not (
        request.method != "GET"
        or current_app.jinja_env.auto_reload
        or cache_seconds() <= 0
        or session.get("_flashes")
        or current_user.is_authenticated
    )


def empty_form_page(
    page: str, cycle_id: int, render: Callable[[], str], phone: str | None = None
) -> str:
    """The kept ``page`` of the cycle (``render()`` builds it, with
    ``PHONE_MARK`` for the phone; its form's CSRF token is the mark), filled in
    with this request's CSRF token, ``phone`` and address."""
    key = (page, cycle_id, current_language().code, request.script_root)
    return _filled(_PAGES.get(key, lambda: _render_marked(render)), phone)


def empty_ballot_page(
    cycle_id: int, district_id: int, render: Callable[[], str]
) -> str:
    """The kept empty ballot of the district (``render()`` builds it; the
    template's ``csrf_token()`` gives the mark), filled in for this request."""
    key = (cycle_id, district_id, current_language().code, request.script_root)
    return _filled(_BALLOT_PAGES.get(key, lambda: _render_marked(render)), None)


def _filled(html: str, phone: str | None) -> str:
    html = html.replace(CSRF_MARK, escape(generate_csrf()))
    if phone is not None:
        html = html.replace(PHONE_MARK, escape(phone))
    # Last: the address is the visitor's to write, the other values are not.
    return layout.fill_address(html)


def _render_marked(render: Callable[[], str]) -> str:
    # Flask-WTF's csrf_token() gives the request's token kept in g: the mark,
    # while the page is rendered (nothing is written to the session).
    had_token, token = "csrf_token" in g, g.pop("csrf_token", None)
    g.csrf_token = CSRF_MARK
    try:
        with layout.address_left_marked():
            html = render()
    finally:
        g.pop("csrf_token")
        if had_token:
            g.csrf_token = token
    if CSRF_MARK not in html:  # a template that no longer shows the mark
        raise RuntimeError("a kept page must show its form's CSRF token mark")
    return html
