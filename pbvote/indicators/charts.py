"""Bar charts drawn on the server as plain geometry for an SVG template: no
script, and every chart is followed by its data table for screen readers."""

NOT_AVAILABLE = "unavailable"
from pbvote.indicators.services import SUPPRESSED

WIDTH = 640
LABEL_WIDTH = 250
BAR_AREA = 300
ROW_HEIGHT = 26


def bars(indicator: dict) -> dict | None:
    """The bars of the rows that share the indicator's first unit, or None when
    there is nothing to draw. Suppressed and missing values get no bar."""
    rows = indicator["rows"]
    if not rows:
        return None
    unit = rows[0]["unit"]
    chosen = [r for r in rows if r["unit"] == unit]
    numbers = [r["value"] for r in chosen if _is_number(r["value"])]
    if not numbers:
        return None
    top = max(max(numbers), 1)
    items = []
    for index, row in enumerate(chosen):
        value = row["value"]
        length = round(BAR_AREA * value / top) if _is_number(value) else 0
        items.append(
            {
                "label": row["label"],
                "y": index * ROW_HEIGHT,
                "length": length,
                "text": _text(value),
            }
        )
    return {
        "items": items,
        "height": len(items) * ROW_HEIGHT,
        "width": WIDTH,
        "label_width": LABEL_WIDTH,
    }


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value) -> str:
    if value is None:
        return "-"
    if value in (SUPPRESSED, NOT_AVAILABLE):
        return "" if value == NOT_AVAILABLE else SUPPRESSED
    return f"{value:g}" if isinstance(value, float) else str(value)
