"""What an advisory body publishes: opinions and recommendations. The bodies and
their members themselves live in :mod:`pbvote.reviews.models`."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbvote.core.types import UTCDateTime
from pbvote.extensions import db

OPINION_KINDS = ("opinion", "recommendation")

# The charter's mandate of each body (its section "Background"), shown on its page.
MANDATES = {
    "equality": (
        (
            "تتبع قضايا المساواة وتكافؤ الفرص ومقاربة النوع في برامج الجماعة وإبداء "
            "الرأي فيها."
        ),
        (
            "Suivre l'équité, l'égalité des chances et l'approche genre dans les "
            "programmes de la commune et donner son avis."
        ),
    ),
    "youth": (
        ("إشراك الشباب في الشأن المحلي وإبداء الرأي في المشاريع التي تهمهم."),
        (
            "Associer les jeunes aux affaires locales et donner un avis sur les "
            "projets qui les concernent."
        ),
    ),
    "children": (
        ("إسماع صوت الأطفال في القرارات التي تمس حياتهم في المدينة."),
        (
            "Faire entendre la voix des enfants dans les décisions qui touchent "
            "leur vie en ville."
        ),
    ),
    "accessibility": (
        ("الدفاع عن حقوق الأشخاص في وضعية إعاقة وعن ولوجية المرافق والخدمات."),
        (
            "Défendre les droits des personnes en situation de handicap et "
            "l'accessibilité des équipements et services."
        ),
    ),
    "sports": (
        ("إبداء الرأي في المرافق والأنشطة الرياضية للجماعة."),
        ("Donner un avis sur les équipements et activités sportives de la commune."),
    ),
    "neighbourhoods": (
        ("تمثيل الأحياء السكنية ونقل حاجياتها إلى المجلس الجماعي."),
        (
            "Représenter les quartiers résidentiels et porter leurs besoins au "
            "conseil communal."
        ),
    ),
}


class BodyOpinion(db.Model):
    """An opinion or recommendation a body published, in Arabic and/or French."""

    __tablename__ = "body_opinions"
    __table_args__ = (
        CheckConstraint("kind in ('opinion', 'recommendation')", name="kind"),
        CheckConstraint("title_ar <> '' or title_fr <> ''", name="has_title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(
        ForeignKey("advisory_bodies.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    title_ar: Mapped[str] = mapped_column(String(200), default="")
    title_fr: Mapped[str] = mapped_column(String(200), default="")
    text_ar: Mapped[str] = mapped_column(Text, default="")
    text_fr: Mapped[str] = mapped_column(Text, default="")
    published_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body = relationship("AdvisoryBody")
