"""The charter's accountability reports: quarterly and annual, each archived once
with its figures, a PDF (reportlab) and a CSV, on the public reports page.

The PDF uses DejaVu Sans (static/fonts, free licence), which has Latin, accented
and Arabic glyphs. reportlab does not shape Arabic and no shaping library is
installed, so :mod:`.arabic` shapes and orders the Arabic lines itself: the PDF is
in French with Arabic headings, status labels and project titles.
"""

import csv
import io
from datetime import date, datetime, timedelta
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func, select

from pbvote.accountability.errors import AccountabilityError
from pbvote.accountability.models import (
    AccountabilityReport,
    ExecutionRecord,
    ExecutionUpdate,
    Rating,
)
from pbvote.accountability.services import ensure_statuses, statuses
from pbvote.audit.services import record_action
from pbvote.core.forms import COMMUNE_TZ
from pbvote.core.i18n import format_mad
from pbvote.cycles.models import Cycle
from pbvote.extensions import db

FONT_DIR = Path(__file__).resolve().parent.parent.parent / "static" / "fonts"


class ReportPeriodOpen(AccountabilityError):
    """The period is not over yet."""


def quarter_span(year: int, quarter: int) -> tuple[date, date]:
    start = date(year, 3 * (quarter - 1) + 1, 1)
    end = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - timedelta(days=1)
    return start, end


def period_span(kind: str, year: int, quarter: int = 0) -> tuple[date, date]:
    if kind == "quarter":
        if quarter not in (1, 2, 3, 4):
            raise AccountabilityError(_("Choose a quarter from 1 to 4."))
        return quarter_span(year, quarter)
    return date(year, 1, 1), date(year, 12, 31)


def due_periods(today: date) -> list[tuple[str, int, int]]:
    """The periods that ended most recently: the last quarter, and last year in Q1."""
    quarter = (today.month - 1) // 3 + 1
    last = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    periods = [("quarter", last[0], last[1])]
    if quarter == 1:
        periods.append(("year", today.year - 1, 0))
    return periods


def _end_moment(day: date) -> datetime:
    return datetime.combine(
        day + timedelta(days=1), datetime.min.time(), tzinfo=COMMUNE_TZ
    )


def compute_figures(commune_id: int, start: date, end: date) -> dict:
    """The charter's figures for the period, from the records as they stand."""
    ensure_statuses()
    until = _end_moment(end)
    since = _end_moment(start - timedelta(days=1))
    # The projects voted up to the period's year, as they stand when the report is
    # made (the daily job makes it the day after the period ends).
    records = db.session.scalars(
        select(ExecutionRecord)
        .join(Cycle, Cycle.id == ExecutionRecord.cycle_id)
        .where(ExecutionRecord.commune_id == commune_id, Cycle.year <= end.year)
        .order_by(ExecutionRecord.id)
    ).all()
    ids = [r.id for r in records]
    per_status = {s.key: 0 for s in statuses()}
    for record in records:
        per_status[record.status_key] = per_status.get(record.status_key, 0) + 1
    labels = {
        s.key: {"ar": s.label_ar, "fr": s.label_fr, "en": s.label_en}
        for s in statuses()
    }
    updates = (
        db.session.scalar(
            select(func.count(ExecutionUpdate.id)).where(
                ExecutionUpdate.record_id.in_(ids or [-1]),
                ExecutionUpdate.state == "published",
                ExecutionUpdate.published_at_dt >= since,
                ExecutionUpdate.published_at_dt < until,
            )
        )
        or 0
    )
    ratings = db.session.execute(
        select(Rating.score, Rating.take_part_again).where(
            Rating.record_id.in_(ids or [-1]), Rating.created_at_dt < until
        )
    ).all()
    count = len(ratings)
    distribution = {
        str(score): sum(1 for r in ratings if r.score == score) for score in range(1, 6)
    }
    again = sum(1 for r in ratings if r.take_part_again)
    delayed = [
        r
        for r in records
        if r.status_key in ("delayed", "suspended") or r.overdue_since is not None
    ]
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "records": len(records),
        "per_status": per_status,
        "status_labels": labels,
        "allocated": sum(r.allocated for r in records),
        "committed": sum(r.committed for r in records),
        "spent": sum(r.spent for r in records),
        "mean_progress": round(sum(r.progress for r in records) / len(records))
        if records
        else 0,
        "completed": per_status.get("completed", 0),
        "updates_published": int(updates),
        "delayed": [
            {
                "id": r.id,
                "title_ar": r.title_ar,
                "title_fr": r.title_fr,
                "status": r.status_key,
                "reason": r.status_reason,
                "planned_end": r.planned_end.isoformat() if r.planned_end else None,
                "progress": r.progress,
            }
            for r in delayed
        ],
        "satisfaction": {
            "ratings": count,
            "average": round(sum(r.score for r in ratings) / count, 2)
            if count
            else None,
            "distribution": distribution,
        },
        "take_part_again": {
            "yes": again,
            "no": count - again,
            "share": round(100 * again / count) if count else None,
        },
        "projects": [
            {
                "id": r.id,
                "title_ar": r.title_ar,
                "title_fr": r.title_fr,
                "status": r.status_key,
                "progress": r.progress,
                "allocated": r.allocated,
                "committed": r.committed,
                "spent": r.spent,
                "planned_end": r.planned_end.isoformat() if r.planned_end else "",
                "overdue": r.overdue_since is not None,
                "reason": r.status_reason,
            }
            for r in records
        ],
    }


def period_title_fr(report) -> str:
    if report.period_kind == "quarter":
        return f"{report.year} T{report.quarter}"
    return f"{report.year}"


def generate(
    commune_id: int,
    kind: str,
    year: int,
    quarter: int,
    now: datetime,
    *,
    actor=None,
    allow_open: bool = False,
) -> AccountabilityReport:
    """The report for a period, made once: an existing one is returned unchanged
    (the archive is never rewritten, so a job may run twice). A period that is not
    over is refused unless ``allow_open``. Raises AccountabilityError."""
    if kind not in ("quarter", "year"):
        raise AccountabilityError(_("Choose a quarterly or an annual report."))
    quarter = quarter if kind == "quarter" else 0
    start, end = period_span(kind, year, quarter)
    today = now.astimezone(COMMUNE_TZ).date()
    if end >= today and not allow_open:
        raise ReportPeriodOpen(
            _(
                "This period ends on %(day)s: its report can be made "
                "from the next day.",
                day=end.isoformat(),
            )
        )
    existing = db.session.scalar(
        select(AccountabilityReport).where(
            AccountabilityReport.commune_id == commune_id,
            AccountabilityReport.period_kind == kind,
            AccountabilityReport.year == year,
            AccountabilityReport.quarter == quarter,
        )
    )
    if existing is not None:
        return existing
    figures = compute_figures(commune_id, start, end)
    report = AccountabilityReport(
        commune_id=commune_id,
        period_kind=kind,
        year=year,
        quarter=quarter,
        period_start=start,
        period_end=end,
        generated_at_dt=now,
        figures=figures,
    )
    report.csv_text = render_csv(figures)
    report.pdf = render_pdf(report, figures)
    db.session.add(report)
    db.session.flush()  # the audit entry needs the id
    record_action(
        actor,
        "execution.report",
        "accountability_report",
        report.id,
        now,
        {"kind": kind, "year": year, "quarter": quarter},
    )
    return report


def render_csv(figures: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "record_id",
            "title_ar",
            "title_fr",
            "status",
            "progress_pct",
            "allocated_mad",
            "committed_mad",
            "spent_mad",
            "planned_end",
            "overdue",
            "public_reason",
        ]
    )
    for p in figures["projects"]:
        writer.writerow(
            [
                p["id"],
                _cell(p["title_ar"]),
                _cell(p["title_fr"]),
                p["status"],
                p["progress"],
                p["allocated"],
                p["committed"],
                p["spent"],
                p["planned_end"],
                "yes" if p["overdue"] else "no",
                _cell(p["reason"]),
            ]
        )
    writer.writerow(
        [
            "total",
            "",
            "",
            "",
            figures["mean_progress"],
            figures["allocated"],
            figures["committed"],
            figures["spent"],
            "",
            "",
            "",
        ]
    )
    return out.getvalue()


def _cell(value: str) -> str:
    """Spreadsheets run cells starting with = + - @: neutralise them."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _fonts() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if not regular.exists():
        return "Helvetica", "Helvetica-Bold"
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
        pdfmetrics.registerFont(
            TTFont("DejaVuSans-Bold", str(bold if bold.exists() else regular))
        )
    return "DejaVuSans", "DejaVuSans-Bold"


def _mad(amount: int) -> str:
    return format_mad(amount, language="fr")  # the report is in French


def render_pdf(report: AccountabilityReport, figures: dict) -> bytes:
    """The report as a PDF, in French (see the module docstring)."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    from pbvote.accountability.arabic import has_arabic, wrap_visual

    regular, bold = _fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=14)
    rtl = ParagraphStyle("rtl", parent=body, alignment=TA_RIGHT)
    rtl_h1 = ParagraphStyle(
        "rtl_h1",
        fontName=bold,
        fontSize=14,
        leading=19,
        alignment=TA_RIGHT,
        spaceAfter=4,
    )

    def ar(text, width, style=rtl):
        """An Arabic paragraph: shaped, wrapped in logical order, visual lines."""
        if not text:
            return Paragraph("", style)
        lines = wrap_visual(text, width, style.fontName, style.fontSize)
        return Paragraph("<br/>".join(escape(line) for line in lines), style)

    def title_cell(item, width):
        parts = [Paragraph(escape(item["title_fr"] or f"Projet {item['id']}"), body)]
        if item.get("title_ar"):
            parts.append(ar(item["title_ar"], width))
        return parts

    def text_cell(text, width):
        return (
            ar(text, width)
            if has_arabic(text)
            else Paragraph(escape(text or "-"), body)
        )

    h1 = ParagraphStyle("h1", fontName=bold, fontSize=16, leading=20, spaceAfter=6)
    h2 = ParagraphStyle(
        "h2", fontName=bold, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4
    )
    grid = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), regular),
            ("FONTNAME", (0, 0), (-1, 0), bold),
            ("FONTSIZE", (0, 0), (-1, -1), 9),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ]
    )
    kind = "trimestriel" if report.period_kind == "quarter" else "annuel"
    kind_ar = "الفصلي" if report.period_kind == "quarter" else "السنوي"
    story = [
        ar(
            f"جماعة وزان · التقرير {kind_ar} حول تنفيذ المشاريع المختارة "
            f"{period_title_fr(report)}",
            174 * mm,
            rtl_h1,
        ),
        Paragraph(
            escape(
                f"Commune de Ouazzane - Rapport {kind} de reddition des "
                f"comptes {period_title_fr(report)}"
            ),
            h1,
        ),
        Paragraph(
            escape(
                f"Période du {figures['period']['start']} au "
                f"{figures['period']['end']} · généré le "
                f"{report.generated_at_dt.date().isoformat()}"
            ),
            body,
        ),
        Paragraph(
            escape(
                "Charte de la démocratie participative : suivi de l'exécution "
                "des projets retenus par le vote."
            ),
            body,
        ),
        Paragraph("Montants", h2),
        Table(
            [
                ["", "MAD"],
                ["Alloué par le vote", _mad(figures["allocated"])],
                ["Engagé", _mad(figures["committed"])],
                ["Dépensé", _mad(figures["spent"])],
            ],
            colWidths=[80 * mm, 60 * mm],
            style=grid,
        ),
        Paragraph("Projets par statut", h2),
        Table(
            [["Statut", "", "Projets"]]
            + [
                [
                    figures["status_labels"][key]["fr"],
                    ar(figures["status_labels"][key]["ar"], 46 * mm),
                    str(count),
                ]
                for key, count in figures["per_status"].items()
            ]
            + [["Total", "", str(figures["records"])]],
            colWidths=[50 * mm, 50 * mm, 40 * mm],
            style=grid,
        ),
        Paragraph(
            escape(
                f"Avancement moyen : {figures['mean_progress']} % · mises à "
                f"jour publiées sur la période : "
                f"{figures['updates_published']}"
            ),
            body,
        ),
        Paragraph("Projets en retard", h2),
    ]
    if figures["delayed"]:
        story.append(
            Table(
                [["Projet", "Fin prévue", "Motif public"]]
                + [
                    [
                        title_cell(d, 61 * mm),
                        d["planned_end"] or "-",
                        text_cell(d["reason"], 68 * mm),
                    ]
                    for d in figures["delayed"]
                ],
                colWidths=[65 * mm, 28 * mm, 72 * mm],
                style=grid,
            )
        )
    else:
        story.append(Paragraph("Aucun projet en retard.", body))
    satisfaction = figures["satisfaction"]
    again = figures["take_part_again"]
    story += [
        Paragraph("Satisfaction des habitants", h2),
        Paragraph(
            escape(
                f"Évaluations : {satisfaction['ratings']} · note moyenne : "
                f"{satisfaction['average'] if satisfaction['average'] is not None else '-'}"
                f" / 5"
            ),
            body,
        ),
        Paragraph(
            escape(
                "Répartition : "
                + ", ".join(
                    f"{k} : {v}" for k, v in satisfaction["distribution"].items()
                )
            ),
            body,
        ),
        Paragraph(
            escape(
                f"Participeraient de nouveau : {again['yes']} sur "
                f"{satisfaction['ratings']}"
                + (f" ({again['share']} %)" if again["share"] is not None else "")
            ),
            body,
        ),
        Paragraph("Détail par projet", h2),
        Table(
            [["Projet", "Statut", "Avanc.", "Alloué", "Dépensé"]]
            + [
                [
                    title_cell(p, 54 * mm),
                    figures["status_labels"][p["status"]]["fr"],
                    f"{p['progress']} %",
                    _mad(p["allocated"]),
                    _mad(p["spent"]),
                ]
                for p in figures["projects"]
            ],
            colWidths=[58 * mm, 30 * mm, 16 * mm, 32 * mm, 32 * mm],
            style=grid,
            repeatRows=1,
        ),
        Spacer(1, 6 * mm),
    ]
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        title=f"Rapport {period_title_fr(report)}",
        author="Commune de Ouazzane",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
    ).build(story)
    return out.getvalue()
