"""Moroccan public holidays, used to count working days for legal deadlines."""

from datetime import date

from sqlalchemy import CheckConstraint, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from pbvote.extensions import db

KINDS = ("fixed", "islamic")


class Holiday(db.Model):
    """One public holiday. National, so not tied to a commune. Islamic holidays
    follow the lunar calendar: their dates are announced each year and stay
    ``confirmed = False`` until an administrator checks them."""

    __tablename__ = "holidays"
    __table_args__ = (CheckConstraint("kind in ('fixed', 'islamic')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    name_ar: Mapped[str] = mapped_column(String(120))
    name_fr: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10))
    confirmed: Mapped[bool] = mapped_column(default=True)
