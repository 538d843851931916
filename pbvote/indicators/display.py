"""The dashboard's table cells, formatted once per distinct value: a dashboard
shows about 190 values (this period and the one before), most of them 0, a
few small counts, "no data yet" or "fewer than 5"; Babel formats a number in
tens of microseconds, and a template macro per cell costs more than the cell."""

from flask_babel import gettext as _
from markupsafe import Markup

from pbvote.core.i18n import format_mad, format_number
from pbvote.indicators.charts import NOT_AVAILABLE
from pbvote.indicators.services import SUPPRESSED


def add_cells(data: dict) -> None:
    """Each row gets ``cells``: its value and the previous one as the page
    shows them (the markup of the ``value`` macro in indicators/_macros.html)."""
    words = {
        None: Markup('<span class="muted">%s</span>') % _("no data yet"),
        SUPPRESSED: Markup('<abbr title="%s">%s</abbr>')
        % (
            _("Fewer than 5 people: not shown, so that no one can be singled out."),
            _("fewer than 5"),
        ),
        NOT_AVAILABLE: Markup('<span class="muted">%s</span>') % _("not yet available"),
    }
    shown: dict = {}

    def cell(value, unit):
        if value is None or isinstance(value, str):
            return words.get(value, value)
        key = (type(value), value, unit)
        if key not in shown:
            if unit == "mad":
                shown[key] = format_mad(value)
            elif unit == "percent":
                shown[key] = f"{format_number(value)} %"
            else:
                shown[key] = format_number(value)
        return shown[key]

    for indicator in data["indicators"]:
        for row in indicator["rows"]:
            unit = row["unit"]
            row["cells"] = (cell(row["value"], unit), cell(row["previous"], unit))
