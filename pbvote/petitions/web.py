"""The petitions blueprint and the lookups its route modules share, so that
no route module imports another (``views`` imports them all at the top)."""

from flask import Blueprint, abort
from flask_login import current_user

from pbvote.communes.web import row_or_404
from pbvote.petitions.models import Petition

bp = Blueprint("petitions", __name__)


def petition_or_404(petition_id: int, *, public: bool = True) -> Petition:
    petition = row_or_404(Petition, petition_id)
    mine = current_user.is_authenticated and petition.author_id == current_user.id
    if public and not petition.is_public and not mine:
        abort(404)
    return petition
