"""A commune and its districts. Every domain row hangs off a commune, so that one
installation can host several communes later."""

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbvote.extensions import db


class Commune(db.Model):
    __tablename__ = "communes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name_ar: Mapped[str] = mapped_column(String(120))
    name_fr: Mapped[str] = mapped_column(String(120))
    population: Mapped[int | None]
    # Governs how dates are typed, shown and enforced (pbvote.core.time).
    time_zone: Mapped[str] = mapped_column(
        String(64), default="Africa/Casablanca", server_default="Africa/Casablanca"
    )
    districts: Mapped[list["District"]] = relationship(
        back_populates="commune", order_by="District.name_fr"
    )


class District(db.Model):
    __tablename__ = "districts"
    __table_args__ = (UniqueConstraint("commune_id", "name_fr"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    name_ar: Mapped[str] = mapped_column(String(120))
    name_fr: Mapped[str] = mapped_column(String(120))
    population: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)
    commune: Mapped[Commune] = relationship(back_populates="districts")
