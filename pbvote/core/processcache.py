"""Rows that almost never change, kept per process for a few seconds: the commune,
a cycle and its phases, a district's ballot, while residents vote.

A value is kept at most ``PROCESS_CACHE_SECONDS`` (default 5; 0 turns the caches
off, as in tests unless a test turns them on). That is the bound on how late a
change made by staff in *another* process (another gunicorn worker, another
machine) takes effect. In the process that commits the change, the caches
watching the changed model are emptied at once (a Session ``after_commit``
listener), so staff see their own change immediately.

Cached rows are detached ORM objects, never handed out: :func:`attach` gives the
request ``db.session.merge(row, load=False)``, a copy in the request's session
made without any SQL, so a request may read (or lazily load more of) it as usual;
a row the session already holds is used as it is.

Only public rows belong here: nothing about a resident, a verification or a vote.
"""

import threading
import time
from collections.abc import Callable

from flask import current_app
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from pbvote.extensions import db

DEFAULT_SECONDS = 5
_CACHES: list["ProcessCache"] = []
_DIRTY_KEY = "pbvote_process_cache_dirty"


def cache_seconds() -> float:
    return float(current_app.config.get("PROCESS_CACHE_SECONDS", DEFAULT_SECONDS))


def detached_copy(row, relations: tuple[str, ...] = ()):
    """A detached copy of a loaded row: its columns and the rows of each named
    relationship (``"a.b"``: b of a's rows too), copied the same way, for a cache.
    The request's own object is left as it is."""
    mapper = inspect(row).mapper
    copy = mapper.class_manager.new_instance()  # no __init__, no defaults
    for column in mapper.column_attrs:
        set_committed_value(copy, column.key, getattr(row, column.key))
    nested: dict[str, list[str]] = {}
    for path in relations:
        name, _dot, rest = path.partition(".")
        nested.setdefault(name, []).extend([rest] if rest else [])
    for name, inner in nested.items():
        related = getattr(row, name)
        if isinstance(related, list):
            value = [detached_copy(item, tuple(inner)) for item in related]
        else:
            value = None if related is None else detached_copy(related, tuple(inner))
        set_committed_value(copy, name, value)  # loaded, without backref events
    make_transient_to_detached(copy)
    return copy


def attach(row):
    """The request session's object for a cached detached row, without SQL. A row
    the session already holds is returned as it is there: merging the cached copy
    over it would overwrite its newer values or its pending changes."""
    if row is None:
        return None
    held = db.session.identity_map.get(inspect(row).key)
    return held if held is not None else db.session.merge(row, load=False)


class ProcessCache:
    """Values by key for at most :func:`cache_seconds`, emptied in this process
    when a commit writes a row of one of ``watched`` (model classes)."""

    def __init__(self, name: str, watched: tuple[type, ...]):
        self.name, self.watched = name, watched
        self._values: dict = {}
        self._lock = threading.Lock()
        _CACHES.append(self)

    def get(self, key, load: Callable):
        """The value for ``key`` (``load()`` when missing or too old; a None
        from ``load`` is not kept)."""
        seconds = cache_seconds()
        if seconds <= 0:
            return load()
        now = time.monotonic()
        with self._lock:
            kept = self._values.get(key)
        if kept is not None and kept[0] > now:
            return kept[1]
        value = load()
        if value is None:
            return None
        with self._lock:
            self._values[key] = (now + seconds, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


def clear_all() -> None:
    for cache in _CACHES:
        cache.clear()


@event.listens_for(Session, "after_flush")
def _note_changes(session, _context) -> None:
    changed = {type(row) for row in (*session.new, *session.dirty, *session.deleted)}
    if changed:
        session.info.setdefault(_DIRTY_KEY, set()).update(changed)


@event.listens_for(Session, "after_commit")
def _drop_changed(session) -> None:
    changed = session.info.pop(_DIRTY_KEY, None)
    if not changed:
        return
    for cache in _CACHES:
        if any(issubclass(kind, cache.watched) for kind in changed):
            cache.clear()


@event.listens_for(Session, "after_rollback")
def _forget_changes(session) -> None:
    session.info.pop(_DIRTY_KEY, None)
