"""Surveys, their questions, and the answers: one response per resident (or per
anonymous browser), one answer row per chosen option, scale value or text."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbvote.core.types import UTCDateTime
from pbvote.extensions import db

QUESTION_KINDS = ("single", "multiple", "scale", "text")
AUDIENCES = ("everyone", "residents")
SCALE = range(1, 6)


class Survey(db.Model):
    __tablename__ = "surveys"
    __table_args__ = (
        UniqueConstraint("commune_id", "key"),
        CheckConstraint("audience in ('everyone', 'residents')", name="audience"),
        CheckConstraint(
            "closes_at_dt is null or opens_at_dt is null or closes_at_dt > opens_at_dt",
            name="closes_after_opening",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    key: Mapped[str | None] = mapped_column(String(30))  # "satisfaction": ready-made
    title_ar: Mapped[str] = mapped_column(String(200), default="")
    title_fr: Mapped[str] = mapped_column(String(200), default="")
    intro_ar: Mapped[str] = mapped_column(Text, default="")
    intro_fr: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(10), default="residents")
    opens_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    results_published_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    questions: Mapped[list["SurveyQuestion"]] = relationship(
        back_populates="survey",
        order_by="(SurveyQuestion.position, SurveyQuestion.id)",
        cascade="all, delete-orphan",
    )

    def is_open(self, now: datetime) -> bool:
        return (
            self.opens_at_dt is not None
            and self.opens_at_dt <= now
            and (self.closes_at_dt is None or now < self.closes_at_dt)
        )


class SurveyQuestion(db.Model):
    """``options`` is a list of ``{"ar": ..., "fr": ...}``; answers store the index."""

    __tablename__ = "survey_questions"
    __table_args__ = (
        CheckConstraint("kind in ('single', 'multiple', 'scale', 'text')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(10))
    text_ar: Mapped[str] = mapped_column(String(500))
    text_fr: Mapped[str] = mapped_column(String(500))
    required: Mapped[bool] = mapped_column(default=False)
    options: Mapped[list] = mapped_column(JSON, default=list)
    survey: Mapped[Survey] = relationship(back_populates="questions")


class SurveyResponse(db.Model):
    """One per resident (``user_id``) or per anonymous browser (``anon_key_hash``,
    a keyed hash of the cookie token: the token itself is never stored)."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        UniqueConstraint("survey_id", "user_id"),
        UniqueConstraint("survey_id", "anon_key_hash"),
        CheckConstraint(
            "user_id is not null or anon_key_hash is not null", name="respondent"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    anon_key_hash: Mapped[str | None] = mapped_column(String(64))
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())


class SurveyAnswer(db.Model):
    __tablename__ = "survey_answers"
    __table_args__ = (
        Index("ix_survey_answers_question_choice", "question_id", "choice"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="CASCADE")
    )
    choice: Mapped[int | None]  # option index, or the scale value 1-5
    text: Mapped[str | None] = mapped_column(Text)
