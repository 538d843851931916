"""Poll test data, built through the services (as staff would)."""

from datetime import timedelta

from pbvote.core.time import utcnow
from pbvote.polls import services
from tests.factories import create_staff


def create_open_poll(
    commune: dict, registry: dict, *, start=timedelta(0), length=timedelta(days=1)
) -> dict:
    now = utcnow()
    admin, _secret = create_staff(
        commune["id"], f"polladmin{now.microsecond}", ["admin"]
    )
    poll = services.save_poll(
        admin,
        commune["id"],
        None,
        services.PollInput(
            title_ar="استطلاع السوق",
            title_fr="Sondage du marché",
            intro_ar="",
            intro_fr="",
            registry_cycle_id=registry["cycle_id"],
            opens_at_dt=now + start,
            closes_at_dt=now + start + length,
        ),
        now,
    )
    yesno = services.add_question(
        admin, poll, "yesno", "هل نوسع السوق؟", "Agrandir le marché ?", [], now
    )
    choice = services.add_question(
        admin,
        poll,
        "choice",
        "أي يوم؟",
        "Quel jour ?",
        [
            {"ar": "الإثنين", "fr": "Lundi"},
            {"ar": "الأربعاء", "fr": "Mercredi"},
            {"ar": "السبت", "fr": "Samedi"},
        ],
        now,
    )
    services.open_poll(admin, poll, now)
    return {
        "poll_id": poll.id,
        "yesno": yesno.id,
        "yes": yesno.options[0].id,
        "no": yesno.options[1].id,
        "choice": choice.id,
        "days": [o.id for o in choice.options],
        "residents": registry["residents"],
    }
