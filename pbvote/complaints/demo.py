"""Demo complaints: one answered and rated, one answered waiting for its rating,
one with a service, one late."""

from datetime import timedelta

from pbvote.complaints import services


def seed(ctx) -> None:
    now, residents, districts = ctx["now"], ctx["residents"], ctx["districts"]
    clerk = ctx["staff"]["clerk"]

    def file(author, category, district, text, days_ago):
        return services.file_complaint(
            author,
            category=category,
            district_id=district.id,
            description=text,
            photo=None,
            now=now - timedelta(days=days_ago),
        )

    rated = file(
        residents[0],
        "lighting",
        districts[0],
        "ثلاثة أعمدة إنارة معطلة في الزنقة 4 قرب المسجد.\n\nTrois "
        "lampadaires en panne rue 4, près de la mosquée.",
        20,
    )
    services.route_complaint(
        clerk, rated, service="works", now=now - timedelta(days=19)
    )
    services.answer_complaint(
        clerk,
        rated,
        answer="تم إصلاح الأعمدة الثلاثة يوم الخميس.\n\nLes trois lampadaires ont "
        "été réparés jeudi.",
        now=now - timedelta(days=14),
    )
    services.rate_complaint(
        residents[0],
        rated,
        rating=4,
        comment="Merci, rapide.",
        now=now - timedelta(days=13),
    )
    waiting = file(
        residents[1],
        "cleanliness",
        districts[1],
        "حاوية الأزبال ممتلئة منذ أسبوع.\n\nLa benne déborde depuis une semaine.",
        8,
    )
    services.route_complaint(
        clerk, waiting, service="hygiene", now=now - timedelta(days=7)
    )
    services.answer_complaint(
        clerk,
        waiting,
        answer="تم تفريغ الحاوية وإضافة حاوية ثانية.\n\nLa benne a été vidée et "
        "une seconde ajoutée.",
        now=now - timedelta(days=5),
    )
    routed = file(
        residents[2],
        "roads",
        districts[2],
        "حفرة كبيرة وسط الطريق أمام المدرسة.\n\nUn grand nid-de-poule devant l'école.",
        3,
    )
    services.route_complaint(
        clerk, routed, service="works", now=now - timedelta(days=2)
    )
    file(
        residents[3],
        "water",
        districts[3],
        "تسرب مياه الصرف في الزقاق منذ شهر.\n\nFuite d'eaux usées dans la ruelle "
        "depuis un mois.",
        30,
    )
    ctx["lines"] += [
        "",
        (
            "Complaints: register at /complaints (one answered and rated 4/5, one "
            "late); staff: /staff/complaints"
        ),
    ]
