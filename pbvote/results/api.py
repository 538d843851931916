"""Read-only JSON API for published results and the public ballot record."""

from flask import jsonify, request, url_for
from flask_babel import gettext as _

from pbvote.api.registry import add_paths
from pbvote.communes.services import current_commune
from pbvote.core.pagination import page_json, paginate, requested_page
from pbvote.cycles.services import get_cycle
from pbvote.results import record, services
from pbvote.results.models import PublicBallot, PublicChainEntry
from pbvote.results.web import bp
from pbvote.voting.reports import report_counts
from pbvote.voting.sealing import fingerprint
from pbvote.voting.services import normalise_receipt

PAGE_SIZE = 100


def _not_found(message: str):
    return jsonify({"error": "not_found", "message": message}), 404


def _published(cycle_id: int):
    cycle = get_cycle(current_commune(), cycle_id)
    if cycle is None:
        return None, None, _not_found(_("No such cycle."))
    run = services.published_run(cycle.id)
    if run is None:
        return (
            cycle,
            None,
            _not_found(
                _(
                    "The results of this cycle are not "
                    "published yet: they appear after the "
                    "count."
                )
            ),
        )
    return cycle, run, None


@bp.route("/api/v1/cycles/<int:cycle_id>/results")
def api_results(cycle_id: int):
    cycle, run, error = _published(cycle_id)
    if error:
        return error
    scopes = services.export_scopes(run)
    return jsonify(
        {
            "cycle_id": cycle.id,
            "year": cycle.year,
            "status": run.status,
            "published_at": run.finished_at_dt.isoformat(),
            "chain_head": run.chain_head,
            "ballot_count": run.ballot_count,
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
            "integrity_reports": report_counts(cycle.id),
            "signing_key_fingerprint": fingerprint(run.signing_public),
            "downloads": {
                "json": url_for("results.record_json", cycle_id=cycle.id),
                "chain_csv": url_for("results.chain_csv", cycle_id=cycle.id),
                "ballots_csv": url_for("results.ballots_csv", cycle_id=cycle.id),
                "pb": {
                    str(s["scope_id"]): url_for(
                        "results.record_pb", cycle_id=cycle.id, scope_id=s["scope_id"]
                    )
                    for s in scopes
                },
            },
        }
    )


@bp.route("/api/v1/cycles/<int:cycle_id>/ballot-chain")
def api_ballot_chain(cycle_id: int):
    cycle, run, error = _published(cycle_id)
    if error:
        return error
    typed = request.args.get("receipt", "")
    receipt = normalise_receipt(typed)
    if typed and len(receipt) < 8:
        return jsonify(
            {
                "error": "bad_receipt",
                "message": _(
                    "Give at least the first 8 characters of "
                    "the receipt (digits 0–9 and letters "
                    "a–f)."
                ),
            }
        ), 400
    if receipt:
        page = paginate(services.chain_query(run, receipt=receipt), size=PAGE_SIZE)
    else:
        page = services.numbered_page(
            services.chain_query(run),
            PublicChainEntry.position,
            run.ballot_count or 0,
            requested_page("page", PAGE_SIZE),
            PAGE_SIZE,
        )
    return jsonify(
        {
            "cycle_id": cycle.id,
            "chain_head": run.chain_head,
            **page_json(page),
            "items": [record.chain_json(e) for e in page.items],
        }
    )


@bp.route("/api/v1/cycles/<int:cycle_id>/opened-ballots")
def api_opened_ballots(cycle_id: int):
    cycle, run, error = _published(cycle_id)
    if error:
        return error
    page = services.numbered_page(
        services.ballots_query(run),
        PublicBallot.shuffled_index,
        run.ballot_count or 0,
        requested_page("page", PAGE_SIZE),
        PAGE_SIZE,
    )
    return jsonify(
        {
            "cycle_id": cycle.id,
            **page_json(page),
            "items": [record.ballot_json(b) for b in page.items],
        }
    )


_CYCLE_PARAM = {
    "name": "cycle_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
}
add_paths(
    {
        "/api/v1/cycles/{cycle_id}/results": {
            "get": {
                "summary": "Published results of a cycle: per scope, votes per project, "
                "winners, money used; the signed result and the public keys",
                "parameters": [_CYCLE_PARAM],
                "responses": {
                    "200": {"description": "published results"},
                    "404": {"description": "no such cycle, or not published yet"},
                },
            }
        },
        "/api/v1/cycles/{cycle_id}/ballot-chain": {
            "get": {
                "summary": "The ballot box: every receipt in hash-chain order with its "
                "position and links, 100 per page",
                "parameters": [
                    _CYCLE_PARAM,
                    {"name": "page", "in": "query", "schema": {"type": "integer"}},
                    {
                        "name": "receipt",
                        "in": "query",
                        "description": "only receipts starting with these hex digits "
                        "(at least 8)",
                        "schema": {"type": "string"},
                    },
                ],
                "responses": {
                    "200": {"description": "one page of the chain"},
                    "400": {"description": "fewer than 8 hex digits of receipt"},
                    "404": {"description": "no such cycle, or not published yet"},
                },
            }
        },
        "/api/v1/cycles/{cycle_id}/opened-ballots": {
            "get": {
                "summary": "The opened ballots (scope and chosen projects, no receipt) in "
                "their shuffled order, 100 per page",
                "parameters": [
                    _CYCLE_PARAM,
                    {"name": "page", "in": "query", "schema": {"type": "integer"}},
                ],
                "responses": {
                    "200": {"description": "one page of the opened ballots"},
                    "404": {"description": "no such cycle, or not published yet"},
                },
            }
        },
    }
)
