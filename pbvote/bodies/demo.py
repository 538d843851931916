"""Demo opinions: the youth council and the accessibility body each published one."""

from datetime import timedelta

from sqlalchemy import select

from pbvote.bodies.services import publish_opinion
from pbvote.extensions import db
from pbvote.reviews.models import AdvisoryBody

OPINIONS = (
    (
        "youth",
        "recommendation",
        "توصية بفتح ملاعب القرب في المساء",
        "Ouvrir les terrains de proximité le soir",
        "يوصي مجلس الشباب بإنارة ملاعب القرب وفتحها إلى العاشرة ليلا.",
        (
            "Le Conseil des jeunes recommande d'éclairer les terrains de proximité et "
            "de les ouvrir jusqu'à 22 h."
        ),
    ),
    (
        "accessibility",
        "opinion",
        "رأي حول ولوجية مقر الجماعة",
        "Avis sur l'accessibilité de l'hôtel de ville",
        "المدخل الرئيسي غير ولوج للكراسي المتحركة؛ نقترح منحدرا ومصعدا.",
        (
            "L'entrée principale n'est pas accessible en fauteuil ; nous proposons une "
            "rampe et un ascenseur."
        ),
    ),
)


def seed(ctx) -> None:
    now, admin = ctx["now"], ctx["staff"]["admin"]
    for key, kind, title_ar, title_fr, text_ar, text_fr in OPINIONS:
        body = db.session.scalar(
            select(AdvisoryBody).where(
                AdvisoryBody.commune_id == ctx["commune"].id, AdvisoryBody.key == key
            )
        )
        if body is not None:
            publish_opinion(
                admin,
                body,
                kind,
                title_ar,
                title_fr,
                text_ar,
                text_fr,
                now - timedelta(days=7),
            )
