"""Proposals from residents and associations, and the projects they become."""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbvote.core.types import UTCDateTime
from pbvote.extensions import db

# draft -> submitted -> (withdrawn | feasible | feasible_with_changes | not_feasible
# | merged). The last four are review decisions, set when they are published.
STATUSES = (
    "draft",
    "submitted",
    "withdrawn",
    "feasible",
    "feasible_with_changes",
    "not_feasible",
    "merged",
)
PUBLIC_STATUSES = STATUSES[1:]
DECISIONS = ("feasible", "feasible_with_changes", "not_feasible", "merged")
BENEFICIARIES = ("women", "children", "youth", "elderly", "disabilities", "everyone")
# The categories every commune starts with (a CLI command and the demo seed them).
DEFAULT_CATEGORIES = (
    ("roads", "الطرق والإنارة العمومية", "Voirie et éclairage public"),
    ("green", "المساحات الخضراء", "Espaces verts"),
    ("sports", "الرياضة", "Sport"),
    ("culture", "الثقافة", "Culture"),
    ("education", "التعليم", "Éducation"),
    ("health", "الصحة", "Santé"),
    ("accessibility", "الولوجيات", "Accessibilité"),
    ("environment", "البيئة", "Environnement"),
    ("economy", "الاقتصاد المحلي", "Économie locale"),
    ("other", "مجالات أخرى", "Autre"),
)


class Category(db.Model):
    __tablename__ = "proposal_categories"
    __table_args__ = (UniqueConstraint("commune_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    key: Mapped[str] = mapped_column(String(30))
    name_ar: Mapped[str] = mapped_column(String(120))
    name_fr: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class Proposal(db.Model):
    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint("estimated_cost > 0", name="cost_positive"),
        CheckConstraint(
            "status in ('draft', 'submitted', 'withdrawn', 'feasible', "
            "'feasible_with_changes', 'not_feasible', 'merged')",
            name="status",
        ),
        Index("ix_proposals_cycle_status", "cycle_id", "status"),
        # The indicators count a period's proposals per author, cycle and scope:
        # on PostgreSQL these columns ride in the date index, so a year of
        # proposals is read from the index alone, not the table.
        Index(
            "ix_proposals_submitted_at_dt",
            "submitted_at_dt",
            postgresql_include=["cycle_id", "scope_id", "author_id", "association_id"],
        ),
        # Search (every word LIKE '%word%' on the folded text) through trigrams on
        # PostgreSQL (the migration creates pg_trgm); SQLite scans, and has no
        # such index (the migration creates it on PostgreSQL only).
        Index(
            "ix_proposals_search_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    association_id: Mapped[int | None] = mapped_column(
        ForeignKey("associations.id"), index=True
    )
    scope_id: Mapped[int] = mapped_column(ForeignKey("scopes.id"), index=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("proposal_categories.id"), index=True
    )
    title: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text)  # Markdown, rendered without HTML
    # ",women,children," so that one LIKE works on every database.
    beneficiaries: Mapped[str] = mapped_column(String(120), default="")
    location_text: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    estimated_cost: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(30), default="draft")
    # Title, description and place folded for Arabic and French search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    support_count: Mapped[int] = mapped_column(default=0)
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())

    cycle = relationship("Cycle")
    author = relationship("User")
    association = relationship("Association")
    scope = relationship("Scope")
    category = relationship("Category")
    events: Mapped[list["ProposalEvent"]] = relationship(
        back_populates="proposal",
        order_by="ProposalEvent.id",
        cascade="all, delete-orphan",
    )
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="proposal",
        order_by="Attachment.id",
        cascade="all, delete-orphan",
    )

    @property
    def beneficiary_keys(self) -> list[str]:
        return [key for key in (self.beneficiaries or "").split(",") if key]

    @property
    def is_public(self) -> bool:
        return self.status != "draft"

    @property
    def is_reviewed(self) -> bool:
        return self.status in DECISIONS


class ProposalEvent(db.Model):
    """One step of a proposal's public status history."""

    __tablename__ = "proposal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(String(300), default="")
    at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    proposal: Mapped[Proposal] = relationship(back_populates="events")


class Attachment(db.Model):
    """A checked file: JPEG or PNG (re-encoded without metadata) or PDF."""

    __tablename__ = "proposal_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(120))  # cleaned original name
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    proposal: Mapped[Proposal] = relationship(back_populates="attachments")

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Support(db.Model):
    __tablename__ = "proposal_supports"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())


class Comment(db.Model):
    __tablename__ = "proposal_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # One level of replies: a reply's parent is always a top-level comment.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal_comments.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)  # plain text, escaped when shown
    flag_count: Mapped[int] = mapped_column(default=0)
    flags_dismissed: Mapped[bool] = mapped_column(default=False)
    hidden_reason: Mapped[str | None] = mapped_column(String(300))
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    proposal = relationship("Proposal")
    author = relationship("User", foreign_keys=[author_id])

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at_dt is not None


class CommentFlag(db.Model):
    __tablename__ = "proposal_comment_flags"
    __table_args__ = (UniqueConstraint("comment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("proposal_comments.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())


class Project(db.Model):
    """A proposal found feasible: what residents vote on, at its official cost."""

    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("cost > 0", name="cost_positive"),
        UniqueConstraint("proposal_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    scope_id: Mapped[int] = mapped_column(ForeignKey("scopes.id"), index=True)
    # Unique (table args), which also indexes it.
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal_categories.id")
    )
    title_ar: Mapped[str] = mapped_column(String(200), default="")
    title_fr: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(String(600), default="")
    cost: Mapped[int] = mapped_column(BigInteger)  # official estimate, whole MAD
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    scope = relationship("Scope")
    proposal = relationship("Proposal")
    category = relationship("Category")
