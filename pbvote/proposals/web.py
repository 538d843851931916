"""The proposals blueprint and the lookups its route modules share.

``views`` (pages and forms), ``api``, ``exports`` and ``moderation`` all add routes
to ``bp`` from here, so none of them imports another and ``views`` (the module the
app registers) imports the others once, at the top.
"""

from flask import Blueprint

from pbvote.communes.web import row_or_404
from pbvote.proposals.models import Comment

bp = Blueprint("proposals", __name__)


def comment_or_404(comment_id: int) -> Comment:
    """The comment with that id on a proposal of this commune, or a 404 page."""
    return row_or_404(Comment, comment_id, lambda row: row.proposal.cycle.commune_id)
