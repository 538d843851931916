"""The public follow-up, computed by jobs and stored as snapshots so that pages are
cheap: each record's page data, the commune-wide dashboard and the Atom feed; and
the notifications to followers and administrators.
"""

from datetime import date, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from pbvote.accountability.models import (
    ExecutionRecord,
    ExecutionUpdate,
    Follow,
    FollowupSnapshot,
)
from pbvote.accountability.services import published_histories, published_history
from pbvote.accountability.statuses import ensure_statuses, statuses
from pbvote.accountability.voice import rating_summaries, rating_summary
from pbvote.audit.services import record_action
from pbvote.extensions import db

FEED_SIZE = 50


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def store(key: str, data: dict, now: datetime) -> FollowupSnapshot:
    snapshot = db.session.get(FollowupSnapshot, key)
    if snapshot is None:
        snapshot = FollowupSnapshot(key=key)
        db.session.add(snapshot)
    snapshot.data, snapshot.refreshed_at_dt = data, now
    return snapshot


def load(key: str) -> FollowupSnapshot | None:
    return db.session.get(FollowupSnapshot, key)


def entry_data(update: ExecutionUpdate) -> dict:
    return {
        "id": update.id,
        "published_at": _iso(update.published_at_dt),
        "service": update.service,
        "body_ar": update.body_ar,
        "body_fr": update.body_fr,
        "status": update.status_after,
        "status_changed": update.status_key,
        "reason": update.reason,
        "progress": update.progress_after,
        "progress_given": update.progress,
        "committed": update.committed_after,
        "spent": update.spent_after,
        "committed_given": update.committed,
        "spent_given": update.spent,
        "overspend_reason": update.overspend_reason,
        "actual_start": _iso(update.actual_start),
        "actual_end": _iso(update.actual_end),
        "subproject": (
            {
                "id": update.subproject.id,
                "title_ar": update.subproject.title_ar,
                "title_fr": update.subproject.title_fr,
            }
            if update.subproject
            else None
        ),
        "corrects": (
            {
                "id": update.corrects_id,
                "published_at": _iso(update.corrects.published_at_dt),
            }
            if update.corrects_id
            else None
        ),
        "attachments": [
            {
                "id": a.id,
                "kind": a.kind,
                "filename": a.filename,
                "size": a.size,
                "caption": a.caption,
            }
            for a in update.attachments
        ],
    }


def record_data(record: ExecutionRecord, history=None, ratings=None) -> dict:
    """Everything public about one record, as plain JSON values (``history``
    and ``ratings``, when given, were read for many records at once)."""
    if history is None:
        history = published_history(record.id)
    return {
        "id": record.id,
        "cycle_id": record.cycle_id,
        "project_id": record.project_id,
        "cycle_year": record.cycle.year if record.cycle else None,
        "title_ar": record.title_ar,
        "title_fr": record.title_fr,
        "summary": record.project.summary if record.project else "",
        "status": record.status_key,
        "status_reason": record.status_reason,
        "progress": record.progress,
        "allocated": record.allocated,
        "committed": record.committed,
        "spent": record.spent,
        "overspend_reason": record.overspend_reason,
        "planned_start": _iso(record.planned_start),
        "planned_end": _iso(record.planned_end),
        "actual_start": _iso(record.actual_start),
        "actual_end": _iso(record.actual_end),
        "responsible_service": record.responsible_service,
        "contractor": record.contractor,
        "procurement_ref": record.procurement_ref,
        "location": record.location,
        "overdue_since": _iso(record.overdue_since),
        "updated_at": _iso(record.updated_at_dt),
        "milestones": [
            {
                "id": m.id,
                "title_ar": m.title_ar,
                "title_fr": m.title_fr,
                "planned_date": _iso(m.planned_date),
                "done_date": _iso(m.done_date),
            }
            for m in record.milestones
        ],
        "subprojects": [
            {
                "id": p.id,
                "title_ar": p.title_ar,
                "title_fr": p.title_fr,
                "cost": p.cost,
                "progress": p.progress,
                "status": p.status_key,
            }
            for p in record.subprojects
        ],
        "history": [entry_data(update) for update in history],
        "ratings": ratings if ratings is not None else rating_summary([record.id]),
    }


def records_data(records: list[ExecutionRecord]) -> list[dict]:
    """:func:`record_data` of many records (open data, the API) in a constant
    number of statements: load the records with
    :func:`pbvote.accountability.queries.record_loads`."""
    ids = [record.id for record in records]
    histories = published_histories(ids)
    ratings = rating_summaries(ids)
    return [
        record_data(record, histories.get(record.id, []), ratings[record.id])
        for record in records
    ]


def refresh_record(record_id: int, now: datetime) -> dict | None:
    record = db.session.get(ExecutionRecord, record_id)
    if record is None:
        return None
    data = record_data(record)
    store(f"record:{record_id}", data, now)
    return data


def refresh_record_and_dashboard(record_id: int, now: datetime) -> dict | None:
    """A record's page data and its commune's dashboard, recomputed."""
    data = refresh_record(record_id, now)
    record = db.session.get(ExecutionRecord, record_id)
    if record is not None:
        refresh_dashboard(record.commune_id, now)
    return data


def dashboard_data(commune_id: int) -> dict:
    ensure_statuses(commune_id)
    totals = db.session.execute(
        select(
            func.count(ExecutionRecord.id),
            func.coalesce(func.sum(ExecutionRecord.allocated), 0),
            func.coalesce(func.sum(ExecutionRecord.committed), 0),
            func.coalesce(func.sum(ExecutionRecord.spent), 0),
            func.coalesce(func.avg(ExecutionRecord.progress), 0),
        ).where(ExecutionRecord.commune_id == commune_id)
    ).one()
    counts = dict(
        db.session.execute(
            select(ExecutionRecord.status_key, func.count(ExecutionRecord.id))
            .where(ExecutionRecord.commune_id == commune_id)
            .group_by(ExecutionRecord.status_key)
        ).all()
    )
    overdue = db.session.scalars(
        select(ExecutionRecord)
        .where(
            ExecutionRecord.commune_id == commune_id,
            ExecutionRecord.overdue_since.is_not(None),
        )
        .options(selectinload(ExecutionRecord.project))
        .order_by(ExecutionRecord.planned_end, ExecutionRecord.id)
    ).all()
    delayed = db.session.scalars(
        select(ExecutionRecord)
        .where(
            ExecutionRecord.commune_id == commune_id,
            ExecutionRecord.status_key.in_(("delayed", "suspended")),
        )
        .options(selectinload(ExecutionRecord.project))
        .order_by(ExecutionRecord.id)
    ).all()
    record_ids = db.session.scalars(
        select(ExecutionRecord.id).where(ExecutionRecord.commune_id == commune_id)
    ).all()
    return {
        "records": int(totals[0]),
        "allocated": int(totals[1]),
        "committed": int(totals[2]),
        "spent": int(totals[3]),
        "mean_progress": round(float(totals[4] or 0)),
        "per_status": [
            {"key": s.key, "count": int(counts.get(s.key, 0))}
            for s in statuses(commune_id)
        ],
        "overdue": [_short(r) for r in overdue],
        "delayed": [_short(r) for r in delayed],
        "ratings": rating_summary(record_ids),
    }


def _short(record: ExecutionRecord) -> dict:
    return {
        "id": record.id,
        "title_ar": record.title_ar,
        "title_fr": record.title_fr,
        "status": record.status_key,
        "reason": record.status_reason,
        "progress": record.progress,
        "planned_end": _iso(record.planned_end),
        "overdue_since": _iso(record.overdue_since),
    }


def refresh_dashboard(commune_id: int, now: datetime) -> dict:
    data = dashboard_data(commune_id)
    store(f"dashboard:{commune_id}", data, now)
    return data


def feed_data(commune_id: int) -> dict:
    rows = db.session.scalars(
        select(ExecutionUpdate)
        .join(ExecutionRecord)
        .where(
            ExecutionRecord.commune_id == commune_id,
            ExecutionUpdate.state == "published",
        )
        .options(
            selectinload(ExecutionUpdate.record).selectinload(ExecutionRecord.project),
            selectinload(ExecutionUpdate.attachments),
            selectinload(ExecutionUpdate.subproject),
            selectinload(ExecutionUpdate.corrects),
        )
        .order_by(ExecutionUpdate.published_at_dt.desc(), ExecutionUpdate.id.desc())
        .limit(FEED_SIZE)
    ).all()
    return {
        "entries": [
            dict(
                entry_data(u),
                record_id=u.record_id,
                title_ar=u.record.title_ar,
                title_fr=u.record.title_fr,
            )
            for u in rows
        ]
    }


def refresh_feed(commune_id: int, now: datetime) -> dict:
    data = feed_data(commune_id)
    store(f"feed:{commune_id}", data, now)
    return data


def refresh_commune(commune_id: int, now: datetime) -> None:
    """Dashboard, feed and every record page of the commune."""
    for record_id in db.session.scalars(
        select(ExecutionRecord.id).where(ExecutionRecord.commune_id == commune_id)
    ):
        refresh_record(record_id, now)
    refresh_dashboard(commune_id, now)
    refresh_feed(commune_id, now)


def notify_followers(update: ExecutionUpdate, now: datetime) -> int:
    """Queue one SMS per follower who opted in; each sent once even if this runs
    twice (the dedupe key names the update and the follower). Returns how many
    follows were considered."""
    from pbvote.accounts.models import User
    from pbvote.sms.services import queue_sms

    record = update.record
    # Followers hear of what is published after they chose to follow.
    rows = db.session.execute(
        select(Follow, User)
        .join(User, User.id == Follow.user_id)
        .where(
            Follow.record_id == record.id,
            Follow.sms_opt_in.is_(True),
            Follow.created_at_dt <= update.published_at_dt,
        )
        .order_by(Follow.id)
    ).all()
    with force_locale("ar_MA"):
        # One SMS segment: the project's number and progress; the title, the
        # status and the link are on the site (tests/notifications).
        body = _(
            "Ouazzane: project %(id)d is %(progress)d %% done. See the site.",
            id=record.id,
            progress=update.progress_after
            if update.progress_after is not None
            else record.progress,
        )
    for follow_row, user in rows:
        if not user.active or not user.phone:
            continue
        queue_sms(
            user.phone,
            body,
            now,
            purpose="execution-update",
            commune_id=record.commune_id,
            dedupe_key=f"exec-update:{update.id}:{user.id}",
        )
    return len(rows)


def publish_followup(update_id: int, now: datetime) -> None:
    """What a publication sets off: fresh public pages and the followers' SMS."""
    update = db.session.get(ExecutionUpdate, update_id)
    if update is None or update.state != "published":
        return
    commune_id = update.record.commune_id
    refresh_record(update.record_id, now)
    refresh_dashboard(commune_id, now)
    refresh_feed(commune_id, now)
    notify_followers(update, now)


def flag_overdue(commune_id: int, today: date, now: datetime) -> list[ExecutionRecord]:
    """Flag records whose planned end has passed without completion; unflag those
    that are completed, cancelled or re-planned. Administrators get one SMS per newly
    flagged record (if they have a phone) and the list on their pages. Returns the
    newly flagged records."""
    records = db.session.scalars(
        select(ExecutionRecord).where(ExecutionRecord.commune_id == commune_id)
    ).all()
    newly = []
    for record in records:
        late = (
            record.planned_end is not None
            and record.planned_end < today
            and record.status_key not in ("completed", "cancelled")
        )
        if late and record.overdue_since is None:
            record.overdue_since = today
            newly.append(record)
        elif not late and record.overdue_since is not None:
            record.overdue_since = None
    if newly:
        _tell_administrators(commune_id, newly, now)
    db.session.flush()
    refresh_commune(commune_id, now)
    return newly


def _tell_administrators(commune_id: int, newly, now: datetime) -> None:
    """Audit each newly overdue record and text the commune's administrators
    (once per record and administrator: the dedupe key names both)."""
    from pbvote.accounts.models import User, UserRole
    from pbvote.sms.services import queue_sms

    admins = db.session.scalars(
        select(User)
        .join(UserRole)
        .where(
            User.commune_id == commune_id,
            User.kind == "staff",
            User.active.is_(True),
            UserRole.role == "admin",
        )
    ).all()
    for record in newly:
        record_action(
            None,
            "execution.overdue",
            "execution_record",
            record.id,
            now,
            {"planned_end": _iso(record.planned_end)},
        )
        for admin in admins:
            if not admin.phone:
                continue
            with force_locale("ar_MA"):
                body = _(
                    "Ouazzane: project %(id)d should have ended on %(day)s and "
                    "is not completed.",
                    id=record.id,
                    day=record.planned_end.isoformat(),
                )
            queue_sms(
                admin.phone,
                body,
                now,
                purpose="execution-overdue",
                commune_id=commune_id,
                dedupe_key=f"exec-overdue:{record.id}:{admin.id}:"
                f"{record.overdue_since.isoformat()}",
            )
