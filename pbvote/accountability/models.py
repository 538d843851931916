"""Execution of the winning projects: records, their published history, residents'
voice, follow-up snapshots and the accountability reports.

Money is whole dirhams (BigInteger). Dates of works are commune-local days (Date);
moments are UTC (UTCDateTime).
"""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbvote.core.types import UTCDateTime
from pbvote.extensions import db


class ExecutionStatus(db.Model):
    """A status of works, as data of one commune: its labels, the progress share it
    implies by default and whether it needs a public reason. Seeded per commune by
    :func:`pbvote.accountability.statuses.ensure_statuses`."""

    __tablename__ = "execution_statuses"
    __table_args__ = (
        UniqueConstraint("commune_id", "key"),
        CheckConstraint(
            "default_progress IS NULL OR (default_progress >= 0 AND default_progress <= 100)",
            name="default_progress_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    key: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    label_ar: Mapped[str] = mapped_column(String(80))
    label_fr: Mapped[str] = mapped_column(String(80))
    label_en: Mapped[str] = mapped_column(String(80), default="")
    # The progress a record reaches when it takes this status and no progress is
    # given; None: the status keeps the current progress (delayed, suspended...).
    default_progress: Mapped[int | None] = mapped_column(Integer)
    needs_reason: Mapped[bool] = mapped_column(Boolean, default=False)
    is_final: Mapped[bool] = mapped_column(
        Boolean, default=False
    )  # completed, cancelled


class ExecutionRecord(db.Model):
    """One winning project being carried out; its public page is its follow-up."""

    __tablename__ = "execution_records"
    __table_args__ = (
        UniqueConstraint("project_id"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        CheckConstraint(
            "allocated >= 0 AND committed >= 0 AND spent >= 0", name="money_positive"
        ),
        # A record's status is one of its own commune's statuses.
        ForeignKeyConstraint(
            ["commune_id", "status_key"],
            ["execution_statuses.commune_id", "execution_statuses.key"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    status_key: Mapped[str] = mapped_column(String(20), default="planned")
    status_reason: Mapped[str] = mapped_column(Text, default="")  # public
    progress: Mapped[int] = mapped_column(Integer, default=0)
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date)
    actual_start: Mapped[date | None] = mapped_column(Date)
    actual_end: Mapped[date | None] = mapped_column(Date)
    allocated: Mapped[int] = mapped_column(BigInteger, default=0)  # from the vote
    committed: Mapped[int] = mapped_column(BigInteger, default=0)
    spent: Mapped[int] = mapped_column(BigInteger, default=0)
    overspend_reason: Mapped[str] = mapped_column(Text, default="")  # public
    responsible_service: Mapped[str] = mapped_column(String(160), default="")
    contractor: Mapped[str] = mapped_column(String(200), default="")
    procurement_ref: Mapped[str] = mapped_column(String(80), default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    overdue_since: Mapped[date | None] = mapped_column(Date)  # set by the daily job
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())

    project = relationship("Project")
    cycle = relationship("Cycle")
    status = relationship(
        ExecutionStatus,
        primaryjoin="and_(ExecutionStatus.commune_id == ExecutionRecord.commune_id,"
        " ExecutionStatus.key == ExecutionRecord.status_key)",
        foreign_keys="[ExecutionRecord.commune_id, ExecutionRecord.status_key]",
        viewonly=True,  # set through status_key
    )
    milestones: Mapped[list["Milestone"]] = relationship(
        back_populates="record",
        cascade="all, delete-orphan",
        order_by="(Milestone.planned_date, Milestone.id)",
    )
    subprojects: Mapped[list["SubProject"]] = relationship(
        back_populates="record", cascade="all, delete-orphan", order_by="SubProject.id"
    )

    @property
    def title_ar(self) -> str:
        return self.project.title_ar

    @property
    def title_fr(self) -> str:
        return self.project.title_fr


class SubProject(db.Model):
    """A part of a large project; the record's progress is the cost-weighted mean."""

    __tablename__ = "execution_subprojects"
    __table_args__ = (
        CheckConstraint("cost > 0", name="cost_positive"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        ForeignKey("execution_records.id", ondelete="CASCADE"), index=True
    )
    title_ar: Mapped[str] = mapped_column(String(200), default="")
    title_fr: Mapped[str] = mapped_column(String(200), default="")
    cost: Mapped[int] = mapped_column(BigInteger)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    # One of the record's commune's statuses (checked by the update's evaluation).
    status_key: Mapped[str] = mapped_column(String(20), default="planned")
    record: Mapped[ExecutionRecord] = relationship(back_populates="subprojects")


class Milestone(db.Model):
    __tablename__ = "execution_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        ForeignKey("execution_records.id", ondelete="CASCADE"), index=True
    )
    title_ar: Mapped[str] = mapped_column(String(200), default="")
    title_fr: Mapped[str] = mapped_column(String(200), default="")
    planned_date: Mapped[date | None] = mapped_column(Date)
    done_date: Mapped[date | None] = mapped_column(Date)
    record: Mapped[ExecutionRecord] = relationship(back_populates="milestones")


class ExecutionUpdate(db.Model):
    """A change to a record: a draft until published, then an append-only public
    entry. ``None`` fields leave the value unchanged; ``*_after`` keep the values
    the record had once the entry was published (the public history)."""

    __tablename__ = "execution_updates"
    __table_args__ = (
        CheckConstraint("state in ('draft', 'published', 'discarded')", name="state"),
        CheckConstraint(
            "progress IS NULL OR (progress >= 0 AND progress <= 100)",
            name="progress_range",
        ),
        CheckConstraint(
            "(committed IS NULL OR committed >= 0) AND (spent IS NULL OR spent >= 0)",
            name="money_positive",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        ForeignKey("execution_records.id", ondelete="CASCADE"), index=True
    )
    subproject_id: Mapped[int | None] = mapped_column(
        ForeignKey("execution_subprojects.id", ondelete="SET NULL")
    )
    state: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    source: Mapped[str] = mapped_column(String(12), default="form")  # form | import
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("execution_imports.id", ondelete="SET NULL"), index=True
    )
    import_line: Mapped[int | None] = mapped_column(Integer)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("execution_updates.id"))
    body_ar: Mapped[str] = mapped_column(Text, default="")
    body_fr: Mapped[str] = mapped_column(Text, default="")
    service: Mapped[str] = mapped_column(String(160), default="")  # shown publicly
    # One of the record's commune's statuses (checked by the update's evaluation).
    status_key: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    progress: Mapped[int | None] = mapped_column(Integer)
    committed: Mapped[int | None] = mapped_column(BigInteger)
    spent: Mapped[int | None] = mapped_column(BigInteger)
    overspend_reason: Mapped[str] = mapped_column(Text, default="")
    actual_start: Mapped[date | None] = mapped_column(Date)
    actual_end: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    status_after: Mapped[str | None] = mapped_column(String(20))
    progress_after: Mapped[int | None] = mapped_column(Integer)
    committed_after: Mapped[int | None] = mapped_column(BigInteger)
    spent_after: Mapped[int | None] = mapped_column(BigInteger)

    record: Mapped[ExecutionRecord] = relationship()
    subproject = relationship(SubProject)
    attachments: Mapped[list["UpdateAttachment"]] = relationship(
        back_populates="update",
        cascade="all, delete-orphan",
        order_by="UpdateAttachment.id",
    )
    corrects = relationship("ExecutionUpdate", remote_side=[id])


class UpdateAttachment(db.Model):
    """A photo (re-encoded, metadata stripped) or a PDF document of an update; the
    file is in STORAGE_DIR/execution (pbvote.core.storage)."""

    __tablename__ = "execution_attachments"
    __table_args__ = (CheckConstraint("kind in ('photo', 'document')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(
        ForeignKey("execution_updates.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    caption: Mapped[str] = mapped_column(String(200), default="")
    stored_name: Mapped[str] = mapped_column(String(64))
    update: Mapped[ExecutionUpdate] = relationship(back_populates="attachments")


class ExecutionImport(db.Model):
    """A CSV of updates from the finance system, validated row by row in a job."""

    __tablename__ = "execution_imports"
    __table_args__ = (
        CheckConstraint(
            "state in ('queued', 'running', 'done', 'failed')", name="state"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    filename: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[str] = mapped_column(Text, deferred=True)
    state: Mapped[str] = mapped_column(String(10), default="queued")
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    accepted_rows: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[list] = mapped_column(JSON, default=list)  # [{line, reasons}]
    error: Mapped[str] = mapped_column(Text, default="")


class Follow(db.Model):
    __tablename__ = "execution_follows"
    __table_args__ = (UniqueConstraint("record_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        ForeignKey("execution_records.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    sms_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    user = relationship("User")


class Question(db.Model):
    __tablename__ = "execution_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        ForeignKey("execution_records.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    asked_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    answer: Mapped[str] = mapped_column(Text, default="")
    answer_service: Mapped[str] = mapped_column(String(160), default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Moderation: a hidden question stays listed, without its text, with the reason.
    hidden_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_reason: Mapped[str] = mapped_column(String(200), default="")
    record: Mapped[ExecutionRecord] = relationship()


class Rating(db.Model):
    """A resident's satisfaction with a completed project (charter indicators)."""

    __tablename__ = "execution_ratings"
    __table_args__ = (
        UniqueConstraint("record_id", "user_id"),
        CheckConstraint("score >= 1 AND score <= 5", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        ForeignKey("execution_records.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(Integer)
    take_part_again: Mapped[bool] = mapped_column(Boolean)
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())


class FollowupSnapshot(db.Model):
    """Public follow-up data computed by the follow-up job so that pages are cheap:
    ``dashboard:<commune>``, ``feed:<commune>``, ``record:<id>``."""

    __tablename__ = "execution_snapshots"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    data: Mapped[dict] = mapped_column(JSON)
    refreshed_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())


class AccountabilityReport(db.Model):
    """An archived quarterly or annual report: figures, PDF and CSV files, never
    rewritten."""

    __tablename__ = "accountability_reports"
    __table_args__ = (
        UniqueConstraint("commune_id", "period_kind", "year", "quarter"),
        CheckConstraint("period_kind in ('quarter', 'year')", name="period_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    period_kind: Mapped[str] = mapped_column(String(8))
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer, default=0)  # 0 for annual
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)  # inclusive
    generated_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    figures: Mapped[dict] = mapped_column(JSON)
    # The files, in STORAGE_DIR/reports (pbvote.core.storage).
    pdf_name: Mapped[str] = mapped_column(String(64))
    csv_name: Mapped[str] = mapped_column(String(64))
