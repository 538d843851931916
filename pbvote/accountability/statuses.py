"""Execution statuses: data of each commune (labels, the progress share a status
implies, whether it needs a public reason), seeded with the defaults below the
first time a commune needs them. Never commits."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from pbvote.accountability.errors import InvalidRecord
from pbvote.accountability.models import ExecutionStatus
from pbvote.audit.services import record_action
from pbvote.extensions import db

# key, Arabic, French, English, default progress (None: keep), needs a public reason,
# final. Statuses are data (the table); this list seeds it for each commune.
DEFAULT_STATUSES = (
    ("planned", "مبرمج", "Programmé", "Planned", 0, False, False),
    ("studies", "في طور الدراسات", "Études", "Studies", 10, False, False),
    ("tendering", "طلب العروض", "Appel d'offres", "Tendering", 20, False, False),
    ("contracted", "تم التعاقد", "Marché attribué", "Contracted", 30, False, False),
    ("works", "الأشغال جارية", "Travaux en cours", "Works under way", 50, False, False),
    ("completed", "منجز", "Achevé", "Completed", 100, False, True),
    ("delayed", "متأخر", "En retard", "Delayed", None, True, False),
    ("suspended", "متوقف", "Suspendu", "Suspended", None, True, False),
    ("cancelled", "ملغى", "Annulé", "Cancelled", None, True, True),
)


def _query(commune_id: int):
    return (
        select(ExecutionStatus)
        .where(ExecutionStatus.commune_id == commune_id)
        .order_by(ExecutionStatus.position)
    )


def ensure_statuses(commune_id: int) -> None:
    """Insert the commune's default statuses that are missing (idempotent)."""
    present = set(
        db.session.scalars(
            select(ExecutionStatus.key).where(ExecutionStatus.commune_id == commune_id)
        )
    )
    for position, (key, ar, fr, en, share, reason, final) in enumerate(
        DEFAULT_STATUSES
    ):
        if key not in present:
            db.session.add(
                ExecutionStatus(
                    commune_id=commune_id,
                    key=key,
                    position=position,
                    label_ar=ar,
                    label_fr=fr,
                    label_en=en,
                    default_progress=share,
                    needs_reason=reason,
                    is_final=final,
                )
            )
    db.session.flush()  # records reference the statuses by (commune, key)


def statuses(commune_id: int) -> list[ExecutionStatus]:
    """The commune's statuses in their order (seeded on first use)."""
    rows = list(db.session.scalars(_query(commune_id)))
    if not rows:
        ensure_statuses(commune_id)
        rows = list(db.session.scalars(_query(commune_id)))
    return rows


def status_by_key(commune_id: int, key: str | None) -> ExecutionStatus | None:
    if not key:
        return None
    return db.session.scalar(
        select(ExecutionStatus).where(
            ExecutionStatus.commune_id == commune_id, ExecutionStatus.key == key
        )
    )


def status_label(status: ExecutionStatus | None) -> str:
    if status is None:
        return ""
    from pbvote.core.i18n import current_language

    try:
        code = current_language().code
    except Exception:  # noqa: BLE001 - outside a request: the commune's Arabic
        code = "ar"
    return getattr(status, f"label_{code}", "") or status.label_fr


def _check_status(status, label_ar, label_fr, default_progress) -> None:
    if not (label_ar or "").strip() or not (label_fr or "").strip():
        raise InvalidRecord(
            _("Give the status a name in Arabic and in French."), "label_ar"
        )
    if status.key == "completed" and default_progress != 100:
        raise InvalidRecord(
            _("A completed project is always at 100 %."), "default_progress"
        )
    if status.needs_reason and default_progress is not None:
        raise InvalidRecord(
            _("This status keeps the progress the project had: leave the share empty."),
            "default_progress",
        )
    if default_progress is not None and not 0 <= default_progress <= 100:
        raise InvalidRecord(_("Give a share between 0 and 100 %."), "default_progress")


def save_status(
    actor,
    status: ExecutionStatus,
    *,
    label_ar: str,
    label_fr: str,
    label_en: str,
    default_progress: int | None,
    now: datetime,
) -> None:
    """Rename a status or change the progress share it implies. Completed stays at
    100 % and the statuses that need a reason keep the current progress.
    Raises InvalidRecord."""
    _check_status(status, label_ar, label_fr, default_progress)
    before = {"label_fr": status.label_fr, "default_progress": status.default_progress}
    status.label_ar, status.label_fr = label_ar.strip(), label_fr.strip()
    status.label_en = (label_en or "").strip()
    status.default_progress = default_progress
    record_action(
        actor,
        "execution.status_edit",
        "execution_status",
        status.key,
        now,
        {
            "before": before,
            "label_fr": status.label_fr,
            "default_progress": default_progress,
        },
    )
