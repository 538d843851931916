"""The indicators blueprint, shared by its route modules (``views`` imports them
all at the top, so no route module imports another)."""

from flask import Blueprint

bp = Blueprint("indicators", __name__)
