"""The results blueprint, shared by ``views`` and ``api`` so neither imports the
other."""

from flask import Blueprint

bp = Blueprint("results", __name__)
