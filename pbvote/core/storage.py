"""Where uploaded and generated files live: one folder, ``STORAGE_DIR``
(``PBVOTE_STORAGE_DIR``; the older ``UPLOAD_DIR`` when it is not set), with a
sub-folder per kind of file: ``proposals/``, ``execution/``, ``reports/``. Stored
names are random; the names people gave their files stay in the database.

A file belongs to the transaction that records it. :func:`stage` writes it at
once under ``.incoming/`` (so a full disk fails the request, not the commit); the
commit moves it into place; a rollback, or a session closed without a commit,
deletes it. A refused submission therefore leaves nothing behind, and a committed
row never points at a file that was not written. :func:`remove_after_commit`
deletes a file once the row that referred to it is gone for good.
"""

import os
import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from pbvote.extensions import db

PENDING_KEY = "pbvote_pending_files"
AREAS = ("proposals", "execution", "reports")


def root() -> Path:
    config = current_app.config
    return Path(config.get("STORAGE_DIR") or config["UPLOAD_DIR"])


def folder(area: str) -> Path:
    if area not in AREAS:
        raise ValueError(f"unknown storage area {area!r}")
    path = root() / area
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(area: str, name: str) -> Path:
    """The file's path; only the last part of ``name`` counts (no ``..``)."""
    return folder(area) / Path(name).name


def read(area: str, name: str) -> bytes:
    return path_of(area, name).read_bytes()


def stage(area: str, data: bytes, extension: str) -> str:
    """Write ``data`` now and keep it only if the transaction commits; returns the
    stored name (random, with ``extension``)."""
    name = f"{secrets.token_urlsafe(24)}.{extension}"
    incoming = root() / ".incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    staged = incoming / name
    staged.write_bytes(data)
    _pending().append(("move", staged, folder(area) / name))
    return name


def remove_after_commit(area: str, name: str) -> None:
    """Delete the stored file once the transaction commits (kept on rollback)."""
    _pending().append(("delete", None, path_of(area, name)))


def _pending() -> list:
    return db.session().info.setdefault(PENDING_KEY, [])


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # only a savepoint ended: wait for the real commit
    for action, staged, target in session.info.pop(PENDING_KEY, []):
        if action == "move":
            os.replace(staged, target)  # same file system: atomic
        else:
            target.unlink(missing_ok=True)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    # Still pending at the end of the outermost transaction: it was not committed.
    if transaction.parent is not None or transaction.nested:
        return
    for action, staged, _target in session.info.pop(PENDING_KEY, []):
        if action == "move":
            staged.unlink(missing_ok=True)
