"""Checking an update against its record: what it asks for (:class:`UpdateValues`)
and what the record becomes once it is applied (:class:`Outcome`). Pure reading:
nothing here writes."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from pbvote.accountability.errors import InvalidUpdate, InvalidUpdateSet
from pbvote.accountability.models import (
    ExecutionRecord,
    ExecutionStatus,
    ExecutionUpdate,
    SubProject,
)
from pbvote.accountability.statuses import status_by_key, status_label, statuses
from pbvote.core.i18n import format_mad

MAX_TEXT = 4000
MAX_MAD = 10**12


@dataclass
class UpdateValues:
    """What an update asks for; ``None`` leaves a value as it is."""

    body_ar: str = ""
    body_fr: str = ""
    service: str = ""
    status_key: str | None = None
    reason: str = ""
    progress: int | None = None
    committed: int | None = None
    spent: int | None = None
    overspend_reason: str = ""
    actual_start: date | None = None
    actual_end: date | None = None
    subproject_id: int | None = None
    corrects_id: int | None = None
    extra_errors: list = field(default_factory=list)

    @classmethod
    def of(cls, update: ExecutionUpdate) -> "UpdateValues":
        return cls(
            body_ar=update.body_ar,
            body_fr=update.body_fr,
            service=update.service,
            status_key=update.status_key,
            reason=update.reason,
            progress=update.progress,
            committed=update.committed,
            spent=update.spent,
            overspend_reason=update.overspend_reason,
            actual_start=update.actual_start,
            actual_end=update.actual_end,
            subproject_id=update.subproject_id,
            corrects_id=update.corrects_id,
        )


@dataclass
class Outcome:
    """The values the record (or sub-project) has once the update is applied."""

    status: ExecutionStatus
    progress: int
    committed: int
    spent: int
    reason: str
    overspend_reason: str
    actual_start: date | None
    actual_end: date | None
    subproject: SubProject | None
    record_progress: int


def evaluate(record: ExecutionRecord, values: UpdateValues) -> Outcome:
    """Check ``values`` against the record as it is now and return the outcome.

    Raises InvalidUpdateSet with every problem found (each an InvalidUpdate naming
    its field), so a form or a CSV row reports them all at once.
    """
    errors = list(values.extra_errors)
    subproject = _subproject(record, values, errors)
    current = _current_status(record, subproject)
    status = _new_status(record, current, values, errors)
    progress = _new_progress(record, subproject, status, values, errors)
    reason = _reason(record, status, status.key != current.key, values, errors)
    committed, spent = _amounts(record, values, errors)
    overspend_reason = _overspend_reason(record, committed, spent, values, errors)
    start, end = _dates(record, values, errors)
    record_progress = _record_progress(record, subproject, progress)
    _check_completion(record, subproject, status, progress, record_progress, errors)
    _check_texts(values, errors)
    if errors:
        raise InvalidUpdateSet(errors)
    return Outcome(
        status,
        progress,
        committed,
        spent,
        reason,
        overspend_reason,
        start,
        end,
        subproject,
        record_progress,
    )


def _subproject(record, values, errors) -> SubProject | None:
    if values.subproject_id is None:
        return None
    subproject = next(
        (p for p in record.subprojects if p.id == values.subproject_id), None
    )
    if subproject is None:
        errors.append(
            InvalidUpdate(
                _("Choose one of this project's sub-projects."), "subproject_id"
            )
        )
    return subproject


def _current_status(record, subproject) -> ExecutionStatus:
    """The status the update starts from: the sub-project's or the record's."""
    if subproject is None:
        return record.status
    return status_by_key(record.commune_id, subproject.status_key)


def _new_status(record, current, values, errors) -> ExecutionStatus:
    if not values.status_key:
        return current
    status = status_by_key(record.commune_id, values.status_key)
    if status is None:
        keys = ", ".join(s.key for s in statuses(record.commune_id))
        errors.append(
            InvalidUpdate(
                _(
                    "“%(status)s” is not a known status. Use one of: %(keys)s.",
                    status=values.status_key,
                    keys=keys,
                ),
                "status_key",
            )
        )
        return current
    return status


def _new_progress(record, subproject, status, values, errors) -> int:
    """The progress given, else the new status's default share, else unchanged.
    A project with sub-projects takes its progress from them."""
    progress = subproject.progress if subproject else record.progress
    whole_of_split = subproject is None and bool(record.subprojects)
    if values.progress is None:
        if values.status_key and status.default_progress is not None:
            return progress if whole_of_split else status.default_progress
        return progress
    if not 0 <= values.progress <= 100:
        message = _(
            "Progress must be between 0 and 100 %%; you gave %(value)s.",
            value=values.progress,
        )
    elif whole_of_split:
        message = _(
            "This project's progress comes from its sub-projects: choose the "
            "sub-project the progress is about."
        )
    else:
        return values.progress
    errors.append(InvalidUpdate(message, "progress"))
    return progress


def _reason(record, status, changed: bool, values, errors) -> str:
    """The public reason; a status that needs one keeps the record's if unchanged."""
    reason = (values.reason or "").strip()
    if not status.needs_reason or reason:
        return reason
    if changed or not (record.status_reason or "").strip():
        errors.append(
            InvalidUpdate(
                _(
                    "The status “%(status)s” needs a public reason: say why.",
                    status=status_label(status),
                ),
                "reason",
            )
        )
        return reason
    return record.status_reason


def _amounts(record, values, errors) -> tuple[int, int]:
    """(committed, spent) after the update; an implausible amount keeps the old."""
    result = {}
    for name in ("committed", "spent"):
        amount = getattr(values, name)
        result[name] = getattr(record, name) if amount is None else amount
        if amount is not None and amount < 0:
            errors.append(InvalidUpdate(_("Amounts cannot be negative."), name))
        elif amount is not None and amount > MAX_MAD:
            errors.append(
                InvalidUpdate(
                    _(
                        "%(amount)s is not a plausible amount.",
                        amount=format_mad(amount),
                    ),
                    name,
                )
            )
            result[name] = getattr(record, name)
    return result["committed"], result["spent"]


def _overspend_reason(record, committed, spent, values, errors) -> str:
    reason = (values.overspend_reason or "").strip() or record.overspend_reason
    if (spent > record.allocated or committed > record.allocated) and not reason:
        errors.append(
            InvalidUpdate(
                _(
                    "%(amount)s is above the %(allocated)s allocated by the vote: give "
                    "the public reason for the overrun.",
                    amount=format_mad(max(spent, committed)),
                    allocated=format_mad(record.allocated),
                ),
                "overspend_reason",
            )
        )
    return reason


def _dates(record, values, errors) -> tuple[date | None, date | None]:
    start = values.actual_start or record.actual_start
    end = values.actual_end or record.actual_end
    if start and end and end < start:
        errors.append(
            InvalidUpdate(
                _(
                    "The end (%(end)s) cannot be before the start (%(start)s).",
                    end=end.isoformat(),
                    start=start.isoformat(),
                ),
                "actual_end",
            )
        )
    return start, end


def _record_progress(record, subproject, progress: int) -> int:
    """The whole project's progress: the cost-weighted mean over sub-projects."""
    if subproject is None:
        return progress
    parts = [
        (p.cost, progress if p.id == subproject.id else p.progress)
        for p in record.subprojects
    ]
    return round(sum(c * g for c, g in parts) / sum(c for c, _g in parts))


def _check_completion(record, subproject, status, progress, record_progress, errors):
    if status.key != "completed":
        return
    rolled_up = subproject is None and bool(record.subprojects)
    if not rolled_up and progress < 100:
        errors.append(
            InvalidUpdate(
                _(
                    "A completed project must be at 100 %%; the "
                    "progress would be %(value)s %%.",
                    value=progress,
                ),
                "progress",
            )
        )
    if rolled_up and record_progress < 100:
        errors.append(
            InvalidUpdate(
                _(
                    "The project cannot be completed while its "
                    "sub-projects are at %(value)s %%.",
                    value=record_progress,
                ),
                "status_key",
            )
        )


def _check_texts(values, errors) -> None:
    changes = (
        values.status_key,
        values.progress,
        values.committed,
        values.spent,
        values.actual_start,
        values.actual_end,
    )
    texts = (values.body_ar or "").strip() or (values.body_fr or "").strip()
    if all(value is None for value in changes) and not texts:
        errors.append(
            InvalidUpdate(
                _("This update changes nothing: write a text or give a new value."),
                "body_ar",
            )
        )
    for name in ("body_ar", "body_fr"):
        if len(getattr(values, name) or "") > MAX_TEXT:
            errors.append(
                InvalidUpdate(
                    _(
                        "The text is too long (at most %(max)d characters).",
                        max=MAX_TEXT,
                    ),
                    name,
                )
            )
