"""The public ballot record and the signed result: their exact formats.

The record is published as two lists that nothing links together, so that the
order in which ballots were cast, and a receipt, reveal nobody's vote:

* **the chain**: every receipt in chain order with its position, previous link
  and link. Anyone can recompute the chain up to the signed head; a voter finds
  their receipt there (their ballot is in the box). It says nothing of content.
* **the opened ballots**: scope id and chosen project ids (or invalid) only, in an
  order keyed with a secret that nobody outside the count has: HMAC-SHA256 of the
  receipt under a key derived (HKDF) from the cycle's sealing private key, which
  is unwrapped only inside the count. A rerun gives the same order (the key and
  the receipts are the same), yet without the private key nobody can tell which
  receipt, or which chain position, a listed ballot came from. (The chain itself
  is in mixed order: see :mod:`pbvote.voting.holding`.)

Everything here is deterministic, so that a rerun of a tally gives the same bytes
and ``pbvote verify-results`` (:mod:`pbvote.results.verify`) can recompute:

* the record digest: SHA-256 over one line per opened ballot, in published order,
  ``"<scope id>;<project ids, comma-separated | invalid>\\n"``; the chain needs no
  digest: its head already commits to every receipt in order;
* the signed payload: canonical JSON (sorted keys, no spaces, ASCII) of the
  results, the ballot count, the chain head, the record digest and the sealing
  public key.
"""

import csv
import hashlib
import hmac
import io
import json
from typing import NamedTuple

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from pbvote.engine import Ballot as EngineBallot
from pbvote.engine import Instance, write_pb
from pbvote.engine import Project as EngineProject
from pbvote.engine.ties import TIE_ORDER

RESULTS_FORMAT = "pbvote-results/3"
RECORD_FORMAT = "pbvote-ballot-record/3"
PABULIB_RULES = {
    "greedy": "greedy",
    "greedy-no-skip": "greedy-no-skip",
    "mes": "equalshares/add1",
    "mes-card": "equalshares/add1",
}


class OpenedBallot(NamedTuple):
    """One ballot during the count (a tuple: a million of them stay small)."""

    position: int
    receipt: str
    previous_hash: str
    chain_hash: str
    scope_id: int
    projects: list | None  # project ids; None: invalid


def shuffle_secret(sealing_private: bytes, cycle_id: int, chain_head: str) -> bytes:
    """The key of the opened ballots' order, derived from the sealing private key.

    Never stored nor published: whoever had it could link each listed ballot to
    its receipt, hence to its chain position and cast order.
    """
    info = f"pbvote record shuffle/1 cycle {cycle_id} head {chain_head}".encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
        sealing_private
    )


def shuffle_key(secret: bytes, receipt: str) -> bytes:
    return hmac.new(secret, receipt.encode(), hashlib.sha256).digest()


def shuffled(ballots: list[OpenedBallot], secret: bytes) -> list[OpenedBallot]:
    """The opened ballots in published order: by HMAC of their receipt under
    ``secret`` (receipts are unique, so the order is total)."""
    return sorted(ballots, key=lambda b: shuffle_key(secret, b.receipt))


def choice_text(projects) -> str:
    return "invalid" if projects is None else ",".join(str(p) for p in projects)


def record_digest(ballots) -> str:
    """SHA-256 over the opened ballots' lines, in the published (shuffled) order;
    each ballot has ``scope_id`` and ``projects`` attributes."""
    digest = hashlib.sha256()
    for b in ballots:
        digest.update(f"{b.scope_id};{choice_text(b.projects)}\n".encode())
    return digest.hexdigest()


def canonical_json(data: dict) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def shown_payload(cycle, published_at, scopes: list[dict], reports: dict) -> dict:
    """Everything the record shows to readers (names, winners, votes, dates):
    signed too, so that no readable part can be changed without the signature
    failing. ``scopes`` is what the downloads list (``export_scopes``)."""
    return {
        "commune": cycle.commune.slug,
        "cycle": {
            "id": cycle.id,
            "year": cycle.year,
            "title_ar": cycle.title_ar,
            "title_fr": cycle.title_fr,
        },
        "published_at": published_at.isoformat(),
        "scopes": scopes,
        "integrity_reports": reports,
    }


def results_payload(
    cycle,
    run,
    shuffled_ballots,
    counted: list[dict],
    sealing_public: bytes,
    shown: dict,
) -> dict:
    """What the cycle's Ed25519 key signs: enough to recount from the record, and
    everything the record shows."""
    return {
        "shown": shown,
        "format": RESULTS_FORMAT,
        "commune": cycle.commune.slug,
        "cycle_id": cycle.id,
        "year": cycle.year,
        "chain_head": run.chain_head,
        "ballot_count": run.ballot_count,
        "record_digest": record_digest(shuffled_ballots),
        "sealing_public": sealing_public.hex(),
        "tie_order": TIE_ORDER,
        "scopes": [_scope_payload(item) for item in counted],
    }


def _scope_payload(item: dict) -> dict:
    result, scope = item["result"], item["scope"]
    return {
        "scope_id": scope.id,
        "key": scope.key,
        "budget": result.budget,
        "rule": result.rule,
        "greedy_fill": item["greedy_fill"],
        "min_votes": result.details.get("min_score"),
        "projects": {str(p.id): p.cost for p in item["projects"]},
        "voters": item["voters"],
        "invalid": item["invalid"],
        "winners": list(result.winners),
        "votes": dict(result.votes),
        "budget_used": result.budget_used,
    }


# -- downloads ---------------------------------------------------------------------


def chain_json(entry) -> dict:
    """One link of the published chain (``entry`` is a PublicChainEntry)."""
    return {
        "position": entry.position,
        "receipt": entry.receipt,
        "previous_hash": entry.previous_hash,
        "chain_hash": entry.chain_hash,
    }


def ballot_json(b) -> dict:
    """One opened ballot as exported (``b`` is a PublicBallot): no receipt, no
    chain position."""
    return {
        "index": b.shuffled_index,
        "scope_id": b.scope_id,
        "projects": None if b.projects is None else [str(p) for p in b.projects],
        "valid": b.projects is not None,
    }


def record_header(cycle, run, scopes: list[dict]) -> dict:
    """Everything in the JSON download except the two lists."""
    return {
        "format": RECORD_FORMAT,
        "commune": cycle.commune.slug,
        "cycle": {
            "id": cycle.id,
            "year": cycle.year,
            "title_ar": cycle.title_ar,
            "title_fr": cycle.title_fr,
        },
        "chain_head": run.chain_head,
        "ballot_count": run.ballot_count,
        "published_at": run.finished_at_dt.isoformat() if run.finished_at_dt else None,
        "integrity_reports": json.loads(run.signed_payload)["shown"][
            "integrity_reports"
        ],
        "public_keys": {
            "signing_ed25519": run.signing_public.hex(),
            "sealing_x25519": run.sealing_public.hex(),
        },
        "signed_results": {
            "payload": run.signed_payload,
            "signature": run.signature.hex(),
            "algorithm": "Ed25519",
        },
        "scopes": scopes,
        "chain": "every receipt in chain order; recompute each chain_hash as "
        "sha256('<previous_hash>:<receipt>') up to chain_head",
        "shuffle": "opened ballots in an order keyed with a secret derived from the "
        "election's sealing key: not linkable to receipts or positions; "
        "record_digest = sha256 of '<scope_id>;<ids comma-separated | "
        "invalid>\\n' per ballot in this order",
    }


def json_stream(header: dict, chain, ballots):
    """The JSON download, streamed: the header, the chain, then the opened
    ballots, one item at a time."""
    head = json.dumps(header, ensure_ascii=False, indent=1)
    yield head[:-2] + ',\n "chain": ['
    for number, entry in enumerate(chain):
        yield ("\n  " if number == 0 else ",\n  ") + json.dumps(chain_json(entry))
    yield '\n ],\n "ballots": ['
    for number, b in enumerate(ballots):
        yield ("\n  " if number == 0 else ",\n  ") + json.dumps(ballot_json(b))
    yield "\n ]\n}\n"


CHAIN_COLUMNS = ["position", "receipt", "previous_hash", "chain_hash"]
BALLOT_COLUMNS = ["index", "scope_id", "projects", "valid"]


def _csv_rows(columns: list[str], rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for number, data in enumerate(rows, start=1):
        writer.writerow([data[column] for column in columns])
        if number % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def chain_csv_stream(chain):
    return _csv_rows(CHAIN_COLUMNS, (chain_json(entry) for entry in chain))


def _ballot_csv(b) -> dict:
    data = ballot_json(b)
    data["projects"] = " ".join(data["projects"] or [])
    data["valid"] = "1" if data["valid"] else "0"
    return data


def ballots_csv_stream(ballots):
    return _csv_rows(BALLOT_COLUMNS, (_ballot_csv(b) for b in ballots))


def scope_instance(scope_info: dict, ballots, meta: dict) -> Instance:
    """The engine instance of one scope, ballots in record order (valid ones)."""
    projects = [
        EngineProject(str(p["id"]), p["cost"], p.get("name", ""))
        for p in scope_info["projects"]
    ]
    choices = [
        EngineBallot(frozenset(str(p) for p in b.projects))
        for b in ballots
        if b.projects is not None
    ]
    return Instance(
        projects, scope_info["budget"], choices, {"vote_type": "approval", **meta}
    )


def pb_text(scope_info: dict, ballots, meta: dict, winners: list[str]) -> str:
    """One scope as a pabulib file with the published winners as ``selected``."""
    out = io.StringIO()
    write_pb(
        scope_instance(scope_info, ballots, meta),
        out,
        selected=[str(w) for w in winners],
    )
    return out.getvalue()


def pb_meta(cycle, scope_info: dict) -> dict:
    return {
        "description": f"Participatory budget of {cycle.commune.name_fr} {cycle.year}, "
        f"scope {scope_info['key']}",
        "country": "Morocco",
        "unit": cycle.commune.name_fr,
        "subunit": scope_info.get("name_fr") or scope_info["key"],
        "instance": str(cycle.year),
        "rule": PABULIB_RULES.get(scope_info["rule"], scope_info["rule"]),
        "pbvote_rule": scope_info["rule"],
        "pbvote_greedy_fill": "1" if scope_info["greedy_fill"] else "0",
        **(
            {"min_project_score_threshold": str(scope_info["min_votes"])}
            if scope_info.get("min_votes")
            else {}
        ),
        "currency": "MAD",
    }
