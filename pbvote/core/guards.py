"""Request-level guards that keep hostile input away from PostgreSQL.

PostgreSQL refuses integers past 2**31 - 1 in ``integer`` columns and NUL bytes in
text; unguarded, both surface as 500 pages. The rules here are applied once, for
every route, instead of in each form:

* ``<int:...>`` in a route matches only 1 .. 2**31 - 1: larger ids are 404.
* A NUL byte anywhere in the path, the query, a form field or a file name answers
  400 with a page naming the field (one rule for every text field and sign-in).
* An out-of-range integer that still reaches the database (a ``?cycle=`` filter,
  an id in a form) is a row that cannot exist: 404, after a rollback.
"""

from flask import Flask, request
from flask_babel import gettext as _
from sqlalchemy.exc import DataError
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.routing import IntegerConverter

MAX_DB_INT = 2**31 - 1  # PostgreSQL ``integer``, the type of every id column


class DbIntegerConverter(IntegerConverter):
    """``<int:...>`` bounded to what an ``integer`` column can hold."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        super().__init__(
            map,
            fixed_digits=fixed_digits,
            min=1 if min is None else min,
            max=MAX_DB_INT if max is None else max,
            signed=signed,
        )


class UnacceptableCharacter(BadRequest):
    """A NUL byte in the request; the description names where."""


def _nul_field(request) -> str | None:
    """The name of the first place holding a NUL byte, or None."""
    if "\x00" in request.path:
        return _("the address")
    # Without a Content-Type Werkzeug reads no form and no file: building the
    # empty ones only to look through them was a fortieth of a page (issue 13).
    sent = request.want_form_data_parsed
    for source in (request.args, request.form) if sent else (request.args,):
        for key, values in source.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return key.replace("\x00", "")
    for key, storage in request.files.items(multi=True) if sent else ():
        if "\x00" in key or "\x00" in (storage.filename or ""):
            return key.replace("\x00", "")
    return None


def refuse_nul_bytes():
    field = _nul_field(request._get_current_object())  # one proxy look-up
    if field is not None:
        raise UnacceptableCharacter(
            _(
                "The field “%(field)s” contains a character that cannot be accepted "
                "(a NUL byte). Remove it and send the form again.",
                field=field,
            )
        )


def _out_of_range(error: DataError) -> bool:
    # 22003 numeric_value_out_of_range; psycopg refuses NUL before sending.
    return getattr(error.orig, "sqlstate", None) == "22003"


def register(app: Flask) -> None:
    app.url_map.converters["int"] = DbIntegerConverter
    app.before_request(refuse_nul_bytes)

    @app.errorhandler(DataError)
    def data_error(error):
        from pbvote.extensions import db

        db.session.rollback()
        if _out_of_range(error):  # answered by the app's own 404 page
            return app.handle_http_exception(NotFound())
        if "NUL" in str(error.orig):
            return app.handle_http_exception(BadRequest())
        raise error
