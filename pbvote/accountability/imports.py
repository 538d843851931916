"""Bulk import of updates from the commune's finance system (CSV).

The upload is checked as a whole (encoding, header, size) and stored; a job then
validates the rows one by one, each in its own savepoint, so that a bad row is
reported with its line number and reasons while every good row becomes a draft
update to review and publish. The job commits after each slice of rows (the
service yields there), so the progress page moves; services here never commit.
"""

import csv
import io
import re
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import delete

from pbvote.accountability.errors import (
    AccountabilityError,
    InvalidUpdate,
    InvalidUpdateSet,
)
from pbvote.accountability.models import ExecutionImport, ExecutionUpdate
from pbvote.accountability.queries import import_drafts
from pbvote.accountability.services import (
    UpdateValues,
    create_draft,
    get_record,
    publish,
)
from pbvote.accountability.statuses import statuses
from pbvote.accounts.models import User
from pbvote.audit.services import record_action
from pbvote.core.jobs import enqueue_after_commit
from pbvote.extensions import db

COLUMNS = (
    "record_id",
    "status",
    "progress",
    "committed_mad",
    "spent_mad",
    "actual_start",
    "actual_end",
    "reason",
    "overspend_reason",
    "text_ar",
    "text_fr",
    "service",
)
REQUIRED = ("record_id",)
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
COMMIT_EVERY = 100  # progress for the page; each commit expires the session
TEMPLATE = ",".join(COLUMNS) + "\n"


class InvalidImport(AccountabilityError):
    """The file as a whole cannot be read."""


def start_import(
    actor, commune_id: int, filename: str, data: bytes, now: datetime
) -> ExecutionImport:
    """Check the file as a whole, store it and queue the row-by-row job (after
    commit). Raises InvalidImport."""
    text, rows = read_file(data)
    batch = ExecutionImport(
        commune_id=commune_id,
        created_by_id=actor.id,
        created_at_dt=now,
        filename=(filename or "")[:200],
        content=text,
        state="queued",
        total_rows=len(rows),
        rejected=[],
    )
    db.session.add(batch)
    db.session.flush()  # the job and the audit entry need the id
    record_action(
        actor,
        "execution.import",
        "execution_import",
        batch.id,
        now,
        {"filename": batch.filename, "rows": batch.total_rows},
    )
    enqueue_after_commit(
        "jobs.accountability.process_import", batch.id, queue="default", timeout=1800
    )
    return batch


def read_file(data: bytes) -> tuple[str, list[list[str]]]:
    """The file's text and its non-blank rows, or InvalidImport saying why the
    file as a whole cannot be imported."""
    if not data:
        raise InvalidImport(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise InvalidImport(
            _(
                "The file is too large: at most %(mb)d MB.",
                mb=MAX_BYTES // (1024 * 1024),
            )
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidImport(_("The file is not UTF-8 text: export it as “CSV UTF-8”."))
    rows = list(_reader(text))
    if not rows:
        raise InvalidImport(_("The file has no header line."))
    _check_header([name.strip().lower() for name in rows[0]])
    body_rows = [row for row in rows[1:] if any(cell.strip() for cell in row)]
    if not body_rows:
        raise InvalidImport(_("The file has a header but no rows."))
    if len(body_rows) > MAX_ROWS:
        raise InvalidImport(
            _(
                "The file has %(n)d rows; at most %(max)d per import.",
                n=len(body_rows),
                max=MAX_ROWS,
            )
        )
    return text, body_rows


def _check_header(header: list[str]) -> None:
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise InvalidImport(
            _(
                "The header line must contain the column(s): %(cols)s. "
                "Allowed columns: %(all)s.",
                cols=", ".join(missing),
                all=", ".join(COLUMNS),
            )
        )
    unknown = [name for name in header if name and name not in COLUMNS]
    if unknown:
        raise InvalidImport(
            _(
                "Unknown column(s): %(cols)s. Allowed columns: %(all)s.",
                cols=", ".join(unknown),
                all=", ".join(COLUMNS),
            )
        )


def _reader(text: str):
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    return csv.reader(io.StringIO(text), delimiter=delimiter)


def _int(value: str, name: str, errors: list, label: str) -> int | None:
    cleaned = re.sub(r"[\s\u00a0\u202f,]", "", value or "")
    if cleaned in ("", "-"):
        return None
    cleaned = cleaned.removesuffix("%")
    if cleaned.upper().endswith("MAD"):
        cleaned = cleaned[:-3]
    try:
        return int(cleaned)
    except ValueError:
        errors.append(
            InvalidUpdate(
                _(
                    "%(label)s: “%(value)s” is not a whole number.",
                    label=label,
                    value=value.strip()[:40],
                ),
                name,
            )
        )
        return None


def _date(value: str, name: str, errors: list, label: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    errors.append(
        InvalidUpdate(
            _(
                "%(label)s: “%(value)s” is not a date (use YYYY-MM-DD or DD/MM/YYYY).",
                label=label,
                value=value[:40],
            ),
            name,
        )
    )
    return None


def _status(value: str, errors: list, known) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    wanted = value.casefold()
    for status in known:
        if wanted in (
            status.key,
            status.label_fr.casefold(),
            status.label_en.casefold(),
            status.label_ar,
        ):
            return status.key
    errors.append(
        InvalidUpdate(
            _(
                "status: “%(value)s” is not a known status. Use one of: %(keys)s.",
                value=value[:40],
                keys=", ".join(s.key for s in known),
            ),
            "status_key",
        )
    )
    return None


def parse_row(cells: dict, known) -> tuple[int | None, UpdateValues]:
    """Read one row; unreadable cells become errors carried in the values."""
    errors: list = []
    record_id = _int(cells.get("record_id", ""), "record_id", errors, "record_id")
    values = UpdateValues(
        body_ar=cells.get("text_ar", ""),
        body_fr=cells.get("text_fr", ""),
        service=cells.get("service", ""),
        status_key=_status(cells.get("status", ""), errors, known),
        reason=cells.get("reason", ""),
        progress=_int(cells.get("progress", ""), "progress", errors, "progress"),
        committed=_int(
            cells.get("committed_mad", ""), "committed", errors, "committed_mad"
        ),
        spent=_int(cells.get("spent_mad", ""), "spent", errors, "spent_mad"),
        overspend_reason=cells.get("overspend_reason", ""),
        actual_start=_date(
            cells.get("actual_start", ""), "actual_start", errors, "actual_start"
        ),
        actual_end=_date(
            cells.get("actual_end", ""), "actual_end", errors, "actual_end"
        ),
    )
    values.extra_errors = errors
    return record_id, values


def process_import(import_id: int, now: datetime):
    """Validate every row; good rows become drafts, bad rows are reported.

    A generator: it yields the batch after every COMMIT_EVERY rows and at the end,
    and the caller (the job) commits there, so the progress page moves. Safe to
    run again: a finished import is left as it is, and one that died half-way
    starts again cleanly."""
    batch = db.session.get(ExecutionImport, import_id)
    if batch is None:
        return
    if batch.state in ("done", "failed"):
        yield batch
        return
    _restart(batch)
    yield batch
    header, line_rows = _body_rows(batch.content)
    actor = db.session.get(User, batch.created_by_id) if batch.created_by_id else None
    known, rejected = statuses(batch.commune_id), []
    for count, (line, cells) in enumerate(line_rows, start=1):
        reasons = _import_row(batch, actor, header, line, cells, known, now)
        if reasons:
            rejected.append({"line": line, "reasons": reasons})
        batch.processed_rows = count
        if count % COMMIT_EVERY == 0:
            batch.rejected = list(rejected)
            yield batch
    batch.rejected = rejected
    batch.state, batch.finished_at_dt = "done", now
    yield batch


def _restart(batch: ExecutionImport) -> None:
    if batch.state == "running":
        # A previous attempt died half-way (worker killed): start again cleanly.
        db.session.execute(
            delete(ExecutionUpdate).where(
                ExecutionUpdate.import_id == batch.id, ExecutionUpdate.state == "draft"
            )
        )
    batch.state, batch.processed_rows, batch.accepted_rows = "running", 0, 0


def _body_rows(content: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-blank rows with their line numbers in the file."""
    reader = _reader(content)
    header = [name.strip().lower() for name in next(reader)]
    rows = [
        (reader.line_num, cells)
        for cells in reader
        if any(cell.strip() for cell in cells)
    ]
    return header, rows


def _import_row(batch, actor, header, line, cells, known, now) -> list[str]:
    """Make one row a draft; returns the reasons it was refused (none: accepted)."""
    if len(cells) > len(header):
        return [
            _(
                "The row has %(n)d cells but the header has %(h)d.",
                n=len(cells),
                h=len(header),
            )
        ]
    record_id, values = parse_row(dict(zip(header, cells)), known)
    record = get_record(batch.commune_id, record_id) if record_id else None
    if record is None:
        shown = cells[header.index("record_id")].strip()[:20]
        return [
            _("record_id: no execution record %(id)s in this commune.", id=shown)
        ] + [str(e) for e in values.extra_errors]
    # create_draft checks everything before it adds anything, so a refused row
    # leaves nothing behind and needs no savepoint.
    try:
        create_draft(
            actor,
            record,
            values,
            now,
            source="import",
            import_id=batch.id,
            import_line=line,
            audit=False,
        )
    except InvalidUpdateSet as error:
        return [str(e) for e in error.errors]
    batch.accepted_rows += 1
    return []


def mark_failed(import_id: int, error: Exception) -> None:
    """After a crash (the caller rolled back): say so on the progress page."""
    batch = db.session.get(ExecutionImport, import_id)
    if batch is not None:
        batch.state, batch.error = "failed", str(error)[:500]


def publish_import(actor, batch: ExecutionImport, now: datetime):
    """Publish every draft of an import, each in its own savepoint: a draft that
    no longer fits its record (another update was published since) stays a draft.
    Returns (how many were published, [(line, reason)] of those kept)."""
    published, kept = 0, []
    for draft in import_drafts(batch.id):
        savepoint = db.session.begin_nested()
        try:
            publish(actor, draft, now)
        except AccountabilityError as error:
            savepoint.rollback()
            kept.append((draft.import_line, str(error)))
        else:
            savepoint.commit()
            published += 1
    return published, kept
