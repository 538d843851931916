"""Pagination for long lists: ``?page=N``, fixed page size from config."""

from dataclasses import dataclass

from flask import current_app, request
from sqlalchemy import func, select

from pbvote.extensions import db


@dataclass
class Page:
    items: list
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate(query, size: int | None = None, scalars: bool = True) -> Page:
    """Run ``query`` for the page in ``?page=``; out-of-range pages show the last."""
    size = size or current_app.config["PAGE_SIZE"]
    try:
        number = max(1, int(request.args.get("page", 1)))
    except ValueError:
        number = 1
    total = db.session.scalar(
        select(func.count()).select_from(query.order_by(None).subquery())
    )
    number = min(number, max(1, -(-total // size)))
    paged = query.limit(size).offset((number - 1) * size)
    result = db.session.execute(paged)
    items = list(result.scalars() if scalars else result)
    return Page(items, number, size, total)


def requested_page(param: str = "page") -> int:
    """The page number asked for in ``?<param>=`` (1 when missing or not a
    number), for lists paged by other means than :func:`paginate`."""
    try:
        return max(1, int(request.args.get(param, 1)))
    except ValueError:
        return 1
