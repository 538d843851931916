"""Uploaded files, judged by their content, never by their name or declared type.

JPEG and PNG are opened with Pillow, verified, then re-encoded from their pixels so
that no metadata (GPS position, camera, author) and no smuggled payload survives.
A PDF must start with the PDF signature and end with an end-of-file marker.
Domains wrap these checks in their own errors and messages.
"""

import io
import re
import unicodedata
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"%PDF-", "application/pdf", "pdf"),
)


class UnreadableImage(ValueError):
    """Not a valid image (damaged, or not what its signature says)."""


class ImageTooLarge(ValueError):
    """More pixels than MAX_PIXELS."""


def sniff(data: bytes) -> tuple[str | None, str | None]:
    """(content type, extension) from the first bytes, or (None, None)."""
    for signature, content_type, extension in SIGNATURES:
        if data.startswith(signature):
            return content_type, extension
    return None, None


def is_complete_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]


def reencode_image(
    data: bytes, content_type: str, max_side: int | None = None
) -> bytes:
    """The image's pixels saved again as ``content_type`` (JPEG or PNG), upright
    (EXIF orientation applied, then dropped), at most ``max_side`` pixels wide and
    high. Raises UnreadableImage, ImageTooLarge."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()  # structure and checksums
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise ImageTooLarge(f"{image.width}x{image.height}")
        image.load()
        image = ImageOps.exif_transpose(image)
        if max_side:
            image.thumbnail((max_side, max_side))
        out = io.BytesIO()
        if content_type == "image/jpeg":
            image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
        else:
            if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                image = image.convert("RGBA")
            image.save(out, "PNG", optimize=True)
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        if isinstance(exc, ImageTooLarge):
            raise
        raise UnreadableImage(str(exc)) from exc
    return out.getvalue()


def safe_filename(name: str, extension: str, default: str = "file") -> str:
    """A display name without folders or odd characters, with the true extension."""
    stem = Path((name or "").replace("\\", "/")).name.rsplit(".", 1)[0]
    stem = unicodedata.normalize("NFC", stem)
    stem = re.sub(r"[^\w\- ]+", "", stem, flags=re.UNICODE).strip()
    stem = re.sub(r"\s+", "-", stem)[:80] or default  # names also appear in URLs
    return f"{stem}.{extension}"
