"""The files of an accountability report: the CSV and the PDF (reportlab).

The PDF is in French with Arabic headings, status labels and project titles. It
uses DejaVu Sans (static/fonts, free licence), which has Latin, accented and
Arabic glyphs; reportlab does not shape Arabic or order right-to-left text, so
:mod:`.arabic` does (arabic-reshaper for the letters' forms, then the line's
visual order).
"""

import csv
import io
from pathlib import Path
from xml.sax.saxutils import escape

from pbvote.accountability.arabic import has_arabic, wrap_visual
from pbvote.core.csvdata import safe_cell
from pbvote.core.i18n import format_mad

FONT_DIR = Path(__file__).resolve().parent.parent.parent / "static" / "fonts"
CSV_COLUMNS = (
    "record_id",
    "title_ar",
    "title_fr",
    "cycle_year",
    "status",
    "progress_pct",
    "allocated_mad",
    "committed_mad",
    "spent_mad",
    "planned_end",
    "overdue",
    "public_reason",
)


def period_title_fr(report) -> str:
    if report.period_kind == "quarter":
        return f"{report.year} T{report.quarter}"
    return f"{report.year}"


# ---------------------------------------------------------------- CSV


def render_csv(figures: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for p in figures["projects"]:
        writer.writerow(
            [
                p["id"],
                safe_cell(p["title_ar"]),
                safe_cell(p["title_fr"]),
                p.get("cycle_year", ""),
                p["status"],
                p["progress"],
                p["allocated"],
                p["committed"],
                p["spent"],
                p["planned_end"],
                "yes" if p["overdue"] else "no",
                safe_cell(p["reason"]),
            ]
        )
    total = ["total", "", "", "", "", figures["mean_progress"]]
    total += [figures["allocated"], figures["committed"], figures["spent"]]
    writer.writerow(total + ["", "", ""])
    return out.getvalue()


# ---------------------------------------------------------------- PDF


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


class _Pdf:
    """The report's styles and the small builders its sections share."""

    def __init__(self):
        from reportlab.lib import colors
        from reportlab.lib.enums import TA_RIGHT
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.platypus import TableStyle

        regular, bold = _fonts()
        self.body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=14)
        self.rtl = ParagraphStyle("rtl", parent=self.body, alignment=TA_RIGHT)
        self.rtl_h1 = ParagraphStyle(
            "rtl_h1",
            fontName=bold,
            fontSize=14,
            leading=19,
            alignment=TA_RIGHT,
            spaceAfter=4,
        )
        self.h1 = ParagraphStyle(
            "h1", fontName=bold, fontSize=16, leading=20, spaceAfter=6
        )
        self.h2 = ParagraphStyle(
            "h2", fontName=bold, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4
        )
        self.grid = TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), regular),
                ("FONTNAME", (0, 0), (-1, 0), bold),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ]
        )

    def text(self, text: str, style=None):
        from reportlab.platypus import Paragraph

        return Paragraph(escape(text), style or self.body)

    def ar(self, text: str, width: float, style=None):
        """An Arabic paragraph: shaped, wrapped in logical order, visual lines."""
        from reportlab.platypus import Paragraph

        style = style or self.rtl
        if not text:
            return Paragraph("", style)
        lines = wrap_visual(text, width, style.fontName, style.fontSize)
        return Paragraph("<br/>".join(escape(line) for line in lines), style)

    def any_text(self, text: str, width: float):
        return self.ar(text, width) if has_arabic(text) else self.text(text or "-")

    def projectsafe_cell(self, item: dict, width: float) -> list:
        """French title, Arabic title, then the cycle the project was voted in."""
        parts = [self.text(item["title_fr"] or f"Projet {item['id']}")]
        if item.get("title_ar"):
            parts.append(self.ar(item["title_ar"], width))
        if item.get("cycle_year"):
            cycle = item.get("cycle_title_fr") or "Cycle"
            parts.append(self.text(f"{cycle} ({item['cycle_year']})"))
        return parts

    def table(self, rows, widths, **kwargs):
        from reportlab.lib.units import mm
        from reportlab.platypus import Table

        return Table(
            rows, colWidths=[w * mm for w in widths], style=self.grid, **kwargs
        )


def _heading(pdf: _Pdf, report, figures: dict) -> list:
    from reportlab.lib.units import mm

    kind = "trimestriel" if report.period_kind == "quarter" else "annuel"
    kind_ar = "الفصلي" if report.period_kind == "quarter" else "السنوي"
    period = period_title_fr(report)
    return [
        pdf.ar(
            f"جماعة وزان · التقرير {kind_ar} حول تنفيذ المشاريع المختارة {period}",
            174 * mm,
            pdf.rtl_h1,
        ),
        pdf.text(
            f"Commune de Ouazzane - Rapport {kind} de reddition des comptes {period}",
            pdf.h1,
        ),
        pdf.text(
            f"Période du {figures['period']['start']} au {figures['period']['end']}"
            f" · généré le {report.generated_at_dt.date().isoformat()} · données "
            f"arrêtées au {figures['period']['end']}"
        ),
        pdf.text(
            "Charte de la démocratie participative : suivi de l'exécution "
            "des projets retenus par le vote."
        ),
    ]


def _money_and_statuses(pdf: _Pdf, figures: dict) -> list:
    from reportlab.lib.units import mm

    labels = figures["status_labels"]
    status_rows = [
        [labels[key]["fr"], pdf.ar(labels[key]["ar"], 46 * mm), str(count)]
        for key, count in figures["per_status"].items()
    ]
    return [
        pdf.text("Montants", pdf.h2),
        pdf.table(
            [
                ["", "MAD"],
                ["Alloué par le vote", _mad(figures["allocated"])],
                ["Engagé", _mad(figures["committed"])],
                ["Dépensé", _mad(figures["spent"])],
            ],
            (80, 60),
        ),
        pdf.text("Projets par statut", pdf.h2),
        pdf.table(
            [["Statut", "", "Projets"]]
            + status_rows
            + [["Total", "", str(figures["records"])]],
            (50, 50, 40),
        ),
        pdf.text(
            f"Avancement moyen : {figures['mean_progress']} % · mises à jour "
            f"publiées sur la période : {figures['updates_published']}"
        ),
    ]


def _delayed(pdf: _Pdf, figures: dict) -> list:
    from reportlab.lib.units import mm

    if not figures["delayed"]:
        return [
            pdf.text("Projets en retard", pdf.h2),
            pdf.text("Aucun projet en retard."),
        ]
    rows = [
        [
            pdf.projectsafe_cell(d, 61 * mm),
            d["planned_end"] or "-",
            pdf.any_text(d["reason"], 68 * mm),
        ]
        for d in figures["delayed"]
    ]
    return [
        pdf.text("Projets en retard", pdf.h2),
        pdf.table([["Projet", "Fin prévue", "Motif public"]] + rows, (65, 28, 72)),
    ]


def _satisfaction(pdf: _Pdf, figures: dict) -> list:
    satisfaction, again = figures["satisfaction"], figures["take_part_again"]
    average = satisfaction["average"] if satisfaction["average"] is not None else "-"
    share = f" ({again['share']} %)" if again["share"] is not None else ""
    spread = ", ".join(f"{k} : {v}" for k, v in satisfaction["distribution"].items())
    return [
        pdf.text("Satisfaction des habitants", pdf.h2),
        pdf.text(
            f"Évaluations : {satisfaction['ratings']} · note moyenne : {average} / 5"
        ),
        pdf.text(f"Répartition : {spread}"),
        pdf.text(
            f"Participeraient de nouveau : {again['yes']} sur "
            f"{satisfaction['ratings']}{share}"
        ),
    ]


def _projects(pdf: _Pdf, figures: dict) -> list:
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    labels = figures["status_labels"]
    rows = [
        [
            pdf.projectsafe_cell(p, 54 * mm),
            labels[p["status"]]["fr"],
            f"{p['progress']} %",
            _mad(p["allocated"]),
            _mad(p["spent"]),
        ]
        for p in figures["projects"]
    ]
    return [
        pdf.text("Détail par projet", pdf.h2),
        pdf.table(
            [["Projet", "Statut", "Avanc.", "Alloué", "Dépensé"]] + rows,
            (58, 30, 16, 32, 32),
            repeatRows=1,
        ),
        Spacer(1, 6 * mm),
    ]


def render_pdf(report, figures: dict) -> bytes:
    """The report as a PDF, in French with Arabic headings and titles."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    pdf = _Pdf()
    story = _heading(pdf, report, figures) + _money_and_statuses(pdf, figures)
    story += _delayed(pdf, figures) + _satisfaction(pdf, figures)
    story += _projects(pdf, figures)
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
