"""Demo information requests: one answered within its deadline, one refused on a
legal ground, one whose deadline was extended, one urgent and open."""

from datetime import timedelta

from pbvote.inforequests import services
from pbvote.inforequests.services import Requester


def _requester(number: int) -> Requester:
    return Requester(
        name=f"Demo Requester {number}",
        address=f"{number} rue Hassan II, Ouazzane",
        cin=f"GK{300000 + number}",
        email=f"demo{number}@example.org",
    )


def seed(ctx) -> None:
    now, commune_id = ctx["now"], ctx["commune"].id
    clerk = ctx["staff"]["clerk"]
    answered = services.file_request(
        commune_id,
        _requester(1),
        subject="نسخة من محضر دورة ماي للمجلس الجماعي / Copie du procès-verbal de "
        "la session de mai du conseil communal",
        urgent=False,
        channel="online",
        now=now - timedelta(days=30),
    )
    services.answer_request(
        clerk,
        answered,
        answer="تجدون رفقته محضر الدورة كما صادق عليه المجلس.\n\nVous trouverez "
        "ci-joint le procès-verbal tel qu'adopté par le conseil.",
        uploads=[],
        now=now - timedelta(days=19),
    )
    refused = services.file_request(
        commune_id,
        _requester(2),
        subject="Dossier médical d'un agent communal",
        urgent=False,
        channel="in_person",
        now=now - timedelta(days=20),
        clerk=clerk,
    )
    services.refuse_request(
        clerk,
        refused,
        ground="exception",
        explanation="معطيات شخصية وصحية محمية (المادة 7).\n\nDonnées personnelles "
        "et de santé protégées (article 7).",
        now=now - timedelta(days=15),
    )
    extended = services.file_request(
        commune_id,
        _requester(3),
        subject="Liste des marchés publics de voirie 2020-2025 avec leurs montants",
        urgent=False,
        channel="post",
        now=now - timedelta(days=10),
        clerk=clerk,
    )
    services.extend_request(
        clerk,
        extended,
        reason="الوثائق موزعة على عدة مصالح.\n\nLes documents sont répartis entre "
        "plusieurs services.",
        now=now - timedelta(days=2),
    )
    services.file_request(
        commune_id,
        _requester(4),
        subject="Plan des canalisations d'eau sous l'école du quartier Rmel "
        "(risque d'effondrement)",
        urgent=True,
        channel="online",
        now=now - timedelta(hours=20),
    )
    ctx["lines"] += [
        "",
        (
            "Information requests: register at /information (answered, refused, "
            "extended, urgent); staff: /staff/information"
        ),
    ]
