from flask import Blueprint

bp = Blueprint("accountability", __name__)
