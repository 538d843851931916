"""Demo petitions: one decided by the council after 200+ signatures, one waiting for
the bureau's decision (an association's, due soon), one collecting signatures."""

from datetime import date, timedelta

from sqlalchemy import select

from pbvote.extensions import db
from pbvote.petitions import services
from pbvote.voting.models import VoterEntry


def _entries(cycle_ids, count: int) -> list:
    return list(
        db.session.scalars(
            select(VoterEntry)
            .where(VoterEntry.cycle_id.in_(cycle_ids))
            .order_by(VoterEntry.id)
            .limit(count)
        )
    )


def _decided(ctx, entries) -> None:
    now, residents, staff = ctx["now"], ctx["residents"], ctx["staff"]
    start = now - timedelta(days=150)
    petition = services.create_petition(
        residents[2],
        ctx["commune"].id,
        association=None,
        agent_name="Hicham El Idrissi",
        title="تهيئة ممرات آمنة للراجلين قرب المدارس / Passages piétons sûrs près "
        "des écoles",
        request="نطلب من المجلس إدراج تهيئة ممرات للراجلين وإشارات ضوئية قرب مدارس "
        "حي الرمل وجنان المامون في جدول أعمال دورته العادية.\n\nNous demandons au "
        "conseil d'inscrire à l'ordre du jour l'aménagement de passages piétons et "
        "de feux près des écoles de Rmel et Jnane Lmamoune.",
        now=start,
    )
    services.open_signatures(residents[2], petition, start + timedelta(hours=1))
    clerk = staff["clerk"]
    for index, entry in enumerate(entries[: petition.threshold + 12]):
        moment = start + timedelta(days=1 + index % 40, hours=index % 9)
        services.add_signature(
            petition, entry, moment, clerk=clerk if index % 4 == 0 else None
        )
    services.file_petition(residents[2], petition, start + timedelta(days=45))
    admin = staff["admin"]
    services.decide_admissibility(
        admin,
        petition,
        admissible=True,
        reasons="الموضوع من اختصاص الجماعة (السير والجولان داخل المدار الحضري).\n\n"
        "Le sujet relève de la commune (circulation en agglomération).",
        now=start + timedelta(days=70),
    )
    session = (start + timedelta(days=75)).date()
    services.schedule_petition(
        admin, petition, session_on=session, now=start + timedelta(days=71)
    )
    services.record_outcome(
        admin,
        petition,
        outcome="صادق المجلس على برمجة 4 ممرات و2 إشارات ضوئية في ميزانية السنة "
        "المقبلة.\n\nLe conseil a programmé 4 passages piétons et 2 feux au budget "
        "de l'an prochain.",
        now=start + timedelta(days=76),
    )


def seed(ctx) -> None:
    now, residents = ctx["now"], ctx["residents"]
    cycles = [ctx["past_cycle"].id, ctx["current_cycle"].id]
    entries = _entries(cycles, services.setting("PETITION_SIGNATURE_THRESHOLD") + 40)
    _decided(ctx, entries)

    association = ctx.get("associations", {}).get("approved")
    if association is not None and association.founded_on < date(now.year - 3, 1, 1):
        waiting = services.create_petition(
            association.representative,
            ctx["commune"].id,
            association=association,
            agent_name="Nadia Bennani",
            title="مركز للأشخاص في وضعية إعاقة / Un centre pour les personnes en "
            "situation de handicap",
            request="تطلب الجمعية إدراج إحداث مركز للترويض الطبي في جدول أعمال "
            "المجلس.\n\nL'association demande l'inscription de la création d'un "
            "centre de rééducation à l'ordre du jour du conseil.",
            now=now - timedelta(days=82),
        )
        services.file_petition(
            association.representative, waiting, now - timedelta(days=80)
        )

    collecting = services.create_petition(
        residents[3],
        ctx["commune"].id,
        association=None,
        agent_name="Salma Tazi",
        title="مكتبة عمومية مفتوحة مساء / Une bibliothèque ouverte le soir",
        request="نطلب تمديد ساعات فتح المكتبة البلدية إلى الثامنة مساء.\n\nNous "
        "demandons que la bibliothèque municipale reste ouverte jusqu'à 20 h.",
        now=now - timedelta(days=6),
    )
    services.open_signatures(residents[3], collecting, now - timedelta(days=6))
    for index, entry in enumerate(entries[-37:]):
        services.add_signature(collecting, entry, now - timedelta(hours=5 + index))
    ctx["lines"] += [
        "",
        (
            "Petitions: /petitions (one decided, one waiting for the bureau, one "
            f"collecting signatures at /petitions/{collecting.id}); staff: "
            "/staff/petitions"
        ),
    ]
