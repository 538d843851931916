"""Demo meetings: a public hearing of the accessibility body next week (a resident
already registered), a youth council meeting, and last month's neighbourhoods
council meeting with its attendance, minutes and followed commitments."""

from datetime import timedelta

from sqlalchemy import select

from pbvote.extensions import db
from pbvote.meetings import followup, services
from pbvote.meetings.models import Meeting
from pbvote.reviews.models import AdvisoryBody


def _bodies(commune_id):
    rows = db.session.scalars(
        select(AdvisoryBody).where(AdvisoryBody.commune_id == commune_id)
    )
    return {b.key: b for b in rows}


def _at(now, days, hour):
    # 18:00 in Ouazzane is 17:00 UTC outside Ramadan: close enough for a demo.
    day = (now + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    return day.replace(hour=hour - 1)


def _meeting(admin, body, kind, title, agenda, days, now, **extra):
    start = _at(now, days, 18)
    data = services.MeetingInput(
        kind=kind,
        title=title,
        agenda=agenda,
        starts_at_dt=start,
        ends_at_dt=start + timedelta(hours=2),
        place=extra.get("place", "قاعة الاجتماعات بالجماعة / Salle du conseil"),
        online_url="",
        step_free=True,
        sign_language=extra.get("sign_language", False),
        childcare=extra.get("childcare", False),
        language="ar_fr",
        organiser=extra.get("organiser", body.name_fr if body else "Commune"),
        capacity=extra.get("capacity"),
        body_id=body.id if body else None,
    )
    return services.save_meeting(admin, None, data, now - timedelta(days=40))


def seed(ctx) -> None:
    now, admin = ctx["now"], ctx["staff"]["admin"]
    bodies = _bodies(ctx["commune"].id)
    hearing = _meeting(
        admin,
        bodies.get("accessibility"),
        "hearing",
        "جلسة استماع عمومية: ولوجية الأرصفة / Audience publique : trottoirs accessibles",
        "1. عرض المصالح التقنية / Présentation des services techniques\n"
        "2. أسئلة الساكنة / Questions des habitants",
        6,
        now,
        capacity=40,
        sign_language=True,
        childcare=True,
    )
    services.register(ctx["residents"][1], hearing, now - timedelta(days=1))
    _meeting(
        admin,
        bodies.get("youth"),
        "body",
        "اجتماع مجلس الشباب / Réunion du Conseil des jeunes",
        "برنامج الصيف / Programme de l'été",
        12,
        now,
        place="دار الشباب / Maison des jeunes",
    )
    _past_meeting(admin, bodies.get("neighbourhoods"), now)
    ctx["lines"].append(f"Meetings: a public hearing at /meetings/{hearing.id}")


def _past_meeting(admin, body, now) -> Meeting:
    past = _meeting(
        admin,
        body,
        "accountability",
        "جلسة المساءلة حول الميزانية التشاركية / Séance de redevabilité",
        "حصيلة المشاريع / Bilan des projets",
        -20,
        now,
    )
    later = now - timedelta(days=19)
    followup.record_attendance(
        admin, past, followup.Attendance(48, 21, 27, 3, 19, 17, 9, 4), later
    )
    followup.publish_minutes(
        admin,
        past,
        "حضر 48 شخصا. قدمت الجماعة حصيلة المشاريع وأجابت عن الأسئلة.\n\n"
        "48 personnes présentes. La commune a présenté le bilan et répondu aux "
        "questions.",
        later,
    )
    lamps = followup.add_commitment(
        admin,
        past,
        "إصلاح الإنارة العمومية بحي الرمل / Réparer l'éclairage public à Rmel",
        "المصالح التقنية / Services techniques",
        (now + timedelta(days=40)).date(),
        later,
    )
    followup.update_commitment(
        admin, lamps, "in_progress", "تم طلب العروض / Devis demandés", now
    )
    return past
