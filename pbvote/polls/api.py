"""Read-only API: polls, their questions, their ballot box (counts and chain head,
never a choice while sealed) and, once published, the signed results."""

import json

from flask import jsonify
from sqlalchemy import select

from pbvote.api.registry import add_paths
from pbvote.communes.services import current_commune
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.polls import services
from pbvote.polls.counting import questions_json
from pbvote.polls.models import Poll, PollResult
from pbvote.polls.web import bp


def _poll_json(poll: Poll, now) -> dict:
    return {
        "id": poll.id,
        "title_ar": poll.title_ar,
        "title_fr": poll.title_fr,
        "opens_at": poll.opens_at_dt.isoformat(),
        "closes_at": poll.closes_at_dt.isoformat(),
        "state": poll.phase(now),
    }


@bp.route("/api/v1/polls")
def api_polls():
    now = utcnow()
    polls = db.session.scalars(
        select(Poll)
        .where(Poll.commune_id == current_commune().id, Poll.status != "draft")
        .order_by(Poll.closes_at_dt.desc(), Poll.id.desc())
        .limit(200)
    )
    return jsonify({"items": [_poll_json(poll, now) for poll in polls]})


@bp.route("/api/v1/polls/<int:poll_id>")
def api_poll(poll_id: int):
    poll = db.session.get(Poll, poll_id)
    if (
        poll is None
        or poll.commune_id != current_commune().id
        or poll.status == "draft"
    ):
        return jsonify({"error": "not_found", "message": "No such poll."}), 404
    box = services.ballot_box(poll)
    result = db.session.get(PollResult, poll.id)
    return jsonify(
        {
            **_poll_json(poll, utcnow()),
            "questions": questions_json(poll),
            "ballot_box": {
                "voted": box["voted"],
                "ballots": box["count"],
                "waiting": box["waiting"],
                "head": box["head"],
                "signing_key_fingerprint": services.key_fingerprint(poll) or None,
            },
            # Sealed until the count publishes: then the signed payload and its
            # signature (the whole record is /polls/<id>/record.json).
            "results": {
                "payload": json.loads(result.payload),
                "signature": result.signature,
            }
            if result
            else None,
        }
    )


_POLL = [
    {"name": "poll_id", "in": "path", "required": True, "schema": {"type": "integer"}}
]
add_paths(
    {
        "/api/v1/polls": {
            "get": {
                "summary": "Polls (not drafts), newest first",
                "responses": {"200": {"description": "polls"}},
            }
        },
        "/api/v1/polls/{poll_id}": {
            "get": {
                "summary": "A poll: questions, ballot box, and its signed results "
                "once published (null while sealed)",
                "parameters": _POLL,
                "responses": {
                    "200": {"description": "the poll"},
                    "404": {"description": "no such poll"},
                },
            }
        },
    }
)
