"""Open data as CSV: UTF-8 with a byte-order mark (so that spreadsheets read Arabic),
and no cell that a spreadsheet would run as a formula."""

import csv
import io
from operator import itemgetter

from flask import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# One set look-up per cell (a 1,000-row export has 27,000 cells).
_FORMULA_FIRST = frozenset(FORMULA_STARTS)


def safe_cell(value):
    """Spreadsheets run cells that start with = + - @ (or a tab or carriage return
    before one) as formulas: quote them. None is an empty cell."""
    if isinstance(value, str) and value[:1] in _FORMULA_FIRST:
        return "'" + value
    return "" if value is None else value


def csv_text(rows, fields) -> str:
    """A header line of ``fields``, then one line per ``row`` (dicts), cells made
    safe; other keys of the rows are left out."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(fields)
    cells = _cells(fields)
    # Only strings whose first character starts a formula change (None is
    # already an empty cell to the csv writer): one expression per cell
    # instead of a call, and the rows written in one call.
    writer.writerows(
        [
            "'" + value
            if isinstance(value, str) and value[:1] in _FORMULA_FIRST
            else value
            for value in cells(row)
        ]
        for row in rows
    )
    return buffer.getvalue()


def _cells(fields):
    """A function giving a row's values of ``fields`` as a tuple."""
    if len(fields) == 1:
        key = fields[0]
        return lambda row: (row[key],)
    return itemgetter(*fields)


def csv_response(rows, fields, filename: str) -> Response:
    """The rows as a CSV download named ``filename``."""
    return csv_download(csv_text(rows, fields), filename)


def csv_download(text: str, filename: str) -> Response:
    """CSV text (already made safe) as a download named ``filename``."""
    return Response(
        "\ufeff" + text,
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
