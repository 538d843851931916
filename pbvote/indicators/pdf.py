"""The report's PDF, drawn with reportlab through the accountability reports'
helpers (the DejaVu fonts, and Arabic shaped and ordered by
:mod:`pbvote.accountability.arabic`, since reportlab does not shape Arabic)."""

from xml.sax.saxutils import escape

from pbvote.accountability.arabic import has_arabic, wrap_visual
from pbvote.accountability.report_files import _fonts
from pbvote.core.i18n import format_mad


def _text(value, unit: str) -> str:
    if value is None:
        return "-"
    if value == "<5":
        return "<5"
    if value == "unavailable":
        return "n/a"
    if unit == "mad":
        return format_mad(value, language="fr")  # the one formatter; figures in French
    if unit == "percent":
        return f"{value:g} %"
    return f"{value:g}" if isinstance(value, float) else str(value)


def render_pdf(report) -> bytes:
    """Every indicator: title, definition, the staff text, then its figures
    next to the previous period's."""
    import io

    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    regular, bold = _fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=9, leading=12)
    rtl = ParagraphStyle("rtl", parent=body, alignment=TA_RIGHT)
    h1 = ParagraphStyle("h1", fontName=bold, fontSize=15, leading=19, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=h1, fontSize=12, leading=16, spaceBefore=8)
    grid = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), regular),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )

    def para(text, style=body, width=170 * mm):
        if text and has_arabic(text):
            lines = wrap_visual(text, width, style.fontName, style.fontSize)
            align = ParagraphStyle(
                f"{style.name}-rtl", parent=style, alignment=TA_RIGHT
            )
            return Paragraph("<br/>".join(escape(line) for line in lines), align)
        return Paragraph(escape(text or ""), style)

    figures = report.figures
    story = [
        para(f"Ouazzane · {figures['period']}", h1),
        para(f"{report.period_start.isoformat()} - {report.period_end.isoformat()}"),
    ]
    for indicator in figures["indicators"]:
        story.append(para(indicator["title"], h2))
        story.append(para(indicator["definition"]))
        text = (report.texts or {}).get(indicator["key"])
        if text:
            story.append(para(text, rtl if has_arabic(text) else body))
        rows = [["", figures["period"], figures.get("previous") or "-"]]
        for row in indicator["rows"]:
            rows.append(
                [
                    para(row["label"], body, 90 * mm),
                    _text(row["value"], row["unit"]),
                    _text(row["previous"], row["unit"]),
                ]
            )
        story.append(Table(rows, colWidths=[95 * mm, 38 * mm, 38 * mm], style=grid))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=f"Ouazzane {figures['period']}").build(
        story
    )
    return out.getvalue()
