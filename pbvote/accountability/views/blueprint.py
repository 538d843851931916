"""The accountability blueprint, its menu entries, template helpers and the loaders
every audience's views share. Routes live in :mod:`.public`, :mod:`.residents`,
:mod:`.finance` and :mod:`.finance_desk`."""

from datetime import date, datetime

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from pbvote.accountability.models import (
    AccountabilityReport,
    ExecutionImport,
    ExecutionRecord,
    ExecutionUpdate,
)
from pbvote.accountability.statuses import status_label, statuses
from pbvote.communes.services import current_commune
from pbvote.communes.web import row_or_404
from pbvote.core.i18n import current_language, format_day, format_moment
from pbvote.core.nav import add_cycle_link, add_nav, add_staff_link
from pbvote.core.templating import template_globals

bp = Blueprint("accountability", __name__)

STAFF_ROLES = ("finance", "admin")

add_nav("accountability.dashboard", _l("Execution"), 60)
add_cycle_link(
    "accountability.cycle_execution",
    _l("Follow the execution of the projects"),
    phases=("execution", "evaluation", "closed"),
)
add_staff_link(
    "accountability.staff_records", _l("Execution of projects"), *STAFF_ROLES
)
add_staff_link(
    "accountability.staff_questions",
    _l("Residents' questions on execution"),
    *STAFF_ROLES,
)
add_staff_link(
    "accountability.staff_reports", _l("Accountability reports"), *STAFF_ROLES
)
add_staff_link("accountability.staff_statuses", _l("Execution statuses"), "admin")


def record_or_404(record_id: int) -> ExecutionRecord:
    return row_or_404(ExecutionRecord, record_id)


def update_or_404(update_id: int) -> ExecutionUpdate:
    return row_or_404(ExecutionUpdate, update_id, lambda row: row.record.commune_id)


def report_or_404(report_id: int) -> AccountabilityReport:
    return row_or_404(AccountabilityReport, report_id)


def import_or_404(import_id: int) -> ExecutionImport:
    return row_or_404(ExecutionImport, import_id)


# ---------------------------------------------------------------- template helpers


def _parse_iso(value):
    if not value:
        return None
    if isinstance(value, (date, datetime)):
        return value
    try:
        return (
            datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        )
    except ValueError:
        return None


@bp.app_template_filter("isoday")
def isoday(value) -> str:
    return format_day(_parse_iso(value))


@bp.app_template_filter("isomoment")
def isomoment(value) -> str:
    parsed = _parse_iso(value)
    return format_moment(parsed) if isinstance(parsed, datetime) else format_day(parsed)


def _exec_text(obj, field):
    """``localized`` for rows and for snapshot dicts."""
    first = "ar" if current_language().code == "ar" else "fr"
    second = "fr" if first == "ar" else "ar"
    get = obj.get if isinstance(obj, dict) else (lambda k, d=None: getattr(obj, k, d))
    return get(f"{field}_{first}") or get(f"{field}_{second}") or ""


@template_globals(bp)
def execution_text() -> dict:
    return {"exec_text": _exec_text}


@bp.app_context_processor
def execution_helpers():
    """The commune's status labels, read at most once per page that shows one."""
    labels = {}

    def exec_status(key):
        if not labels:
            labels.update(
                {s.key: status_label(s) for s in statuses(current_commune().id)}
            )
        return labels.get(key, key or "")

    return {"exec_status": exec_status}
