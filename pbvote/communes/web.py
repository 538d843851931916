"""What views of every domain need about the commune they serve."""

from flask import abort

from pbvote.communes.services import current_commune
from pbvote.extensions import db


def row_or_404(model, row_id: int, commune_of=lambda row: row.commune_id):
    """The ``model`` row with that id if it belongs to this installation's commune
    (``commune_of`` finds its commune id), else a 404 page: ids of another commune
    are never revealed. Ids beyond PostgreSQL's integer range are 404s too, not
    database errors."""
    if not 0 < row_id < 2**31:
        abort(404)
    row = db.session.get(model, row_id)
    if row is None or commune_of(row) != current_commune().id:
        abort(404)
    return row
