"""Pagination for long lists: Flask-SQLAlchemy's ``db.paginate`` over ``?page=N``,
with the page size from config.

A page number that is not a whole number of at least 1 answers 404 (no such
page); a number past the end shows the last page (a link kept after the list
shrank still leads somewhere), however large the number.
"""

from flask import abort, current_app, request
from flask_sqlalchemy.pagination import Pagination

from pbvote.extensions import db

# Past this, OFFSET would leave the database's integers; any such page is past
# the end of every list we keep, so it is clamped like one.
_MAX_OFFSET = 2**31 - 1


def paginate(query, size: int | None = None, param: str = "page") -> Pagination:
    """Run the select ``query`` for the page named by ``?<param>=`` (default
    ``page``; a page holding two lists gives each its own parameter)."""
    size = size or current_app.config["PAGE_SIZE"]
    number = requested_page(param, size)
    page = db.paginate(
        query, page=number, per_page=size, max_per_page=None, error_out=False
    )
    if not page.items and number > 1:
        last = max(1, page.pages)
        page = db.paginate(
            query, page=last, per_page=size, max_per_page=None, error_out=False
        )
    return page


def requested_page(param: str = "page", size: int = 1) -> int:
    """The page number in ``?<param>=`` (1 when absent); 404 when it is not a
    whole number of at least 1; a huge one is clamped (see ``_MAX_OFFSET``)."""
    raw = request.args.get(param, "1").strip()
    if not raw.isascii() or not raw.isdigit() or not raw.strip("0"):
        abort(404)
    last_possible = _MAX_OFFSET // size + 1
    return min(int(raw), last_possible) if len(raw) < 19 else last_possible


class KnownPage(Pagination):
    """A page whose rows and total the caller read itself (a total riding on
    the rows with ``count(*) OVER ()``, a stored count), with the same
    attributes as ``db.paginate``'s pages for templates and ``page_json``."""

    def __init__(self, items: list, page: int, per_page: int, total: int):
        self._known = (items, total)
        super().__init__(
            page=page, per_page=per_page, max_per_page=None, error_out=False
        )

    def _query_items(self) -> list:
        return self._known[0]

    def _query_count(self) -> int:
        return self._known[1]


def page_json(page: Pagination) -> dict:
    """The paging fields of an API answer: ``page``, ``pages`` (at least 1, an
    empty list being one empty page) and ``total``."""
    return {"page": page.page, "pages": max(1, page.pages), "total": page.total}
