"""Arabic text for the PDF report: contextual shaping and right-to-left lines.

reportlab draws code points as they come, left to right, without the contextual
forms Arabic needs. Two steps for the simple text of a report (titles, reasons,
labels): arabic-reshaper gives each letter its presentation form (which DejaVu
Sans covers) and its ligatures; then each line is put in visual order here:
right-to-left runs reversed with their brackets mirrored, runs of Latin letters and
digits kept left to right. (python-bidi 0.6 does not mirror brackets, hence this
small reordering of our own; report text needs no embedding levels.)
"""

import unicodedata

import arabic_reshaper

_MIRROR = {
    "(": ")",
    ")": "(",
    "[": "]",
    "]": "[",
    "«": "»",
    "»": "«",
    "<": ">",
    ">": "<",
    "{": "}",
    "}": "{",
}


def has_arabic(text: str) -> bool:
    return any(
        "\u0600" <= char <= "\u06ff" or "\ufe70" <= char <= "\ufeff"
        for char in text or ""
    )


def shape(text: str) -> str:
    """Contextual forms and ligatures (arabic-reshaper), still in logical order."""
    return arabic_reshaper.reshape(text or "")


def _is_ltr(char: str) -> bool:
    return unicodedata.bidirectional(char) in ("L", "EN", "AN") or char in "%.,:/-+"


def visual(line: str) -> str:
    """One line of (mostly) Arabic text, shaped and in visual order for a
    left-to-right renderer: runs of Latin letters and digits stay as they are,
    everything else is reversed, and the order of the runs is reversed."""
    shaped = shape(line)
    runs: list[tuple[bool, str]] = []
    for char in shaped:
        ltr = _is_ltr(char) and not ("\ufe70" <= char <= "\ufeff")
        if ltr and char in "%.,:/-+" and not (runs and runs[-1][0]):
            ltr = False  # punctuation joins a left-to-right run, never starts one
        if runs and runs[-1][0] == ltr:
            runs[-1] = (ltr, runs[-1][1] + char)
        else:
            runs.append((ltr, char))
    # Neutral characters (spaces, punctuation) between two left-to-right runs
    # belong to them: "Service des travaux" stays one run.
    merged: list[tuple[bool, str]] = []
    index = 0
    while index < len(runs):
        ltr, text = runs[index]
        if (
            not ltr
            and merged
            and merged[-1][0]
            and index + 1 < len(runs)
            and runs[index + 1][0]
            and not has_arabic(text)
        ):
            merged[-1] = (True, merged[-1][1] + text + runs[index + 1][1])
            index += 2
            continue
        if merged and merged[-1][0] == ltr:
            merged[-1] = (ltr, merged[-1][1] + text)
        else:
            merged.append((ltr, text))
        index += 1
    runs = merged
    pieces = []
    for ltr, text in reversed(runs):
        if ltr:
            pieces.append(text)
        else:
            pieces.append("".join(_MIRROR.get(c, c) for c in reversed(text)))
    return "".join(pieces)


def wrap_visual(text: str, width: float, font: str, size: float) -> list[str]:
    """Break Arabic text into lines that fit ``width`` (in the logical order, so
    the first words are on the first line) and return each line in visual order."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, current = [], ""
    for word in (text or "").split():
        trial = f"{current} {word}" if current else word
        if current and stringWidth(shape(trial), font, size) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return [visual(line) for line in lines]
