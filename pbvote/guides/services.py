"""Audio guides: checked by their content and size, stored under
``STORAGE_DIR/guides`` (pbvote.core.storage, written once the transaction
commits) with random names, one per language and subject."""

from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from pbvote.audit.services import record_action
from pbvote.core import storage
from pbvote.core.processcache import ProcessCache
from pbvote.extensions import db
from pbvote.guides.errors import InvalidAudio
from pbvote.guides.models import GUIDE_LANGUAGES, AudioGuide
from pbvote.proposals.models import Project

MIN_BYTES = 1024  # shorter than any spoken sentence: an empty or broken file


def sniff_audio(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) of MP3, Ogg, M4A or WebM audio from its first
    bytes, or None. Browsers on cheap Android phones play all four."""
    if data.startswith(b"ID3") or (
        len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0
    ):
        return "audio/mpeg", "mp3"
    if data.startswith(b"OggS"):
        return "audio/ogg", "ogg"
    if data[4:8] == b"ftyp":
        return "audio/mp4", "m4a"
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return "audio/webm", "webm"
    return None


def max_bytes() -> int:
    return current_app.config.get("AUDIO_GUIDE_MAX_BYTES", 8 * 1024 * 1024)


def check_audio(data: bytes) -> tuple[str, str]:
    """Raises InvalidAudio unless ``data`` is a sound file of a sensible size."""
    if len(data) > max_bytes():
        raise InvalidAudio(
            _(
                "The recording is too large (at most %(num)d MB): record a "
                "shorter guide or save it at a lower quality.",
                num=max_bytes() // (1024 * 1024),
            )
        )
    kind = sniff_audio(data) if len(data) >= MIN_BYTES else None
    if kind is None:
        raise InvalidAudio(
            _("This file is not a sound recording. Use an MP3, Ogg, M4A or WebM file.")
        )
    return kind


def guide_path(guide) -> Path:
    return storage.path_of("guides", guide.stored_name)


def save_guide(actor, commune_id, language, project_id, data, now: datetime):
    """Store ``data`` as the guide in ``language`` for the ballot (``project_id``
    is None) or for one project of the commune, replacing an earlier one.

    Raises InvalidAudio (language, content, size, or a project of another
    commune)."""
    if language not in GUIDE_LANGUAGES:
        raise InvalidAudio(_("Choose one of the languages in the list."))
    project = db.session.get(Project, project_id) if project_id else None
    if project_id and (project is None or project.scope.cycle.commune_id != commune_id):
        raise InvalidAudio(_("There is no project with this number."))
    content_type, extension = check_audio(data)
    subject = f"project-{project.id}" if project else "ballot"
    guide = db.session.scalar(
        select(AudioGuide).where(
            AudioGuide.commune_id == commune_id,
            AudioGuide.language == language,
            AudioGuide.subject == subject,
        )
    ) or AudioGuide(commune_id=commune_id, language=language, subject=subject)
    guide.project_id = project.id if project else None
    guide.content_type, guide.size = content_type, len(data)
    if guide.stored_name:  # the recording it replaces goes once this commits
        storage.remove_after_commit("guides", guide.stored_name)
    guide.stored_name = storage.stage("guides", data, extension)
    guide.uploaded_at_dt, guide.uploaded_by_id = now, actor.id
    db.session.add(guide)
    db.session.flush()  # the audit entry needs the id
    record_action(
        actor,
        "guide.upload",
        "audio_guide",
        guide.id,
        now,
        {"language": language, "subject": subject, "size": len(data)},
    )
    return guide


def delete_guide(actor, guide: AudioGuide, now: datetime) -> None:
    """Remove the guide; its file is deleted once the transaction commits."""
    record_action(
        actor,
        "guide.delete",
        "audio_guide",
        guide.id,
        now,
        {"language": guide.language, "subject": guide.subject},
    )
    storage.remove_after_commit("guides", guide.stored_name)
    db.session.delete(guide)


def guides_by_subject(commune_id: int) -> dict[str, list[AudioGuide]]:
    """The commune's guides, grouped by subject, in GUIDE_LANGUAGES order."""
    order = list(GUIDE_LANGUAGES)
    grouped: dict[str, list[AudioGuide]] = {}
    rows = db.session.scalars(
        select(AudioGuide).where(AudioGuide.commune_id == commune_id)
    )
    for guide in sorted(rows, key=lambda g: order.index(g.language)):
        grouped.setdefault(guide.subject, []).append(guide)
    return grouped


class GuideLink(NamedTuple):
    """What a ballot page shows of a guide: a plain value, kept per process."""

    id: int
    language: str
    language_name: str


# Public rows read on every ballot page (issue 13). A project's deletion removes
# its guides in the database (ON DELETE CASCADE), hence Project is watched too.
_LINKS = ProcessCache("audio-guides", (AudioGuide, Project))


def guide_links(commune_id: int) -> dict[str, tuple[GuideLink, ...]]:
    """The commune's guides as :class:`GuideLink`, grouped by subject in
    GUIDE_LANGUAGES order; cached per process (:mod:`pbvote.core.processcache`),
    shared by requests: read only."""
    return _LINKS.get(commune_id, lambda: _load_links(commune_id))


def _load_links(commune_id: int) -> dict[str, tuple[GuideLink, ...]]:
    order = list(GUIDE_LANGUAGES)
    rows = db.session.execute(
        select(AudioGuide.id, AudioGuide.language, AudioGuide.subject).where(
            AudioGuide.commune_id == commune_id
        )
    ).all()
    grouped: dict[str, list[GuideLink]] = {}
    for row in sorted(rows, key=lambda row: order.index(row.language)):
        link = GuideLink(row.id, row.language, GUIDE_LANGUAGES[row.language])
        grouped.setdefault(row.subject, []).append(link)
    return {subject: tuple(links) for subject, links in grouped.items()}
