"""Files given with answers (and complaint photos): checked by content with
:mod:`pbvote.core.files`, stored under ``UPLOAD_DIR/<folder>`` with random names.
``error`` is the calling domain's exception class, built as error(message, field).
"""

import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from pbvote.core.files import (
    ImageTooLarge,
    UnreadableImage,
    is_complete_pdf,
    reencode_image,
    safe_filename,
    sniff,
)

MAX_BYTES = 5 * 1024 * 1024


@dataclass
class CheckedFile:
    filename: str
    content_type: str
    extension: str
    data: bytes


def check_upload(storage, error, field: str, *, images_only=False) -> CheckedFile:
    """Read and check one uploaded file. Raises ``error``."""
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


def _folder(folder: str) -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / folder
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(folder: str, checked: CheckedFile) -> str:
    stored_name = f"{secrets.token_urlsafe(24)}.{checked.extension}"
    (_folder(folder) / stored_name).write_bytes(checked.data)
    return stored_name


def path_of(folder: str, stored_name: str) -> Path:
    return _folder(folder) / Path(stored_name).name
