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
from markupsafe import Markup

from pbvote.communes.models import District
from pbvote.core.i18n import current_language
from pbvote.core.processcache import ProcessCache, cache_seconds
from pbvote.cycles.models import Scope
from pbvote.guides.models import AudioGuide
from pbvote.proposals.models import Attachment, Category, Project, Proposal

_PIECES = ProcessCache(
    "ballot-markup",
    (Scope, Project, District, Proposal, Attachment, Category, AudioGuide),
)


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
