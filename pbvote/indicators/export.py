"""The CSV of every figure: the dashboard download and the reports."""

import csv
import io

from pbvote.core.csvdata import safe_cell


def render_csv(data: dict) -> str:
    """Every figure, one line each, with the previous period's value."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["indicator", "figure", "label", "unit", "value", "previous"])
    for indicator in data["indicators"]:
        for row in indicator["rows"]:
            writer.writerow(
                [
                    indicator["key"],
                    row["key"],
                    safe_cell(row["label"]),
                    row["unit"],
                    _blank(row["value"]),
                    _blank(row["previous"]),
                ]
            )
    return out.getvalue()


def _blank(value) -> str:
    return "" if value is None else str(value)
