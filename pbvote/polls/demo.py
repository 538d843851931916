"""Demo polls on this year's voter registry: one open now (the printed demo
residents can vote in it; a few others already did), and last month's, closed,
counted and published, whose record verifies with ``pbvote verify-poll``."""

import random
from datetime import timedelta

from sqlalchemy import select

from pbvote.extensions import db
from pbvote.polls import counting, services
from pbvote.voting.holding import mix_held
from pbvote.voting.models import VoterEntry

OPTIONS_DAY = [
    {"ar": "الإثنين", "fr": "Lundi"},
    {"ar": "الخميس", "fr": "Jeudi"},
    {"ar": "الأحد", "fr": "Dimanche"},
]


def _poll(ctx, title_ar, title_fr, intro_ar, intro_fr, questions, now):
    admin, cycle = ctx["staff"]["admin"], ctx["current_cycle"]
    poll = services.save_poll(
        admin,
        ctx["commune"].id,
        None,
        services.PollInput(
            title_ar=title_ar,
            title_fr=title_fr,
            intro_ar=intro_ar,
            intro_fr=intro_fr,
            registry_cycle_id=cycle.id,
            opens_at_dt=now - timedelta(hours=2),
            closes_at_dt=now + timedelta(days=7),
        ),
        now,
    )
    for kind, text_ar, text_fr, options in questions:
        services.add_question(admin, poll, kind, text_ar, text_fr, options, now)
    services.open_poll(admin, poll, now)
    return poll


def _votes(poll, entries, now, rng) -> None:
    """Ballots as the cast service writes them (mark + held sealed ballot), then
    one shuffled mixing, as the mixing job does."""
    for entry_id in entries:
        answers = {}
        for question in poll.questions:
            picks = [o.id for o in question.options] + [None]
            weights = [5, 3, 2, 1][: len(picks) - 1] + [1]
            answers[str(question.id)] = rng.choices(picks, weights=weights)[0]
        services.record_vote(poll, entry_id, answers, now)
    mix_held(poll.id, now, force=True, box=services.POLL_BOX)


def seed(ctx) -> None:
    rng = random.Random(16)
    now = ctx["now"]
    # The first five entries are printed for the voting demo: they have not voted.
    entries = list(
        db.session.scalars(
            select(VoterEntry.id)
            .where(VoterEntry.cycle_id == ctx["current_cycle"].id)
            .order_by(VoterEntry.id)
        )
    )
    market = _poll(
        ctx,
        "يوم السوق الأسبوعي",
        "Le jour du souk hebdomadaire",
        "تقترح الجماعة نقل السوق الأسبوعي. صوتوا قبل إغلاق الاستطلاع.",
        "La commune propose de déplacer le souk hebdomadaire. Votez avant la clôture.",
        [
            (
                "yesno",
                "هل توافقون على نقل السوق إلى الساحة الجديدة؟",
                "Êtes-vous d'accord pour déplacer le souk sur la nouvelle place ?",
                [],
            ),
            (
                "choice",
                "أي يوم تفضلون للسوق؟",
                "Quel jour préférez-vous ?",
                OPTIONS_DAY,
            ),
        ],
        now,
    )
    _votes(market, entries[10:22], now, rng)

    past_moment = now - timedelta(days=30)
    lights = _poll(
        ctx,
        "الإنارة العمومية ليلا",
        "L'éclairage public la nuit",
        "",
        "",
        [
            (
                "yesno",
                "هل نطفئ نصف الإنارة بعد منتصف الليل لتوفير الطاقة؟",
                "Éteindre la moitié de l'éclairage après minuit pour économiser ?",
                [],
            )
        ],
        past_moment,
    )
    _votes(lights, entries[5:40], past_moment, rng)
    lights.opens_at_dt = past_moment - timedelta(days=7)
    lights.closes_at_dt = past_moment + timedelta(days=7)
    counting.count_poll(lights.id, now)
    ctx["lines"] += [
        "",
        (
            f"Polls: vote at /polls/{market.id} with one of the residents printed "
            "for the voting demo (results sealed until it closes: close it early "
            f"at /staff/polls/{market.id}); published results at "
            f"/polls/{lights.id}/results"
        ),
    ]
