"""Photos and documents attached to updates, checked by their content.

Photos must really be JPEG or PNG (opened by Pillow) and are re-encoded, which
drops EXIF/GPS and any other metadata; documents must really be PDF (magic bytes).
Everything is size-limited; names are made safe. Files are stored in the database
so the app runs the same on SQLite and PostgreSQL, and are served with headers that
stop browsers from sniffing or running them.
"""

import hashlib
import io
import re

from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from pbvote.accountability.errors import InvalidFile

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILES_PER_UPDATE = 6
MAX_PHOTO_SIDE = 2000
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding


def _safe_name(name: str, default: str, extension: str) -> str:
    stem = (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1].rsplit(".", 1)[0]
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")[:60] or default
    return f"{stem}.{extension}"


def check_file(filename: str, data: bytes) -> dict:
    """Return the attachment's fields (kind, filename, content_type, size, sha256,
    data) or raise InvalidFile with a sentence naming the file."""
    shown = (filename or "?")[:80]
    if not data:
        raise InvalidFile(_("The file “%(name)s” is empty.", name=shown))
    if len(data) > MAX_FILE_BYTES:
        raise InvalidFile(_("The file “%(name)s” is too large: at most %(mb)d MB.",
                            name=shown, mb=MAX_FILE_BYTES // (1024 * 1024)))
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise InvalidFile(_("The file “%(name)s” is not a complete PDF.", name=shown))
        return _fields("document", _safe_name(filename, "document", "pdf"),
                       "application/pdf", data)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
    except (UnidentifiedImageError, OSError, ValueError):
        kind = None
    if kind not in ("JPEG", "PNG"):
        raise InvalidFile(_("The file “%(name)s” is neither a JPEG or PNG photo nor a "
                            "PDF document.", name=shown))
    if width * height > MAX_PIXELS:
        raise InvalidFile(_("The photo “%(name)s” has too many pixels.", name=shown))
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE))
            out = io.BytesIO()
            if kind == "JPEG":
                image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
            else:
                if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                    image = image.convert("RGBA")
                image.save(out, "PNG", optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise InvalidFile(_("The photo “%(name)s” could not be read.", name=shown))
    extension = "jpg" if kind == "JPEG" else "png"
    return _fields("photo", _safe_name(filename, "photo", extension),
                   "image/jpeg" if kind == "JPEG" else "image/png", out.getvalue())


def _fields(kind: str, filename: str, content_type: str, data: bytes) -> dict:
    return {"kind": kind, "filename": filename, "content_type": content_type,
            "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "data": data}


def check_uploads(storages) -> list[dict]:
    """Check every uploaded file (werkzeug FileStorage); empty inputs are skipped."""
    files = [s for s in storages if s is not None and getattr(s, "filename", "")]
    if len(files) > MAX_FILES_PER_UPDATE:
        raise InvalidFile(_("At most %(n)d files per update.", n=MAX_FILES_PER_UPDATE))
    return [check_file(storage.filename, storage.read(MAX_FILE_BYTES + 1))
            for storage in files]
