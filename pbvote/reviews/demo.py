"""Demo reviews: the charter's bodies, a reviewer in each, every proposal of the past
and current cycles answered and published (feasible ones became projects), and a few
recorded answers waiting in next year's cycle."""

from datetime import timedelta

from sqlalchemy import select

from pbvote.cycles.services import phase_span
from pbvote.extensions import db
from pbvote.proposals.models import Project, Proposal
from pbvote.reviews import services
from pbvote.reviews.bodies import ensure_bodies
from pbvote.reviews.models import BodyMember

FEASIBLE_ANSWER = (
    "درست الهيئة مقترحكم ووجدته قابلا للإنجاز. سيعرض على تصويت الساكنة بالكلفة "
    "الرسمية المذكورة.\n\n"
    "L'instance a étudié votre proposition et l'a jugée réalisable. Elle sera soumise "
    "au vote des habitants à son coût officiel."
)
CHANGES = (
    "يجب تقليص المشروع ليتلاءم مع الميزانية وتغيير موقعه إلى عقار في ملك الجماعة.\n\n"
    "Le projet doit être réduit pour tenir dans le budget et déplacé sur un terrain "
    "communal."
)
NOT_FEASIBLE_ANSWER = (
    "شكرا على مقترحكم. للأسف لا يمكن إنجازه في إطار الميزانية التشاركية.\n\n"
    "Merci pour votre proposition. Elle ne peut malheureusement pas être réalisée "
    "dans le cadre du budget participatif."
)
NOT_FEASIBLE_REASONS = (
    "هذا المشروع من اختصاص الدولة (وزارة الصحة أو وزارة التجهيز) وليس من اختصاص "
    "الجماعة، وكلفته تفوق ميزانية الدورة. تمت إحالته على المصالح المختصة.\n\n"
    "Ce projet relève de l'État (ministère de la Santé ou de l'Équipement), pas de la "
    "commune, et son coût dépasse le budget du cycle. Il a été transmis aux services "
    "compétents."
)
MERGED_ANSWER = (
    "مقترحكم مماثل لمقترح آخر في نفس الحي، فتم دمجهما في مشروع واحد.\n\n"
    "Votre proposition rejoint une autre proposition du même quartier : elles sont "
    "fusionnées en un seul projet."
)


def _input(plan: dict) -> services.ReviewInput:
    decision = plan["decision"]
    if decision == "not_feasible":
        return services.ReviewInput(
            decision, False, True, True, None, NOT_FEASIBLE_ANSWER, NOT_FEASIBLE_REASONS
        )
    if decision == "merged":
        return services.ReviewInput(
            decision, True, True, True, None, MERGED_ANSWER, merged_into_id=plan["into"]
        )
    return services.ReviewInput(
        decision,
        True,
        True,
        True,
        plan["cost"],
        FEASIBLE_ANSWER,
        CHANGES if decision == "feasible_with_changes" else "",
        project_title_ar=plan["title_ar"],
        project_title_fr=plan["title_fr"],
    )


def _answer_cycle(ctx, cycle, reviewer, admin) -> list[Project]:
    start, _end = phase_span(cycle, "review")
    moment = start + timedelta(days=1)
    services.assign_by_rules(admin, cycle, moment)
    db.session.flush()  # reviews get ids
    proposals = db.session.scalars(
        select(Proposal)
        .where(Proposal.cycle_id == cycle.id, Proposal.status == "submitted")
        .order_by(Proposal.id)
    ).all()
    for proposal in proposals:
        services.record_review(
            reviewer,
            proposal.review,
            _input(ctx["proposal_plans"][proposal.id]),
            moment,
        )
    services.publish_decisions(admin, cycle, moment + timedelta(days=2))
    return list(
        db.session.scalars(
            select(Project).where(Project.cycle_id == cycle.id).order_by(Project.id)
        )
    )


def seed(ctx) -> None:
    commune = ctx["commune"]
    admin, reviewer = ctx["staff"]["admin"], ctx["staff"]["reviewer"]
    for body in ensure_bodies(commune.id):
        body.members.append(BodyMember(user_id=reviewer.id))
    db.session.flush()  # membership is read by the review service
    by_cycle = {}
    for key in ("past_cycle", "current_cycle"):
        cycle = ctx[key]
        by_cycle[cycle.id] = _answer_cycle(ctx, cycle, reviewer, admin)
    upcoming = ctx["next_cycle"]
    services.assign_by_rules(admin, upcoming, ctx["now"])
    db.session.flush()  # reviews get ids
    for proposal in ctx["next_proposals"]["submitted"][:3]:
        services.record_review(
            reviewer,
            proposal.review,
            services.ReviewInput(
                "feasible",
                True,
                True,
                True,
                proposal.estimated_cost,
                FEASIBLE_ANSWER,
                project_title_ar=proposal.title,
                project_title_fr=proposal.title,
            ),
            ctx["now"],
        )
    ctx["projects_by_cycle"] = by_cycle
    ctx["projects"] = [p for projects in by_cycle.values() for p in projects]
    ctx["lines"].append(
        "Reviews: reviewer sits in every advisory body (/staff/reviews); "
        + ", ".join(f"{len(v)} projects in cycle {k}" for k, v in by_cycle.items())
        + "; next year's answers wait at /staff/cycles/"
        f"{upcoming.id}/reviews."
    )
