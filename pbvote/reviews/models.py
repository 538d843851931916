"""Advisory bodies (هيئات استشارية), their reviewer members, and the feasibility
review (دراسة الجدوى) each proposal receives."""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbvote.core.types import UTCDateTime
from pbvote.extensions import db

# The charter's bodies (section "Background"), seeded as data.
DEFAULT_BODIES = (
    (
        "equality",
        "هيئة المساواة وتكافؤ الفرص ومقاربة النوع",
        "Instance de l'équité, de l'égalité des chances et de l'approche genre",
    ),
    ("youth", "مجلس الشباب", "Conseil des jeunes"),
    ("children", "مجلس الطفل", "Conseil de l'enfant"),
    (
        "accessibility",
        "هيئة الولوجيات وحقوق الأشخاص في وضعية إعاقة",
        (
            "Instance de l'accessibilité et des droits des personnes en situation de "
            "handicap"
        ),
    ),
    ("sports", "المجلس الرياضي", "Conseil du sport"),
    ("neighbourhoods", "مجلس الأحياء السكنية", "Conseil des quartiers résidentiels"),
)
# Which body reviews which category by default (anything else: neighbourhoods).
DEFAULT_RULES = (
    ("sports", "sports"),
    ("accessibility", "accessibility"),
    ("culture", "youth"),
    ("education", "children"),
    ("health", "equality"),
    ("economy", "equality"),
    (None, "neighbourhoods"),
)


class AdvisoryBody(db.Model):
    __tablename__ = "advisory_bodies"
    __table_args__ = (UniqueConstraint("commune_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    key: Mapped[str] = mapped_column(String(30))
    name_ar: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    members: Mapped[list["BodyMember"]] = relationship(
        back_populates="body", cascade="all, delete-orphan", order_by="BodyMember.id"
    )


class BodyMember(db.Model):
    """A staff reviewer sitting in a body. ``resident_phone`` is the member's own
    resident account, if any: what they proposed or supported there they may not
    review."""

    __tablename__ = "advisory_body_members"
    __table_args__ = (UniqueConstraint("body_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(
        ForeignKey("advisory_bodies.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    resident_phone: Mapped[str | None] = mapped_column(String(20))
    body: Mapped[AdvisoryBody] = relationship(back_populates="members")
    user = relationship("User")


class AssignmentRule(db.Model):
    """Proposals of ``category_id`` and/or ``district_id`` go to ``body_id``; the
    most specific rule wins, a rule with neither catches everything."""

    __tablename__ = "review_assignment_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    body_id: Mapped[int] = mapped_column(
        ForeignKey("advisory_bodies.id", ondelete="CASCADE")
    )
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal_categories.id", ondelete="CASCADE")
    )
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    body = relationship("AdvisoryBody")
    category = relationship("Category")
    district = relationship("District")


class Review(db.Model):
    """The one review of a proposal: assigned to a body, recorded by a member,
    published (the author is told, feasible ones become projects)."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("proposal_id"),
        CheckConstraint(
            "decision is null or decision in ('feasible', "
            "'feasible_with_changes', 'not_feasible', 'merged')",
            name="decision",
        ),
        CheckConstraint(
            "official_cost is null or official_cost > 0", name="official_cost_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE")
    )
    body_id: Mapped[int] = mapped_column(ForeignKey("advisory_bodies.id"), index=True)
    assigned_by: Mapped[str] = mapped_column(String(10), default="rule")  # rule | hand
    assigned_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    competent: Mapped[bool | None]
    technical_ok: Mapped[bool | None]
    legal_ok: Mapped[bool | None]
    official_cost: Mapped[int | None] = mapped_column(BigInteger)
    decision: Mapped[str | None] = mapped_column(String(30))
    answer: Mapped[str] = mapped_column(Text, default="")
    reasons: Mapped[str] = mapped_column(Text, default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    project_title_ar: Mapped[str] = mapped_column(String(200), default="")
    project_title_fr: Mapped[str] = mapped_column(String(200), default="")
    recorded_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    proposal = relationship(
        "Proposal",
        foreign_keys=[proposal_id],
        backref=db.backref("review", uselist=False),
    )
    merged_into = relationship("Proposal", foreign_keys=[merged_into_id])
    body = relationship("AdvisoryBody")
    reviewer = relationship("User")

    @property
    def is_recorded(self) -> bool:
        return self.decision is not None

    @property
    def is_published(self) -> bool:
        return self.published_at_dt is not None
