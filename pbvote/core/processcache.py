"""Rows that almost never change, kept per process for a few seconds: the commune,
a cycle and its phases, a district's ballot, while residents vote.

A value is kept at most ``PROCESS_CACHE_SECONDS`` (default 5; 0 turns the caches
off, as in tests unless a test turns them on). That is the bound on how late a
change made by staff in *another* process (another gunicorn worker, another
machine) takes effect. In the process that commits the change, the caches
watching the changed model are emptied at once (a Session ``after_commit``
listener), so staff see their own change immediately.

Cached rows are read-only detached ORM objects (:func:`detached_copy`), handed
to every request as they are, never merged into its session (merging them was 13 to
18 % of a voting request's Python CPU): every thread of the process reads the same
objects, so nothing may change them. What a page reads of them is loaded when they
are copied; anything else fails loudly: a lazy load raises DetachedInstanceError,
and changing one, or adding one to a session (directly or by a relationship's
cascade), raises :class:`ReadOnlyRow`. Pages that change such a row load it from
the database instead (``get_cycle``, not ``get_cycle_cached``).

Only public rows belong here: nothing about a resident, a verification or a vote.
"""

import threading
import time
from collections.abc import Callable

from flask import current_app
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict, set_committed_value

DEFAULT_SECONDS = 5
_CACHES: list["ProcessCache"] = []
_DIRTY_KEY = "pbvote_process_cache_dirty"
# Marks a cached copy, in its instance dict (not a mapped attribute: merges,
# flushes and loads ignore it).
_READ_ONLY = "_pbvote_read_only_copy"
_GUARDED: set[type] = set()


class ReadOnlyRow(RuntimeError):
    """A request tried to change a cached row, or to put one in its session."""


def cache_seconds() -> float:
    return float(current_app.config.get("PROCESS_CACHE_SECONDS", DEFAULT_SECONDS))


def detached_copy(row, relations: tuple[str, ...] = ()):
    """A read-only detached copy of a loaded row: its columns and the rows of each
    named relationship (``"a.b"``: b of a's rows too), copied the same way, for a
    cache. The request's own object is left as it is. The row's class must be
    guarded (a ProcessCache's ``rows``)."""
    mapper = inspect(row).mapper
    if mapper.class_ not in _GUARDED:
        raise ReadOnlyRow(f"{mapper.class_.__name__} is not a ProcessCache's rows")
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
    instance_dict(copy)[_READ_ONLY] = True
    return copy


def is_read_only(row) -> bool:
    """Is ``row`` a cached copy (:func:`detached_copy`)?"""
    return instance_dict(row).get(_READ_ONLY, False)


def _refuse(target, *_args) -> None:
    if is_read_only(target):
        raise ReadOnlyRow(
            f"{type(target).__name__} {inspect(target).identity} is a cached "
            "read-only copy shared by every request: load the row to change it."
        )


def guard_rows(*classes: type) -> None:
    """Make changes to the cached copies of ``classes`` raise ReadOnlyRow (an
    attribute set, a collection's append or remove). Other instances of the
    classes pay one dict look-up per change; reads pay nothing."""
    for cls in classes:
        if cls in _GUARDED:
            continue
        # The class's instrumented attributes (listing them does not configure
        # the mappers, so this may run while models are still being imported).
        for descriptor in inspect(cls).class_manager.values():
            for change in ("set", "append", "remove"):  # columns: only "set" fires
                event.listen(descriptor, change, _refuse)
        _GUARDED.add(cls)


@event.listens_for(Session, "before_attach")
def _keep_out_of_sessions(_session, instance) -> None:
    """A cached copy in one request's session would be that session's, read and
    expired by it while other threads read it too."""
    _refuse(instance)


class ProcessCache:
    """Values by key for at most :func:`cache_seconds`, emptied in this process
    when a commit writes a row of one of ``watched`` (model classes). ``rows``:
    the classes whose read-only copies (:func:`detached_copy`) it keeps."""

    def __init__(
        self, name: str, watched: tuple[type, ...], *, rows: tuple[type, ...] = ()
    ):
        self.name, self.watched = name, watched
        guard_rows(*rows)
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
