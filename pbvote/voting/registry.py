"""The voter registry: importing eligible residents from CSV and finding them.

National ID numbers (CIN) are normalised (upper case, no spaces) then kept only as
an HMAC keyed with VOTER_ID_KEY. An import runs in a job, in batches that each
commit, so a large file shows progress and a restarted job carries on where it
stopped. Bad rows are reported by line number and reason and never stop good ones.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from pbvote.audit.services import record_action
from pbvote.communes.models import District
from pbvote.core.jobs import enqueue_after_commit
from pbvote.core.security import keyed_hash, open_secret, seal_secret
from pbvote.core.time import to_local_day
from pbvote.cycles.models import Cycle
from pbvote.cycles.services import phase_span, require_phase
from pbvote.extensions import db
from pbvote.voting.errors import ImportRefused, RegistryLocked
from pbvote.voting.models import ImportRejection, ImportRun, VoterEntry

# The registry may change until voting opens.
REGISTRY_PHASES = (None, "preparation", "proposals", "review")
CIN_RE = re.compile(r"^[A-Z]{1,2}[0-9]{5,8}$")
BATCH_SIZE = 500
MAX_ROWS = 200_000
FILE_SEAL = "voter-import"

COLUMN_ALIASES = {
    "cin": ("cin", "cnie", "national_id", "id_number", "id", "رقم البطاقة"),
    "birth_date": (
        "birth_date",
        "date_of_birth",
        "dob",
        "date_naissance",
        "تاريخ الازدياد",
    ),
    "district": ("district", "quartier", "hay", "الحي"),
    "phone": ("phone", "mobile", "telephone", "téléphone", "الهاتف"),
}
REASONS = {
    "cin_format": _l(
        "The ID number is not in the format of a national ID card "
        "(one or two letters then 5 to 8 digits)."
    ),
    "date_invalid": _l(
        "The date of birth is not a real date (use YYYY-MM-DD or DD/MM/YYYY)."
    ),
    "too_young": _l(
        "The resident is under the minimum voting age on the first day of voting."
    ),
    "district_unknown": _l("The district is not one of the commune's districts."),
    "duplicate_file": _l("The same ID number appears earlier in this file."),
    "duplicate_registry": _l("This ID number is already in the registry."),
    "phone_invalid": _l("The phone number is not a valid mobile number."),
    "columns": _l("The row does not have the expected number of columns."),
}


def normalise_cin(raw: str) -> str:
    """``" ab 123456 "`` -> ``"AB123456"``; Arabic-Indic digits become Latin."""
    from pbvote.accounts.otp import ARABIC_DIGITS

    text = unicodedata.normalize("NFKC", raw or "").translate(ARABIC_DIGITS)
    return "".join(text.split()).upper()


def cin_hash(cin: str) -> str:
    return keyed_hash(
        "voter-cin", normalise_cin(cin), key=current_app.config["VOTER_ID_KEY"]
    )


def phone_hash(phone: str) -> str:
    """A keyed hash of an E.164 number, to count residents per phone."""
    return keyed_hash("voter-phone", phone, key=current_app.config["VOTER_ID_KEY"])


def parse_birth_date(raw: str) -> date | None:
    text = (raw or "").strip()
    for pattern in (
        r"^(\d{4})-(\d{1,2})-(\d{1,2})$",
        r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$",
    ):
        match = re.match(pattern, text)
        if match:
            parts = [int(p) for p in match.groups()]
            year, month, day = parts if len(match.group(1)) == 4 else parts[::-1]
            try:
                return date(year, month, day)
            except ValueError:
                return None
    return None


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def voting_day(cycle: Cycle) -> date | None:
    """The commune's local day on which voting opens (ages are counted then)."""
    span = phase_span(cycle, "voting")
    return to_local_day(span[0]) if span else None


def require_registry_open(cycle: Cycle, now: datetime) -> None:
    try:
        require_phase(cycle, REGISTRY_PHASES, now)
    except Exception as error:
        raise RegistryLocked(
            _("The voter registry cannot change once voting has opened.")
        ) from error


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", (text or "").strip().casefold())
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


def district_lookup(commune_id: int) -> dict[str, int]:
    """Names in French and Arabic (accents and case ignored) and ids -> district id."""
    lookup = {}
    for district in db.session.scalars(
        select(District).where(District.commune_id == commune_id, District.active)
    ):
        for key in (district.name_fr, district.name_ar, str(district.id)):
            lookup[_fold(key)] = district.id
    return lookup


# Starting an import -----------------------------------------------------------


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1256"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused(
        _("The file is not text: save it as CSV (UTF-8) and try again.")
    )


def read_rows(data: bytes) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    """Columns by name and the (line number, cells) of every data row.

    Raises ImportRefused when the file has no usable header.
    """
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRefused(_("The file is empty."))
    except csv.Error:
        raise ImportRefused(
            _("The file is not valid CSV: save it as CSV (UTF-8) and try again.")
        )
    folded = [_fold(cell) for cell in header]
    columns = {}
    for name, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if _fold(alias) in folded:
                columns[name] = folded.index(_fold(alias))
                break
    missing = [
        name for name in ("cin", "birth_date", "district") if name not in columns
    ]
    if missing:
        raise ImportRefused(
            _(
                "The first line must name the columns cin, birth_date and "
                "district (phone is optional). Missing: %(names)s.",
                names=", ".join(missing),
            )
        )
    try:
        rows = [(reader.line_num, row) for row in reader if any(c.strip() for c in row)]
    except csv.Error as error:
        raise ImportRefused(
            _("The file is not valid CSV near line %(line)d.", line=reader.line_num)
        ) from error
    if len(rows) > MAX_ROWS:
        raise ImportRefused(
            _("The file has more than %(max)d rows: split it.", max=MAX_ROWS)
        )
    return columns, rows


def start_import(
    actor, cycle: Cycle, filename: str, data: bytes, now: datetime
) -> ImportRun:
    """Check the file's shape, store it sealed and queue the import job.

    Raises RegistryLocked, ImportRefused.
    """
    require_registry_open(cycle, now)
    _columns, rows = read_rows(data)
    if not rows:
        raise ImportRefused(_("The file has a header but no rows."))
    run = ImportRun(
        cycle_id=cycle.id,
        actor_id=getattr(actor, "id", None),
        filename=(filename or "")[:200],
        status="queued",
        total_rows=len(rows),
        data_enc=seal_secret(FILE_SEAL, _decode(data)),
        created_at_dt=now,
    )
    db.session.add(run)
    db.session.flush()  # the job and the audit entry need the id
    record_action(
        actor,
        "voting.registry_import",
        "cycle",
        cycle.id,
        now,
        {"run": run.id, "rows": len(rows), "file": run.filename},
    )
    enqueue_after_commit(
        "jobs.voting.import_registry",
        run.id,
        queue="default",
        job_id=f"voter-import-{run.id}",
        timeout=3600,
    )
    return run


# Running it (the job) ------------------------------------------------------------


@dataclass
class RowContext:
    commune_id: int
    districts: dict[str, int]
    min_age: int
    vote_day: date | None
    region: str


def _check_row(cells: list[str], columns: dict[str, int], ctx: RowContext):
    """The row's (cin hash, birth date, district id, phone hash), or a reason code."""
    from pbvote.accounts.errors import InvalidPhone
    from pbvote.accounts.phones import normalise_mobile

    if max(columns.values()) >= len(cells):
        return "columns", ""
    cin = normalise_cin(cells[columns["cin"]])
    if not CIN_RE.match(cin):
        return "cin_format", ""
    birth = parse_birth_date(cells[columns["birth_date"]])
    if birth is None or (ctx.vote_day and birth > ctx.vote_day) or birth.year < 1900:
        return "date_invalid", cells[columns["birth_date"]].strip()[:40]
    if ctx.vote_day and age_on(birth, ctx.vote_day) < ctx.min_age:
        return "too_young", ""
    district_text = cells[columns["district"]]
    district_id = ctx.districts.get(_fold(district_text))
    if district_id is None:
        return "district_unknown", district_text.strip()[:80]
    phone = None
    raw_phone = cells[columns["phone"]].strip() if "phone" in columns else ""
    if raw_phone:
        try:
            phone = phone_hash(normalise_mobile(raw_phone, ctx.region))
        except InvalidPhone:
            return "phone_invalid", ""
    return (cin_hash(cin), birth, district_id, phone), None


def import_batch(run: ImportRun, columns, rows, ctx: RowContext) -> None:
    """Load one batch of rows; each bad row becomes an ImportRejection."""
    checked = [(line, _check_row(cells, columns, ctx)) for line, cells in rows]
    hashes = [r[0][0] for _line, r in checked if not isinstance(r[0], str)]
    existing = (
        dict(
            db.session.execute(
                select(VoterEntry.cin_hash, VoterEntry.import_run_id).where(
                    VoterEntry.cycle_id == run.cycle_id, VoterEntry.cin_hash.in_(hashes)
                )
            ).all()
        )
        if hashes
        else {}
    )
    for line, (result, detail) in checked:
        if isinstance(result, str):
            _reject(run, line, result, detail)
            continue
        digest, birth, district_id, phone = result
        if digest in existing:
            _reject(
                run,
                line,
                "duplicate_file"
                if existing[digest] == run.id
                else "duplicate_registry",
                "",
            )
            continue
        existing[digest] = run.id
        db.session.add(
            VoterEntry(
                cycle_id=run.cycle_id,
                cin_hash=digest,
                birth_date=birth,
                district_id=district_id,
                phone_hash=phone,
                import_run_id=run.id,
            )
        )
        run.accepted_rows += 1
    run.processed_rows += len(rows)


def _reject(run: ImportRun, line: int, reason: str, detail: str) -> None:
    db.session.add(
        ImportRejection(run_id=run.id, line=line, reason=reason, detail=detail or "")
    )
    run.rejected_rows += 1


def import_batches(run_id: int, now_fn):
    """Yield after each batch of the run (the job commits there): the run restarts
    from ``processed_rows`` if the job is run again. Nothing happens for a finished
    run."""
    run = db.session.get(ImportRun, run_id, with_for_update=True)
    if run is None or run.status in ("done", "failed"):
        return
    cycle = db.session.get(Cycle, run.cycle_id)
    try:
        require_registry_open(cycle, now_fn())
        columns, rows = read_rows(open_secret(FILE_SEAL, run.data_enc).encode())
    except (RegistryLocked, ImportRefused) as error:
        _finish(run, now_fn(), "failed", str(error))
        yield run
        return
    run.status = "running"
    ctx = RowContext(
        cycle.commune_id,
        district_lookup(cycle.commune_id),
        cycle.setting("min_voting_age"),
        voting_day(cycle),
        current_app.config["PHONE_REGION"],
    )
    start = run.processed_rows
    for offset in range(start, len(rows), BATCH_SIZE):
        import_batch(run, columns, rows[offset : offset + BATCH_SIZE], ctx)
        yield run
    _finish(run, now_fn(), "done", None)
    yield run


def _finish(run: ImportRun, now: datetime, status: str, error: str | None) -> None:
    run.status, run.error, run.finished_at_dt = status, error, now
    run.data_enc = None  # ID numbers in clear never outlive the import


# Reading -----------------------------------------------------------------------


def registry_counts(cycle: Cycle) -> list[tuple]:
    """(district, number of registered residents), by district name."""
    return db.session.execute(
        select(District, func.count(VoterEntry.id))
        .join(VoterEntry, VoterEntry.district_id == District.id)
        .where(VoterEntry.cycle_id == cycle.id)
        .group_by(District.id)
        .order_by(District.name_fr)
    ).all()


def find_entry(cycle: Cycle, cin: str, birth: date | None) -> VoterEntry | None:
    """The registry entry with this ID number and date of birth, if any."""
    if birth is None:
        return None
    return db.session.scalar(
        select(VoterEntry).where(
            VoterEntry.cycle_id == cycle.id,
            VoterEntry.cin_hash == cin_hash(cin),
            VoterEntry.birth_date == birth,
        )
    )
