"""Audio guides recorded by the commune: one per language for the ballot, and
optionally one per language for a project's summary."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pbvote.core.types import UTCDateTime
from pbvote.extensions import db

# Spoken languages of Ouazzane, by their codes (ISO 639-3 for Darija, ISO 639-2
# for Standard Moroccan Tamazight), each named in its own script.
GUIDE_LANGUAGES = {
    "ar": "العربية",
    "ary": "الدارجة",
    "zgh": "ⵜⴰⵎⴰⵣⵉⵖⵜ",
    "fr": "Français",
}


class AudioGuide(db.Model):
    __tablename__ = "audio_guides"
    # One guide per language and subject; a new upload replaces the old one.
    __table_args__ = (UniqueConstraint("commune_id", "language", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(30))  # "ballot" or "project-<id>"
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE")
    )
    content_type: Mapped[str] = mapped_column(String(20))
    size: Mapped[int]
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    uploaded_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def language_name(self) -> str:
        return GUIDE_LANGUAGES.get(self.language, self.language)
