"""Check a downloaded poll record (``record.json``) without the server.

``pbvote verify-poll FILE --key FINGERPRINT`` runs :func:`verify_document`, the
same checks as ``pbvote verify-results`` for the budget vote (and the same code
for the key and the hash chain, :mod:`pbvote.results.verify`): the signing key is
the one whose fingerprint was published when the poll opened; the Ed25519
signature; the chain recomputed up to the signed head and count; as many opened
ballots as receipts; the digest of the opened ballots; and a recount of every
question from the opened ballots. No database, no network.
"""

import json

from pbvote.polls.counting import RECORD_FORMAT, RESULTS_FORMAT, record_digest, tally
from pbvote.results.verify import Check, RecordUnreadable, check_chain, check_key
from pbvote.voting.sealing import verify_signature


def _parts(document: dict):
    try:
        if document.get("format") != RECORD_FORMAT:
            raise RecordUnreadable(
                f"not a {RECORD_FORMAT} file (format is {document.get('format')!r})"
            )
        text = document["signed_results"]["payload"]
        signature = bytes.fromhex(document["signed_results"]["signature"])
        public = bytes.fromhex(document["public_keys"]["signing_ed25519"])
        payload = json.loads(text)
        chain, ballots = document["chain"], document["ballots"]
        if not isinstance(chain, list) or not isinstance(ballots, list):
            raise TypeError("chain or ballots")
        for entry in chain:
            entry["position"], entry["receipt"], entry["previous_hash"]
        answers = [ballot["answers"] for ballot in ballots]
        for item in answers:
            if item is not None and not isinstance(item, dict):
                raise TypeError("answers")
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        if isinstance(error, RecordUnreadable):
            raise
        raise RecordUnreadable(f"the file lacks or garbles {error}") from error
    if not isinstance(payload, dict) or payload.get("format") != RESULTS_FORMAT:
        raise RecordUnreadable(f"the signed payload is not {RESULTS_FORMAT}")
    return payload, text, signature, public, chain, answers


def verify_document(document: dict, expected_key: str | None = None) -> list[Check]:
    """Every check, in order; the record is sound if all are ``ok``.
    Raises RecordUnreadable if the file does not have the expected shape."""
    payload, text, signature, public, chain, answers = _parts(document)
    checks = [
        check_key(public, expected_key),
        Check(
            verify_signature(public, signature, text.encode()),
            "signature of the results (Ed25519)",
            f"public key {public.hex()[:16]}…",
        ),
        check_chain(chain, payload),
        Check(
            len(answers) == len(chain) == payload["ballot_count"],
            "as many opened ballots as receipts in the chain",
            f"{len(answers)} opened ballots, {len(chain)} receipts, "
            f"{payload['ballot_count']} signed",
        ),
        Check(
            record_digest(answers) == payload["record_digest"],
            "opened ballots match the signed digest",
        ),
    ]
    bare = [
        {
            **{k: v for k, v in q.items() if k != "blank"},
            "options": [
                {k: v for k, v in o.items() if k != "votes"} for o in q["options"]
            ],
        }
        for q in payload["questions"]
    ]
    recount = tally(bare, answers)
    invalid = sum(1 for a in answers if a is None)
    for signed, counted in zip(payload["questions"], recount, strict=True):
        checks.append(
            Check(
                signed == counted,
                f"recount of question {signed['id']}",
                ", ".join(f"{o['id']}: {o['votes']}" for o in counted["options"])
                + f", blank: {counted['blank']}",
            )
        )
    checks.append(
        Check(
            invalid == payload["invalid"],
            "invalid ballots",
            f"{invalid} counted, {payload['invalid']} signed",
        )
    )
    return checks
