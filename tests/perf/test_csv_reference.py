"""The CSV writer's fast path (one expression per cell, rows written at once)
gives exactly the text of the DictWriter version it replaced, kept here."""

import csv
import io
from datetime import date

from pbvote.core.csvdata import FORMULA_STARTS, csv_text, safe_cell


def reference_csv_text(rows, fields) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: safe_cell(row[key]) for key in fields})
    return buffer.getvalue()


TRICKY = [
    None,
    "",
    "plain",
    "=SUM(A1)",
    "+212600",
    "-5",
    "@cmd",
    "\t=1",
    "\r=1",
    " =1",  # a space first: not a formula
    "'=already",
    'say "hi", then\nnew line',
    "مشروع",
    0,
    -5,
    1.5,
    True,
    False,
    date(2026, 1, 2),
]


def test_the_fast_csv_gives_the_reference_text():
    fields = ("a", "b", "c")
    rows = [
        {"a": x, "b": y, "c": f"{x}", "extra": "left out"}
        for x in TRICKY
        for y in TRICKY
    ]
    assert csv_text(rows, fields) == reference_csv_text(rows, fields)
    for value in TRICKY:  # one column: an empty cell is written as ""
        assert csv_text([{"a": value}], ("a",)) == reference_csv_text(
            [{"a": value}], ("a",)
        )
    assert csv_text([], fields) == reference_csv_text([], fields)


def test_every_formula_start_is_quoted():
    for start in FORMULA_STARTS:
        text = csv_text([{"a": start + "1", "b": 2}], ("a", "b"))
        assert list(csv.reader(io.StringIO(text)))[1] == ["'" + start + "1", "2"]
