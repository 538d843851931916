"""The identity and code pages, kept whole per cycle and language (issue 13).

A signed-out resident opening the identity page (GET /vote) or the code page
(GET /vote/code) sees the empty form: the page is the same for every resident of
the cycle in a language, except for their CSRF token, the masked phone number on
the code page and the page's address in the language links. Rendering it (the
layout, the steps, the form object and its fields) was most of these requests'
Python time. The page is rendered once with marks in those places, kept as long
as the cycle itself (``PROCESS_CACHE_SECONDS``, emptied in this process when a
commit changes the commune or the cycle), and each request fills in its own
values. The page is rendered for each request, as before, whenever it shows
anything else: a signed-in visitor's header, flashed messages, a form with
values or errors (a POST), or while templates reload or caches are off. Nothing
about a resident is ever kept.
"""

from collections.abc import Callable

from flask import current_app, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from pbvote.communes.models import Commune
from pbvote.core import layout
from pbvote.core.i18n import current_language
from pbvote.core.processcache import ProcessCache, cache_seconds
from pbvote.cycles.models import Cycle, Phase

# Stand for a request's own values while a page is rendered for every request:
# letters and hyphens, which HTML escaping leaves as they are.
CSRF_MARK = "pbvote-kept-page-csrf-token"
PHONE_MARK = "pbvote-kept-page-phone"

_PAGES = ProcessCache("voting-pages", (Commune, Cycle, Phase))


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


def marked(form):
    """``form`` with its CSRF token's place marked, to render a page to keep."""
    form.csrf_token.current_token = CSRF_MARK
    return form


def empty_form_page(
    page: str, cycle_id: int, render: Callable[[], str], phone: str | None = None
) -> str:
    """The kept ``page`` of the cycle (``render()`` builds it, with a
    :func:`marked` form and ``PHONE_MARK`` for the phone), filled in with this
    request's CSRF token, ``phone`` and address."""
    key = (page, cycle_id, current_language().code, request.script_root)
    html = _PAGES.get(key, lambda: _render_marked(render))
    html = html.replace(CSRF_MARK, escape(generate_csrf()))
    if phone is not None:
        html = html.replace(PHONE_MARK, escape(phone))
    # Last: the address is the visitor's to write, the other values are not.
    return layout.fill_address(html)


def _render_marked(render: Callable[[], str]) -> str:
    with layout.address_left_marked():
        html = render()
    if CSRF_MARK not in html:  # a template that no longer shows the mark
        raise RuntimeError("a kept page must show its form's CSRF token mark")
    return html
