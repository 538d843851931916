"""The holding area between a cast and the public chain, and the mixing job's step.

A cast writes the voter's mark and one :class:`HeldBallot` in one transaction, so
a database administrator can tie the held row to the voter (same ``xmin``). The
held row's payload is therefore encrypted (AES-256-GCM) under a key derived with
HKDF from ``ELECTION_KEY_WRAP`` (an environment secret the database never sees)
with its own label: without it, neither the sealed ballots nor their receipts can
be computed from the row, a dead tuple, the WAL or a backup.

:func:`mix_held` appends the held ballots of a cycle to the public hash chain in
one random order (``secrets.SystemRandom``), in its own transaction, and deletes
the held rows. It waits for ``MIX_MIN_BATCH`` voters, or for ``MIX_MAX_WAIT_SECONDS``
after the oldest held cast; the count mixes whatever is left first. A database
administrator can then tell in which batch a voter's ballots are (the anonymity
set is the batch), never which of the batch's ballots are theirs.
"""

import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import delete, func, select

from pbvote.core.time import day_of
from pbvote.extensions import db
from pbvote.voting import sealing
from pbvote.voting.models import Ballot, ElectionKey, HeldBallot

DEFAULT_MIN_BATCH = 20
DEFAULT_MAX_WAIT_SECONDS = 3600


@dataclass(frozen=True)
class BoxTables:
    """Where one kind of election keeps its key, held rows and public chain, so
    that another owner (a poll, :mod:`pbvote.polls`) reuses this machinery with
    tables of its own. ``owner`` names the owner column of the three tables;
    ``label`` is bound (AES-GCM associated data) to every held payload."""

    key: type
    held: type
    chain: type
    owner: str
    label: str

    def of(self, model: type):
        return getattr(model, self.owner)


CYCLE_BOX = BoxTables(ElectionKey, HeldBallot, Ballot, "cycle_id", "pbvote-held")


class HoldingError(Exception):
    """A held row cannot be opened: a wrong ELECTION_KEY_WRAP or an altered row."""


def _hold_key() -> bytes:
    return _derived_hold_key(current_app.config["ELECTION_KEY_WRAP"])


@lru_cache(maxsize=4)
def _derived_hold_key(wrap: str) -> bytes:
    """Derived once per ELECTION_KEY_WRAP (a cast seals, a mixing opens many)."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"pbvote-holding/1"
    ).derive(wrap.encode())


def seal_held(
    cycle_id: int,
    sealed_ballots: list[bytes],
    now: datetime,
    *,
    label: str = CYCLE_BOX.label,
) -> bytes:
    """Encrypt one voter's sealed ballots and the cast time for the holding table.

    Every payload has the same size for the same number of scopes."""
    body = json.dumps(
        {
            "at": now.isoformat(timespec="seconds"),
            "sealed": [s.hex() for s in sealed_ballots],
        }
    ).encode()
    nonce = os.urandom(12)
    aad = f"{label}:{cycle_id}".encode()
    return nonce + AESGCM(_hold_key()).encrypt(nonce, body, aad)


def open_held(
    cycle_id: int, payload: bytes, *, label: str = CYCLE_BOX.label
) -> tuple[datetime, list[bytes]]:
    aad = f"{label}:{cycle_id}".encode()
    try:
        body = AESGCM(_hold_key()).decrypt(payload[:12], payload[12:], aad)
    except InvalidTag as exc:
        raise HoldingError("a held ballot cannot be opened") from exc
    data = json.loads(body)
    return datetime.fromisoformat(data["at"]), [
        bytes.fromhex(s) for s in data["sealed"]
    ]


def hold_ballots(
    cycle_id: int,
    sealed_ballots: list[bytes],
    now: datetime,
    *,
    box: BoxTables = CYCLE_BOX,
) -> None:
    """Keep one voter's sealed ballots until the next mixing (the caller commits)."""
    db.session.execute(
        box.held.__table__.insert(), held_row(cycle_id, sealed_ballots, now, box=box)
    )


def held_row(
    cycle_id: int,
    sealed_ballots: list[bytes],
    now: datetime,
    *,
    box: BoxTables = CYCLE_BOX,
) -> dict:
    """One voter's held row, as columns: a random id (nothing shared with the
    mark or the chain) and the encrypted payload (:func:`seal_held`)."""
    return {
        "id": secrets.token_hex(16),
        box.owner: cycle_id,
        "payload": seal_held(cycle_id, sealed_ballots, now, label=box.label),
    }


def held_count(cycle_id: int, *, box: BoxTables = CYCLE_BOX) -> int:
    """How many voters' ballots wait to be mixed into the chain."""
    return db.session.scalar(select(func.count()).where(box.of(box.held) == cycle_id))


def held_receipts(cycle_id: int, *, box: BoxTables = CYCLE_BOX) -> set[str]:
    """The receipts waiting in the holding area (decrypted here, never stored)."""
    receipts = set()
    for payload in db.session.scalars(
        select(box.held.payload).where(box.of(box.held) == cycle_id)
    ):
        opened = open_held(cycle_id, payload, label=box.label)[1]
        receipts.update(sealing.receipt_of(s) for s in opened)
    return receipts


def _due(held: list[tuple[datetime, list[bytes]]], now: datetime) -> bool:
    config = current_app.config
    if len(held) >= config.get("MIX_MIN_BATCH", DEFAULT_MIN_BATCH):
        return True
    wait = timedelta(
        seconds=config.get("MIX_MAX_WAIT_SECONDS", DEFAULT_MAX_WAIT_SECONDS)
    )
    return min(at for at, _ in held) <= now - wait


def mix_held(
    cycle_id: int, now: datetime, *, force: bool = False, box: BoxTables = CYCLE_BOX
) -> int:
    """Append the cycle's held ballots to the chain in a random order and delete
    the held rows, if a batch is due (``force``: whatever is held). Returns how
    many ballots were appended. Locks the ElectionKey row: one mixer at a time.
    The caller commits (one transaction per batch). ``box``: another owner's
    tables (a poll's), ``cycle_id`` then being that owner's id."""
    key = db.session.scalars(
        select(box.key)
        .where(box.of(box.key) == cycle_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if key is None:
        return 0
    rows = list(
        db.session.scalars(select(box.held).where(box.of(box.held) == cycle_id))
    )
    if not rows:
        return 0
    held = [open_held(cycle_id, row.payload, label=box.label) for row in rows]
    if not force and not _due(held, now):
        return 0
    ballots = [sealed for _at, group in held for sealed in group]
    secrets.SystemRandom().shuffle(ballots)
    _append(key, ballots, now, box)
    db.session.execute(delete(box.held).where(box.held.id.in_([r.id for r in rows])))
    return len(ballots)


def _append(key, ballots: list[bytes], now: datetime, box: BoxTables) -> None:
    """Insert the chain rows in the shuffled order, before the held rows go.

    One Core INSERT run for every row (psycopg's executemany: one statement
    prepared once, the rows in a pipeline): ORM objects wanted their ids back,
    a multi-row INSERT … RETURNING of a new size per batch, which psycopg parsed
    anew each time (a mixing was most of an SMS worker's CPU, issue 13)."""
    day, owner = day_of(now), getattr(key, box.owner)
    rows = []
    for sealed in ballots:
        receipt = sealing.receipt_of(sealed)
        link = sealing.chain_link(key.head_hash, receipt)
        rows.append(
            {
                box.owner: owner,
                "position": key.ballot_count + 1,
                "sealed": sealed,
                "receipt": receipt,
                "previous_hash": key.head_hash,
                "chain_hash": link,
                "mixed_on": day,
            }
        )
        key.head_hash, key.ballot_count = link, key.ballot_count + 1
    db.session.execute(box.chain.__table__.insert(), rows)


def cycles_with_held(*, box: BoxTables = CYCLE_BOX) -> list[int]:
    return list(db.session.scalars(select(box.of(box.held)).distinct()))
