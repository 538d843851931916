"""Open data as CSV: UTF-8 with a byte-order mark (so that spreadsheets read Arabic),
and no cell that a spreadsheet would run as a formula."""

import csv
import io

from flask import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Spreadsheets run cells that start with = + - @ (or a tab or carriage return
    before one) as formulas: quote them. None is an empty cell."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return "" if value is None else value


def csv_text(rows, fields) -> str:
    """A header line of ``fields``, then one line per ``row`` (dicts), cells made
    safe; other keys of the rows are left out."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: safe_cell(row[key]) for key in fields})
    return buffer.getvalue()


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
