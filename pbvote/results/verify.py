"""Check a downloaded ballot record (the JSON download) without the server.

``pbvote verify-results FILE --key FINGERPRINT`` runs :func:`verify_document`:
that the signing key is the one whose fingerprint was published when voting
opened; the Ed25519 signature over the signed payload; that every readable part
(commune, cycle, scopes with names, winners and votes) is the signed one; the hash chain recomputed from the published
chain (receipts in chain order) up to the signed head and count; that there are
as many opened ballots as receipts in the chain; the digest of the opened
ballots; and a recount of every scope with the tally engine and the signed rule,
budget and costs. No database, no network: anyone can run it on the file.

The opened ballots carry no receipt and are in an order keyed with a secret of
the count, so this cannot (and must not be able to) tell which receipt belongs
to which opened ballot; the count is tied to the chain by the numbers and by the
signature over both the chain head and the digest of the opened ballots.
"""

import json
from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

from pbvote.engine import Ballot as EngineBallot
from pbvote.engine import EngineError, Instance, tally
from pbvote.engine import Project as EngineProject
from pbvote.results.record import RECORD_FORMAT, RESULTS_FORMAT, record_digest
from pbvote.voting.sealing import (
    GENESIS,
    chain_link,
    fingerprint,
    same_fingerprint,
    verify_signature,
)

MES_RULES = ("mes", "mes-card")


class RecordUnreadable(ValueError):
    """The file is not a pbvote ballot record; the message says why."""


@dataclass
class Check:
    ok: bool
    label: str
    detail: str = ""

    def line(self) -> str:
        return f"{'OK  ' if self.ok else 'FAIL'} {self.label}" + (
            f": {self.detail}" if self.detail else ""
        )


def _payload(document: dict) -> tuple[dict, str, bytes, bytes]:
    try:
        if document.get("format") != RECORD_FORMAT:
            raise RecordUnreadable(
                f"not a {RECORD_FORMAT} file (format is {document.get('format')!r})"
            )
        signed = document["signed_results"]
        text = signed["payload"]
        signature = bytes.fromhex(signed["signature"])
        public = bytes.fromhex(document["public_keys"]["signing_ed25519"])
        payload = json.loads(text)
        for name in ("chain", "ballots"):
            if not isinstance(document[name], list):
                raise TypeError(name)
        for entry in document["chain"]:
            (
                entry["position"],
                entry["receipt"],
                entry["previous_hash"],
                entry["chain_hash"],
            )
        for ballot in document["ballots"]:
            ballot["scope_id"], ballot["projects"]
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, RecordUnreadable):
            raise
        raise RecordUnreadable(f"the file lacks or garbles {error}") from error
    if payload.get("format") != RESULTS_FORMAT:
        raise RecordUnreadable(f"the signed payload is not {RESULTS_FORMAT}")
    return payload, text, signature, public


def verify_document(document: dict, expected_key: str | None = None) -> list[Check]:
    """Every check, in order; the record is sound if all are ``ok``.

    ``expected_key``: the signing key's fingerprint as published when voting
    opened (ballot-box page, receipt SMS, API), obtained elsewhere than this file.
    A record signed by any other key fails, however well it verifies otherwise:
    whoever forges a record can sign it with a key of their own.

    Raises RecordUnreadable if the file does not have the expected shape.
    """
    payload, text, signature, public = _payload(document)
    chain, ballots = document["chain"], document["ballots"]
    checks = [_check_key(public, expected_key)]
    checks.append(
        Check(
            verify_signature(public, signature, text.encode()),
            "signature of the results (Ed25519)",
            f"public key {public.hex()[:16]}…",
        )
    )
    checks.append(_check_shown(document, payload))
    checks.append(_check_chain(chain, payload))
    checks.append(
        Check(
            len(ballots) == len(chain) == payload["ballot_count"],
            "as many opened ballots as receipts in the chain",
            f"{len(ballots)} opened ballots, {len(chain)} receipts, "
            f"{payload['ballot_count']} signed",
        )
    )
    digest = record_digest(_plain(ballots))
    checks.append(
        Check(
            digest == payload["record_digest"],
            "opened ballots match the signed digest",
            f"{len(ballots)} ballots, digest {digest[:16]}…",
        )
    )
    header_ok = (
        document.get("chain_head") == payload["chain_head"]
        and document.get("ballot_count") == payload["ballot_count"]
    )
    checks.append(
        Check(header_ok, "chain head and count agree with the signed results")
    )
    known = {scope["scope_id"] for scope in payload["scopes"]}
    strays = sum(1 for b in ballots if b["scope_id"] not in known)
    checks.append(
        Check(
            strays == 0,
            "every opened ballot belongs to a signed scope",
            (
                f"{strays} ballot names another scope"
                if strays == 1
                else f"{strays} ballots name another scope"
            )
            if strays
            else "",
        )
    )
    for scope in payload["scopes"]:
        checks.append(_check_scope(scope, ballots))
    return checks


def _check_key(public: bytes, expected_key: str | None) -> Check:
    found = fingerprint(public)
    if expected_key is None:
        return Check(
            True,
            "signing key (not compared: give --key with the fingerprint published "
            "when voting opened)",
            found,
        )
    return Check(
        same_fingerprint(public, expected_key),
        "signed by the expected key",
        f"the file's key is {found}, expected {expected_key.strip()}",
    )


SHOWN_FIELDS = ("commune", "cycle", "published_at", "scopes", "integrity_reports")


def _check_shown(document: dict, payload: dict) -> Check:
    """Everything readable in the file (names, winners, votes) is what was signed."""
    label = "what the record shows is what was signed"
    shown = payload.get("shown") or {}
    differ = [name for name in SHOWN_FIELDS if document.get(name) != shown.get(name)]
    keys = document.get("public_keys", {})
    if keys.get("sealing_x25519") != payload.get("sealing_public"):
        differ.append("public_keys")
    if differ:
        return Check(False, label, "differs in " + ", ".join(differ))
    return Check(True, label)


class _Line(NamedTuple):
    scope_id: int
    projects: list | None


def _plain(ballots: list[dict]) -> list[_Line]:
    return [
        _Line(
            b["scope_id"],
            None if b.get("projects") is None else [int(p) for p in b["projects"]],
        )
        for b in ballots
    ]


def _check_chain(chain: list[dict], payload: dict) -> Check:
    label = "hash chain recomputed from the receipts"
    ordered = sorted(chain, key=lambda e: e["position"])
    previous = GENESIS
    for expected, entry in enumerate(ordered, start=1):
        if entry["position"] != expected:
            return Check(False, label, f"position {expected} is missing")
        link = chain_link(previous, entry["receipt"])
        if entry["previous_hash"] != previous or entry["chain_hash"] != link:
            return Check(False, label, f"breaks at position {expected}")
        previous = link
    if previous != payload["chain_head"] or len(ordered) != payload["ballot_count"]:
        return Check(
            False,
            label,
            f"ends in {previous[:16]}… after {len(ordered)} "
            f"ballots; the signed head is {payload['chain_head'][:16]}… after "
            f"{payload['ballot_count']}",
        )
    return Check(True, label, f"{len(ordered)} ballots, head {previous[:16]}…")


def _check_scope(scope: dict, ballots: list[dict]) -> Check:
    label = f"recount of scope {scope['key']} with {scope['rule']}"
    mine = [b for b in ballots if b["scope_id"] == scope["scope_id"]]
    groups = Counter(
        frozenset(str(p) for p in b["projects"])
        for b in mine
        if b.get("projects") is not None
    )
    invalid = sum(1 for b in mine if b.get("projects") is None)
    projects = [EngineProject(pid, cost) for pid, cost in scope["projects"].items()]
    try:
        instance = Instance(
            projects,
            scope["budget"],
            [
                EngineBallot(choice, weight)
                for choice, weight in sorted(
                    groups.items(), key=lambda kv: sorted(kv[0])
                )
            ],
            {"vote_type": "approval"},
        )
        fill = bool(scope.get("greedy_fill")) and scope["rule"] in MES_RULES
        result = tally(
            instance, scope["rule"], greedy_fill=fill, min_score=scope.get("min_votes")
        )
    except EngineError as error:
        return Check(False, label, f"the engine refused the data: {error}")
    problems = []
    voters = sum(groups.values())
    if voters != scope["voters"] or invalid != scope["invalid"]:
        problems.append(
            f"{voters} valid and {invalid} invalid ballots but published "
            f"{scope['voters']} and {scope['invalid']}"
        )
    if result.winners != scope["winners"]:
        problems.append(f"winners {result.winners} but published {scope['winners']}")
    if result.votes != scope["votes"]:
        problems.append("vote counts differ from the published ones")
    if result.budget_used != scope["budget_used"]:
        problems.append(
            f"money used {result.budget_used} but published {scope['budget_used']}"
        )
    if problems:
        return Check(False, label, "; ".join(problems))
    return Check(True, label, f"winners {', '.join(result.winners) or '(none)'}")


# Public names for other records built the same way (a poll's: pbvote.polls.verify).
check_key = _check_key
check_chain = _check_chain
