"""Uploaded files, judged by their content, never by their name or declared type.

JPEG and PNG are opened with Pillow, verified, then re-encoded from their pixels
alone, so that no metadata survives: no EXIF (GPS position, camera), XMP, ICC
profile, JPEG comment or APP segment, PNG text chunk, and so no smuggled payload.
A PDF must start with the PDF signature and end with an end-of-file marker.
Domains wrap these checks in their own errors and messages, or use
:func:`check_upload` (its messages, their exception class) and :func:`store`.
"""

import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from pbvote.core import storage as stored_files

MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
SRGB = ImageCms.createProfile("sRGB")
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
        image = _pixels_only(ImageOps.exif_transpose(image))
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


def _pixels_only(image: Image.Image) -> Image.Image:
    """The image without what rides along with its pixels: Pillow copies a JPEG
    comment (COM), EXIF, XMP and an ICC profile from ``info`` into the file it
    saves, so an HTML payload in a comment would be served back. Colours in
    another profile are converted to sRGB first; palette transparency is kept."""
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "RGBA"):
        try:
            image = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                SRGB,
                outputMode=image.mode,
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: keep the pixels as they are
    image.info = {k: v for k, v in image.info.items() if k == "transparency"}
    return image


def safe_filename(name: str, extension: str, default: str = "file") -> str:
    """A display name without folders or odd characters, with the true extension."""
    stem = Path((name or "").replace("\\", "/")).name.rsplit(".", 1)[0]
    stem = unicodedata.normalize("NFC", stem)
    stem = re.sub(r"[^\w\- ]+", "", stem, flags=re.UNICODE).strip()
    stem = re.sub(r"\s+", "-", stem)[:80] or default  # names also appear in URLs
    return f"{stem}.{extension}"


MAX_BYTES = 5 * 1024 * 1024


@dataclass
class CheckedFile:
    filename: str
    content_type: str
    extension: str
    data: bytes


def check_upload(storage, error, field: str, *, images_only=False) -> CheckedFile:
    """Read and check one uploaded file (a werkzeug FileStorage): at most
    MAX_BYTES, a JPEG or PNG photo (re-encoded) or, unless ``images_only``, a
    complete PDF. Raises ``error(message, field)``, the calling domain's
    exception, with a translated sentence naming the file."""
    name = Path((storage.filename or "").replace("\\", "/")).name or _("your file")
    data = storage.stream.read(MAX_BYTES + 1)
    if not data or len(data) > MAX_BYTES:
        raise error(
            _(
                "“%(name)s” is empty or larger than %(size)d MB.",
                name=name,
                size=MAX_BYTES // (1024 * 1024),
            ),
            field,
        )
    content_type, extension = sniff(data[:16])
    if content_type is None or (images_only and extension == "pdf"):
        raise error(
            _("“%(name)s” is not a JPEG or PNG photo.", name=name)
            if images_only
            else _(
                "“%(name)s” is not a JPEG or PNG photo or a PDF document.", name=name
            ),
            field,
        )
    if extension == "pdf":
        if not is_complete_pdf(data):
            raise error(
                _("“%(name)s” is not a complete PDF document.", name=name), field
            )
    else:
        try:
            data = reencode_image(data, content_type, max_side=2400)
        except (ImageTooLarge, UnreadableImage) as exc:
            raise error(
                _("“%(name)s” is not a valid image: it may be damaged.", name=name),
                field,
            ) from exc
    return CheckedFile(safe_filename(name, extension), content_type, extension, data)


def store(folder: str, checked: CheckedFile) -> str:
    """Stage the file under ``STORAGE_DIR/<folder>`` with a random name; it is
    written only if the transaction commits. Returns the stored name."""
    return stored_files.stage(folder, checked.data, checked.extension)


def path_of(folder: str, stored_name: str) -> Path:
    return stored_files.path_of(folder, stored_name)
