"""The page layout's header and footer, rendered once per language (issue 13).

For a signed-out visitor (every resident who votes) the header and the footer of
every page differ only by language and, in the header's language links, by the
page's own address; rendering them was about a quarter of a voting page's Python
time. They are rendered once per language and process, and each page puts its
address into the links. A signed-in visitor's header shows their notifications
and a sign-out form with their CSRF token: it is rendered for each page, as
before. Nothing about a visitor is ever kept.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import quote_plus

from flask import current_app, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from pbvote.core.i18n import current_language

# Stands for the page's address while a part is rendered for every page: letters
# and hyphens, which neither URL nor HTML escaping changes.
NEXT_MARK = "pbvote-layout-page-address"
_PARTS = "pbvote_layout_parts"
# True while a whole page is rendered to be kept (pbvote.voting.pages): the
# header leaves NEXT_MARK in place, and the page fills it in for each request.
_LEAVE_ADDRESS_MARKED = ContextVar("pbvote_layout_leave_address", default=False)


# The app and the request are read through their proxies once per call: each
# attribute read through a proxy costs a few function calls.


def _kept(template: str, **context) -> Markup:
    """``template`` rendered once per language (and script root) in this app."""
    app = current_app._get_current_object()
    if app.jinja_env.auto_reload:  # templates edited while the app runs
        return Markup(render_template(template, **context))
    parts = app.extensions.setdefault(_PARTS, {})
    key = (template, current_language().code, request.script_root)
    part = parts.get(key)
    if part is None:
        part = parts[key] = Markup(render_template(template, **context))
    return part


# The characters Werkzeug leaves unquoted in a query value it builds
# (werkzeug.urls._urlencode); tests compare with url_for's own links.
_QUERY_SAFE = "!$'()*,/:;?@"


def _address_in_links() -> str:
    """The page's address as ``url_for`` writes it in a language link's query
    (``url_for`` built a whole link for it: a twentieth of a small page)."""
    return quote_plus(request.full_path, safe=_QUERY_SAFE)


def header() -> Markup:
    if current_user.is_authenticated:
        return Markup(
            render_template("base_header.html", switch_next=request.full_path)
        )
    part = _kept("base_header.html", switch_next=NEXT_MARK)
    if _LEAVE_ADDRESS_MARKED.get():
        return part
    return fill_address(part)


def fill_address(html: str) -> str:
    """``html`` (a kept header, or a kept page) with this page's address in
    place of NEXT_MARK."""
    return html.replace(NEXT_MARK, escape(_address_in_links()))


@contextmanager
def address_left_marked() -> Iterator[None]:
    """While a page to keep for every visitor's address is rendered."""
    token = _LEAVE_ADDRESS_MARKED.set(True)
    try:
        yield
    finally:
        _LEAVE_ADDRESS_MARKED.reset(token)


def footer() -> Markup:
    return _kept("base_footer.html")


_STATIC = "pbvote_layout_static"


def static_url(filename: str) -> str:
    """``url_for("static", filename=filename)``, kept per script root: every page
    links the same style sheet."""
    urls = current_app._get_current_object().extensions.setdefault(_STATIC, {})
    key = (filename, request.script_root)
    url = urls.get(key)
    if url is None:
        url = urls[key] = url_for("static", filename=filename)
    return url


def clear(app) -> None:
    """Forget the rendered parts (tests that change what they show)."""
    app.extensions.pop(_PARTS, None)
    app.extensions.pop(_STATIC, None)


def register(app) -> None:
    app.jinja_env.globals.update(
        layout_header=header, layout_footer=footer, static_url=static_url
    )
