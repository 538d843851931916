"""Attachments: checked by their content, never by their name or declared type.

JPEG and PNG are opened with Pillow, verified, then re-encoded from their pixels so
that no metadata (GPS position, camera, author) and no smuggled payload survives.
PDF files must start with the PDF signature and end with an end-of-file marker; they
are served as downloads only. Files live under ``UPLOAD_DIR/proposals`` with random
names.
"""

import io
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from pbvote.proposals.errors import InvalidUpload

MAX_ATTACHMENTS = 5
MAX_PIXELS = 40_000_000  # refuses decompression bombs
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"%PDF-", "application/pdf", "pdf"),
)


@dataclass
class CheckedFile:
    filename: str
    content_type: str
    extension: str
    data: bytes


def max_bytes() -> int:
    return current_app.config.get("PROPOSAL_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)


def clean_filename(name: str, extension: str) -> str:
    """A display name without paths or odd characters, with the true extension."""
    stem = Path((name or "").replace("\\", "/")).name.rsplit(".", 1)[0]
    stem = unicodedata.normalize("NFC", stem)
    stem = re.sub(r"[^\w\- ]+", "", stem, flags=re.UNICODE).strip()[:80] or "file"
    return f"{stem}.{extension}"


def _sniff(head: bytes):
    for signature, content_type, extension in SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    return None, None


def _reencode(data: bytes, content_type: str, name: str) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()  # structure and checksums
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise InvalidUpload(_("“%(name)s” is too large an image (more than 40 "
                                  "million pixels).", name=name), "attachments")
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError) as exc:
        raise InvalidUpload(_("“%(name)s” is not a valid image: it may be damaged. "
                              "Take the photo again or choose another file.",
                              name=name), "attachments") from exc
    image = ImageOps.exif_transpose(image)  # keep the orientation, drop the EXIF
    out = io.BytesIO()
    if content_type == "image/jpeg":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    else:
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def check_file(storage) -> CheckedFile:
    """Read an uploaded file (a werkzeug FileStorage) and check it.

    Raises InvalidUpload with a sentence naming the file.
    """
    name = Path((storage.filename or "").replace("\\", "/")).name or _("your file")
    limit = max_bytes()
    data = storage.stream.read(limit + 1)
    if not data:
        raise InvalidUpload(_("“%(name)s” is empty.", name=name), "attachments")
    if len(data) > limit:
        raise InvalidUpload(_("“%(name)s” is larger than %(size)d MB. Send a smaller "
                              "file (a photo from a phone is usually enough).",
                              name=name, size=limit // (1024 * 1024)), "attachments")
    content_type, extension = _sniff(data[:16])
    if content_type is None:
        raise InvalidUpload(_("“%(name)s” is not a JPEG or PNG photo or a PDF "
                              "document, whatever its name says. Only those three "
                              "kinds of file are accepted.", name=name), "attachments")
    if extension == "pdf":
        if b"%%EOF" not in data[-2048:]:
            raise InvalidUpload(_("“%(name)s” is not a complete PDF document.",
                                  name=name), "attachments")
    else:
        data = _reencode(data, content_type, name)
    return CheckedFile(clean_filename(name, extension), content_type, extension, data)


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "proposals"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(checked: CheckedFile) -> str:
    """Write the file under a random name; returns that name."""
    stored_name = f"{secrets.token_urlsafe(24)}.{checked.extension}"
    (upload_dir() / stored_name).write_bytes(checked.data)
    return stored_name


def path_of(stored_name: str) -> Path:
    return upload_dir() / Path(stored_name).name


def remove(stored_name: str) -> None:
    path_of(stored_name).unlink(missing_ok=True)
