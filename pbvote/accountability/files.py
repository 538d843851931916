"""Photos and documents attached to updates, checked by their content.

Photos must really be JPEG or PNG and are re-encoded (at most MAX_PHOTO_SIDE
pixels), which drops EXIF/GPS and any other metadata; documents must really be PDF
(:mod:`pbvote.core.files`). Everything is size-limited; names are made safe. Files
are stored in STORAGE_DIR/execution once the draft is committed
(:mod:`pbvote.core.storage`), and are served with headers that stop browsers from
sniffing or running them.
"""

import hashlib

from flask_babel import gettext as _

from pbvote.accountability.errors import InvalidFile
from pbvote.core.files import (
    ImageTooLarge,
    UnreadableImage,
    is_complete_pdf,
    reencode_image,
    safe_filename,
    sniff,
)

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILES_PER_UPDATE = 6
MAX_PHOTO_SIDE = 2000


def check_file(filename: str, data: bytes) -> dict:
    """Return the attachment's fields (kind, filename, content_type, size, sha256),
    its ``data`` and ``extension``, or raise InvalidFile naming the file."""
    shown = (filename or "?")[:80]
    if not data:
        raise InvalidFile(_("The file “%(name)s” is empty.", name=shown))
    if len(data) > MAX_FILE_BYTES:
        raise InvalidFile(
            _(
                "The file “%(name)s” is too large: at most %(mb)d MB.",
                name=shown,
                mb=MAX_FILE_BYTES // (1024 * 1024),
            )
        )
    content_type, extension = sniff(data)
    if content_type is None:
        raise InvalidFile(
            _(
                "The file “%(name)s” is neither a JPEG or PNG photo nor a "
                "PDF document.",
                name=shown,
            )
        )
    if extension == "pdf":
        if not is_complete_pdf(data):
            raise InvalidFile(
                _("The file “%(name)s” is not a complete PDF.", name=shown)
            )
        return _fields(
            "document", safe_filename(filename, "pdf", "document"), content_type, data
        ) | {"extension": "pdf"}
    try:
        data = reencode_image(data, content_type, max_side=MAX_PHOTO_SIDE)
    except ImageTooLarge:
        raise InvalidFile(_("The photo “%(name)s” has too many pixels.", name=shown))
    except UnreadableImage:
        raise InvalidFile(_("The photo “%(name)s” could not be read.", name=shown))
    return _fields(
        "photo", safe_filename(filename, extension, "photo"), content_type, data
    ) | {"extension": extension}


def _fields(kind: str, filename: str, content_type: str, data: bytes) -> dict:
    return {
        "kind": kind,
        "filename": filename,
        "content_type": content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "data": data,
    }


def check_uploads(storages) -> list[dict]:
    """Check every uploaded file (werkzeug FileStorage); empty inputs are skipped."""
    files = [s for s in storages if s is not None and getattr(s, "filename", "")]
    if len(files) > MAX_FILES_PER_UPDATE:
        raise InvalidFile(_("At most %(n)d files per update.", n=MAX_FILES_PER_UPDATE))
    return [
        check_file(storage.filename, storage.read(MAX_FILE_BYTES + 1))
        for storage in files
    ]
