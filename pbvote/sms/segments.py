"""How many SMS segments a text takes, as a gateway bills them: GSM-7 texts fit 160
characters in one segment (153 per part when split), any other character makes the
whole text UCS-2, 70 characters (67 per part). Characters of the GSM-7 extension
table count twice; outside the Basic Multilingual Plane a character counts twice
in UCS-2 (two UTF-16 code units)."""

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "^{}\\[~]|€\f"
_BASIC = frozenset(GSM7_BASIC)
_EXTENSION = frozenset(GSM7_EXTENSION)


def is_gsm7(text: str) -> bool:
    return all(char in _BASIC or char in _EXTENSION for char in text)


def units(text: str) -> tuple[str, int]:
    """The encoding ("gsm7" or "ucs2") and the length in its units."""
    if is_gsm7(text):
        return "gsm7", sum(2 if char in _EXTENSION else 1 for char in text)
    return "ucs2", len(text.encode("utf-16-le")) // 2


def segments(text: str) -> int:
    """How many segments the text is sent in (0 for an empty text)."""
    encoding, length = units(text)
    single, part = (160, 153) if encoding == "gsm7" else (70, 67)
    if length <= single:
        return 1 if length else 0
    return -(-length // part)
