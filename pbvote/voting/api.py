"""Read-only API: the public ballot record (counts and hash chain, never choices
while they are sealed). Chain entries carry no scope and no day: the scope is
inside the sealed choice, and the order says nothing beyond the mixing batch."""

from flask import jsonify
from sqlalchemy import select

from pbvote.api.registry import add_paths
from pbvote.communes.services import current_commune
from pbvote.core.pagination import page_json, paginate
from pbvote.cycles.services import get_cycle
from pbvote.voting import services
from pbvote.voting.models import Ballot
from pbvote.voting.web import bp


def _not_found():
    return jsonify({"error": "not_found", "message": "No such cycle."}), 404


@bp.route("/api/v1/cycles/<int:cycle_id>/ballot-box")
def api_ballot_box(cycle_id: int):
    cycle = get_cycle(current_commune(), cycle_id)
    if cycle is None:
        return _not_found()
    box = services.ballot_box(cycle)
    key = box["key"]
    return jsonify(
        {
            "cycle_id": cycle.id,
            "ballots": box["count"],
            "waiting": box["waiting"],
            "head": box["head"],
            "signing_key_fingerprint": services.key_fingerprint(key.signing_public)
            if key
            else None,
            "sealing_public_key": key.sealing_public.hex() if key else None,
            "signing_public_key": key.signing_public.hex() if key else None,
        }
    )


@bp.route("/api/v1/cycles/<int:cycle_id>/ballot-box/chain")
def api_ballot_chain(cycle_id: int):
    cycle = get_cycle(current_commune(), cycle_id)
    if cycle is None:
        return _not_found()
    page = paginate(
        select(Ballot).where(Ballot.cycle_id == cycle.id).order_by(Ballot.position),
        size=100,
    )
    return jsonify(
        {
            **page_json(page),
            "items": [
                {
                    "position": b.position,
                    "receipt": b.receipt,
                    "previous_hash": b.previous_hash,
                    "chain_hash": b.chain_hash,
                }
                for b in page.items
            ],
        }
    )


_CYCLE = [
    {"name": "cycle_id", "in": "path", "required": True, "schema": {"type": "integer"}}
]
add_paths(
    {
        "/api/v1/cycles/{cycle_id}/ballot-box": {
            "get": {
                "summary": "The ballot box: number of ballots, hash-chain head, public keys",
                "parameters": _CYCLE,
                "responses": {
                    "200": {"description": "ballot box"},
                    "404": {"description": "no such cycle"},
                },
            }
        },
        "/api/v1/cycles/{cycle_id}/ballot-box/chain": {
            "get": {
                "summary": "The hash chain of ballots: receipts and links, in order, 100 a page",
                "parameters": _CYCLE
                + [
                    {
                        "name": "page",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1},
                    }
                ],
                "responses": {
                    "200": {"description": "a page of the chain"},
                    "404": {"description": "no such cycle"},
                },
            }
        },
    }
)
