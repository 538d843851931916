"""Open data as CSV: UTF-8 with a byte-order mark (so that spreadsheets read Arabic),
and no cell that a spreadsheet would run as a formula."""

import re
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


# The lines are written here rather than by the csv module: for a 1,000-row
# export (27,000 cells, half a megabyte) one pass that guards and quotes each
# cell costs half of csv.writer's own loop plus a guard pass. The text is the
# csv module's (excel dialect, minimal quoting): tests/perf/test_csv_reference.py.
_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def csv_text(rows, fields) -> str:
    """A header line of ``fields``, then one line per ``row`` (dicts), cells made
    safe; other keys of the rows are left out."""
    cells = _cells(fields)
    lines = [_line(fields)]
    lines += [_line(cells(row)) for row in rows]
    lines.append("")
    return "\r\n".join(lines)


def _line(values) -> str:
    """One CSV line: None is an empty cell, a string that a spreadsheet would
    run as a formula gets a leading quote, and a cell with a comma, a double
    quote or a line break is quoted (its double quotes doubled)."""
    line = []
    for value in values:
        if value is None:
            text = ""
        elif isinstance(value, str):
            text = "'" + value if value[:1] in _FORMULA_FIRST else value
        else:
            text = str(value)
        if _NEEDS_QUOTES.search(text) is not None:
            text = '"' + text.replace('"', '""') + '"'
        line.append(text)
    if len(line) == 1 and not line[0]:
        return '""'  # a lone empty cell, written so that the line is not blank
    return ",".join(line)


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
