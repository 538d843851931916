"""The surveys blueprint and the lookups its route modules share, so that
no route module imports another (``views`` imports them all at the top)."""

from flask import Blueprint

bp = Blueprint("surveys", __name__)
