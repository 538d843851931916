"""Proposal attachments: checked by their content (:mod:`pbvote.core.files`), at
most MAX_ATTACHMENTS of PROPOSAL_ATTACHMENT_MAX_BYTES each; PDFs are served as
downloads only. Files live under ``STORAGE_DIR/proposals`` with random names,
written only when the transaction that records them commits
(:mod:`pbvote.core.storage`).
"""

from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from pbvote.core import storage
from pbvote.core.files import (
    CheckedFile,
    ImageTooLarge,
    UnreadableImage,
    is_complete_pdf,
    reencode_image,
    safe_filename,
    sniff,
)
from pbvote.proposals.errors import InvalidUpload

MAX_ATTACHMENTS = 5
AREA = "proposals"


def max_bytes() -> int:
    return current_app.config.get("PROPOSAL_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)


def _reencode(data: bytes, content_type: str, name: str) -> bytes:
    try:
        return reencode_image(data, content_type)
    except ImageTooLarge:
        raise InvalidUpload(
            _(
                "“%(name)s” is too large an image (more than 40 million pixels).",
                name=name,
            ),
            "attachments",
        )
    except UnreadableImage as exc:
        raise InvalidUpload(
            _(
                "“%(name)s” is not a valid image: it may be damaged. "
                "Take the photo again or choose another file.",
                name=name,
            ),
            "attachments",
        ) from exc


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
        raise InvalidUpload(
            _(
                "“%(name)s” is larger than %(size)d MB. Send a smaller "
                "file (a photo from a phone is usually enough).",
                name=name,
                size=limit // (1024 * 1024),
            ),
            "attachments",
        )
    content_type, extension = sniff(data[:16])
    if content_type is None:
        raise InvalidUpload(
            _(
                "“%(name)s” is not a JPEG or PNG photo or a PDF "
                "document, whatever its name says. Only those three "
                "kinds of file are accepted.",
                name=name,
            ),
            "attachments",
        )
    if extension == "pdf":
        if not is_complete_pdf(data):
            raise InvalidUpload(
                _("“%(name)s” is not a complete PDF document.", name=name),
                "attachments",
            )
    else:
        data = _reencode(data, content_type, name)
    return CheckedFile(safe_filename(name, extension), content_type, extension, data)


def store(checked: CheckedFile) -> str:
    """Stage the file (written for good when the transaction commits); returns its
    stored name."""
    return storage.stage(AREA, checked.data, checked.extension)


def path_of(stored_name: str) -> Path:
    return storage.path_of(AREA, stored_name)


def remove(stored_name: str) -> None:
    """Delete the file once the removal is committed."""
    storage.remove_after_commit(AREA, stored_name)
