"""Census figures (the population the diversity indicators are set against) and
the charter's reports (one per commune and period, a draft until published)."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import JSON

from pbvote.core.types import UTCDateTime
from pbvote.extensions import db


class CensusCell(db.Model):
    """The population of one group: ``dimension`` is age_band, gender or
    disability, ``value`` one of the participation profile's answers. A row with
    no district is the whole commune."""

    __tablename__ = "census_cells"
    __table_args__ = (
        UniqueConstraint("commune_id", "district_id", "dimension", "value"),
        CheckConstraint(
            "dimension in ('age_band', 'gender', 'disability')", name="dimension"
        ),
        CheckConstraint("population >= 0", name="population"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    dimension: Mapped[str] = mapped_column(String(12))
    value: Mapped[str] = mapped_column(String(10))
    population: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200), default="")


class IndicatorReport(db.Model):
    """The charter's report of a quarter or a year: its figures, a text per
    indicator written by staff, then once published a frozen PDF and CSV."""

    __tablename__ = "indicator_reports"
    __table_args__ = (
        UniqueConstraint("commune_id", "period_kind", "year", "quarter"),
        CheckConstraint("period_kind in ('quarter', 'year')", name="period_kind"),
        CheckConstraint("state in ('draft', 'published')", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    period_kind: Mapped[str] = mapped_column(String(8))
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer, default=0)  # 0 for annual
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)  # inclusive
    state: Mapped[str] = mapped_column(String(10), default="draft")
    figures: Mapped[dict] = mapped_column(JSON)
    texts: Mapped[dict] = mapped_column(JSON, default=dict)  # indicator key -> text
    generated_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The execution section: the accountability report of the same period (one
    # report system), archived when the charter report is drafted after the end.
    accountability_report_id: Mapped[int | None] = mapped_column(
        ForeignKey("accountability_reports.id")
    )
    # The files once published, in STORAGE_DIR/reports (pbvote.core.storage).
    pdf_name: Mapped[str | None] = mapped_column(String(64))
    csv_name: Mapped[str | None] = mapped_column(String(64))
