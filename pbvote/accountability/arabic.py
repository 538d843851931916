"""Arabic text for the PDF report: contextual shaping and right-to-left lines.

reportlab draws code points as they come, left to right, without the contextual
forms Arabic needs, and no shaping library is installed. This module does the two
steps for the simple text of a report (titles, reasons, labels): each letter takes
its isolated, initial, medial or final presentation form (Unicode Arabic
Presentation Forms-B, which DejaVu Sans covers), lam-alef becomes its ligature,
and each line is put in visual order: right-to-left runs reversed, runs of Latin
letters and digits kept left to right. It is not the full Unicode bidirectional
algorithm (no embedding levels), which report text does not need.
"""

import unicodedata

# letter: (isolated, final, initial, medial); two forms for right-joining letters.
_FORMS = {
    "\u0621": (0xFE80,),
    "\u0622": (0xFE81, 0xFE82), "\u0623": (0xFE83, 0xFE84), "\u0624": (0xFE85, 0xFE86),
    "\u0625": (0xFE87, 0xFE88), "\u0626": (0xFE89, 0xFE8A, 0xFE8B, 0xFE8C),
    "\u0627": (0xFE8D, 0xFE8E), "\u0628": (0xFE8F, 0xFE90, 0xFE91, 0xFE92),
    "\u0629": (0xFE93, 0xFE94), "\u062A": (0xFE95, 0xFE96, 0xFE97, 0xFE98),
    "\u062B": (0xFE99, 0xFE9A, 0xFE9B, 0xFE9C), "\u062C": (0xFE9D, 0xFE9E, 0xFE9F, 0xFEA0),
    "\u062D": (0xFEA1, 0xFEA2, 0xFEA3, 0xFEA4), "\u062E": (0xFEA5, 0xFEA6, 0xFEA7, 0xFEA8),
    "\u062F": (0xFEA9, 0xFEAA), "\u0630": (0xFEAB, 0xFEAC), "\u0631": (0xFEAD, 0xFEAE),
    "\u0632": (0xFEAF, 0xFEB0), "\u0633": (0xFEB1, 0xFEB2, 0xFEB3, 0xFEB4),
    "\u0634": (0xFEB5, 0xFEB6, 0xFEB7, 0xFEB8), "\u0635": (0xFEB9, 0xFEBA, 0xFEBB, 0xFEBC),
    "\u0636": (0xFEBD, 0xFEBE, 0xFEBF, 0xFEC0), "\u0637": (0xFEC1, 0xFEC2, 0xFEC3, 0xFEC4),
    "\u0638": (0xFEC5, 0xFEC6, 0xFEC7, 0xFEC8), "\u0639": (0xFEC9, 0xFECA, 0xFECB, 0xFECC),
    "\u063A": (0xFECD, 0xFECE, 0xFECF, 0xFED0), "\u0641": (0xFED1, 0xFED2, 0xFED3, 0xFED4),
    "\u0642": (0xFED5, 0xFED6, 0xFED7, 0xFED8), "\u0643": (0xFED9, 0xFEDA, 0xFEDB, 0xFEDC),
    "\u0644": (0xFEDD, 0xFEDE, 0xFEDF, 0xFEE0), "\u0645": (0xFEE1, 0xFEE2, 0xFEE3, 0xFEE4),
    "\u0646": (0xFEE5, 0xFEE6, 0xFEE7, 0xFEE8), "\u0647": (0xFEE9, 0xFEEA, 0xFEEB, 0xFEEC),
    "\u0648": (0xFEED, 0xFEEE), "\u0649": (0xFEEF, 0xFEF0),
    "\u064A": (0xFEF1, 0xFEF2, 0xFEF3, 0xFEF4),
}
_LAM_ALEF = {"\u0622": (0xFEF5, 0xFEF6), "\u0623": (0xFEF7, 0xFEF8),
             "\u0625": (0xFEF9, 0xFEFA), "\u0627": (0xFEFB, 0xFEFC)}
_TATWEEL = "\u0640"
_MIRROR = {"(": ")", ")": "(", "[": "]", "]": "[", "«": "»", "»": "«", "<": ">",
           ">": "<", "{": "}", "}": "{"}


def _transparent(char: str) -> bool:
    return unicodedata.category(char) == "Mn"  # harakat


def _joins_left(char: str | None) -> bool:
    """Can connect to the following letter (dual-joining letters, tatweel)."""
    return char == _TATWEEL or len(_FORMS.get(char, ())) == 4


def _joins_right(char: str | None) -> bool:
    """Can connect to the preceding letter."""
    return char == _TATWEEL or len(_FORMS.get(char, ())) >= 2


def has_arabic(text: str) -> bool:
    return any("\u0600" <= char <= "\u06FF" or "\uFE70" <= char <= "\uFEFF"
               for char in text or "")


def shape(text: str) -> str:
    """Contextual forms and lam-alef ligatures, still in logical order."""
    letters = list(text)
    out = []
    i = 0
    while i < len(letters):
        char = letters[i]
        if char not in _FORMS:
            out.append(char)
            i += 1
            continue
        prev = _neighbour(letters, i, -1)
        nxt_index = _neighbour_index(letters, i, 1)
        nxt = letters[nxt_index] if nxt_index is not None else None
        joined_before = _joins_left(prev) and _joins_right(char)
        if char == "\u0644" and nxt in _LAM_ALEF:
            out.append(chr(_LAM_ALEF[nxt][1 if joined_before else 0]))
            # keep marks between lam and alef, drop the alef itself
            out.extend(letters[i + 1:nxt_index])
            i = nxt_index + 1
            continue
        joined_after = _joins_left(char) and _joins_right(nxt)
        forms = _FORMS[char]
        if joined_before and joined_after:
            form = forms[3]
        elif joined_before:
            form = forms[1] if len(forms) > 1 else forms[0]
        elif joined_after:
            form = forms[2]
        else:
            form = forms[0]
        out.append(chr(form))
        i += 1
    return "".join(out)


def _neighbour_index(letters, i, step):
    j = i + step
    while 0 <= j < len(letters) and _transparent(letters[j]):
        j += step
    return j if 0 <= j < len(letters) else None


def _neighbour(letters, i, step):
    j = _neighbour_index(letters, i, step)
    return letters[j] if j is not None else None


def _is_ltr(char: str) -> bool:
    return unicodedata.bidirectional(char) in ("L", "EN", "AN") or char in "%.,:/-+"


def visual(line: str) -> str:
    """One line of (mostly) Arabic text, shaped and in visual order for a
    left-to-right renderer: runs of Latin letters and digits stay as they are,
    everything else is reversed, and the order of the runs is reversed."""
    shaped = shape(line)
    runs: list[tuple[bool, str]] = []
    for char in shaped:
        ltr = _is_ltr(char) and not ("\uFE70" <= char <= "\uFEFF")
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
        if (not ltr and merged and merged[-1][0] and index + 1 < len(runs)
                and runs[index + 1][0] and not has_arabic(text)):
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
