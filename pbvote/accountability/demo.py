"""Demo: last year's winning projects being carried out, with published updates,
money, a delayed and overdue project, a follower notified by SMS, a question
answered, ratings and last quarter's accountability report."""

from datetime import timedelta

from sqlalchemy import select

from pbvote.accountability import details, followup, reports, services, voice
from pbvote.accountability.statuses import ensure_statuses
from pbvote.core.time import to_local_day
from pbvote.extensions import db


def _winning_project_ids(ctx, cycle) -> list[int]:
    from pbvote.proposals.models import Project

    winners = (ctx.get("winners_by_cycle") or {}).get(cycle.id)
    if winners:
        return list(winners)
    projects = (ctx.get("projects_by_cycle") or {}).get(cycle.id) or []
    ids = [getattr(p, "id", p) for p in projects][:5]
    if ids:
        return ids
    return list(
        db.session.scalars(
            select(Project.id)
            .where(Project.cycle_id == cycle.id)
            .order_by(Project.id)
            .limit(5)
        )
    )


def _location(record) -> str:
    district = record.project.scope.district if record.project.scope else None
    return f"{district.name_ar} · {district.name_fr}" if district else "وزان · Ouazzane"


PLANS = [
    # service, contractor, procurement reference, days from now: planned start, end
    (
        "مصلحة الأشغال البلدية · Service des travaux",
        "SOTRAVO Ouazzane",
        "AO-07/2025",
        -150,
        -10,
    ),
    (
        "مصلحة الشبكات · Service des réseaux",
        "Lumière du Nord SARL",
        "AO-11/2025",
        -120,
        -20,
    ),
    ("قسم الشؤون الاجتماعية · Division sociale", "", "BC-22/2025", -60, 120),
    (
        "مصلحة البيئة · Service de l'environnement",
        "Jardins du Rif SARL",
        "AO-15/2025",
        -90,
        150,
    ),
]


def seed(ctx) -> None:
    cycle, now = ctx["past_cycle"], ctx["now"]
    finance, admin = ctx["staff"]["finance"], ctx["staff"]["admin"]
    ensure_statuses(cycle.commune_id)  # each commune has its own statuses
    project_ids = _winning_project_ids(ctx, cycle)
    if not project_ids:
        ctx["lines"].append(
            "Execution: last year's cycle has no projects in this demo."
        )
        return
    records = services.open_execution_records(cycle.id, project_ids, now)
    today = to_local_day(now)
    for record, plan in zip(records, PLANS):
        service, contractor, ref, start, end = plan
        details.save_details(
            finance,
            record,
            responsible_service=service,
            contractor=contractor,
            procurement_ref=ref,
            location=_location(record),
            planned_start=today + timedelta(days=start),
            planned_end=today + timedelta(days=end),
            now=now - timedelta(days=160),
        )
    resident = ctx["residents"][0]
    voice.follow(resident, records[0], True, now - timedelta(days=20))

    def publish(record, when_days, **values):
        when = now - timedelta(days=when_days)
        values.setdefault("service", record.responsible_service)
        draft = services.create_draft(
            finance, record, services.UpdateValues(**values), when
        )
        services.publish(finance, draft, when)

    first = records[0]
    publish(
        first,
        140,
        status_key="studies",
        body_ar="انطلاق الدراسات التقنية.",
        body_fr="Lancement des études techniques.",
    )
    publish(
        first,
        90,
        status_key="contracted",
        committed=int(first.allocated * 0.95),
        body_ar="تم توقيع الصفقة مع المقاولة.",
        body_fr="Marché signé avec l'entreprise.",
    )
    publish(
        first,
        45,
        status_key="works",
        spent=int(first.allocated * 0.5),
        actual_start=today - timedelta(days=45),
        body_ar="بدأت الأشغال في الموقع.",
        body_fr="Les travaux ont commencé.",
    )
    publish(
        first,
        3,
        status_key="completed",
        spent=int(first.allocated * 0.93),
        actual_end=today - timedelta(days=3),
        body_ar="تم تسليم المشروع.",
        body_fr="Réception des travaux.",
    )
    if len(records) > 1:
        second = records[1]
        publish(
            second,
            100,
            status_key="tendering",
            body_fr="Appel d'offres publié.",
            body_ar="تم نشر طلب العروض.",
        )
        publish(
            second,
            60,
            status_key="works",
            committed=int(second.allocated * 0.8),
            spent=int(second.allocated * 0.3),
            progress=40,
            body_fr="Pose des premiers lampadaires.",
            body_ar="تركيب أولى الأعمدة.",
        )
        publish(
            second,
            15,
            status_key="delayed",
            reason="Retard de livraison des lampadaires solaires · تأخر تسليم الأعمدة "
            "الشمسية",
            body_fr="Le fournisseur a livré en retard.",
            body_ar="تأخر المورد.",
        )
    if len(records) > 2:
        publish(
            records[2],
            30,
            status_key="studies",
            body_fr="Études en cours.",
            body_ar="الدراسات جارية.",
        )
    if len(records) > 3:
        fourth = records[3]
        publish(
            fourth,
            70,
            status_key="tendering",
            body_fr="Appel d'offres publié.",
            body_ar="تم نشر طلب العروض.",
        )
        publish(
            fourth,
            25,
            status_key="works",
            committed=int(fourth.allocated * 0.9),
            spent=int(fourth.allocated * 0.45),
            progress=65,
            actual_start=today - timedelta(days=25),
            body_fr="Plantations et allées en cours.",
            body_ar="الغرس والممرات جارية.",
        )
    for index, user in enumerate(ctx["residents"][1:4]):
        voice.rate(user, first, (5, 4, 3)[index], index != 2, now - timedelta(days=1))
    question = voice.ask_question(
        ctx["residents"][1],
        records[-1],
        "Quand les travaux commenceront-ils dans notre quartier ?",
        now - timedelta(days=8),
    )
    db.session.flush()  # the answer's audit entry needs the id
    voice.answer_question(
        finance,
        question,
        "Après l'étude, prévue pour le printemps. · بعد الدراسة، في فصل الربيع.",
        records[-1].responsible_service,
        now - timedelta(days=6),
    )
    flagged = followup.flag_overdue(cycle.commune_id, today, now)
    kind, year, quarter = reports.due_periods(today)[0]
    db.session.flush()
    report = reports.generate(cycle.commune_id, kind, year, quarter, now, actor=admin)
    followup.refresh_commune(cycle.commune_id, now)
    ctx["lines"] += [
        "",
        (
            f"Execution: {len(records)} projects followed at /execution "
            f"({len(flagged)} past their planned end); finance publishes updates at "
            f"/staff/execution; resident {resident.phone} follows /execution/{first.id} by "
            f"SMS; report {year} Q{quarter} at /execution/reports/{report.id}; feed at "
            f"/execution/feed.atom."
        ),
    ]
