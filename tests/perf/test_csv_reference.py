"""The CSV writer's fast path (one pass per cell that guards and quotes, lines
joined at once) gives exactly the text of the csv.DictWriter version it
replaced, kept here."""

import csv
import io
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

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
    "a,b",
    "cr\ronly",
    '"',
    '""',
    "\x00nul",
    "'",
    "ends with space ",
    "=",
    "مشروع",
    0,
    -5,
    1.5,
    True,
    False,
    date(2026, 1, 2),
    Decimal("1.50"),
    float("nan"),
    1e-7,
    ["a", "b"],  # not a CSV value, but str() of it has a comma: quoted alike
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


CELL = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from(list(",\"\r\n\t =+-@'aب é")), max_size=6),
    st.text(max_size=4),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(CELL, min_size=3, max_size=3), max_size=5), CELL)
def test_any_cells_give_the_reference_text(rows, lone):
    fields = ("a", "b", "c")
    dicts = [dict(zip(fields, row, strict=True)) for row in rows]
    assert csv_text(dicts, fields) == reference_csv_text(dicts, fields)
    assert csv_text([{"a": lone}], ("a",)) == reference_csv_text([{"a": lone}], ("a",))
