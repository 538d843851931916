"""Demo associations: one approved (it proposes projects), one waiting."""

from datetime import date

from pbvote.associations.services import decide_association, register_association


def seed(ctx) -> None:
    commune, now = ctx["commune"], ctx["now"]
    residents, admin = ctx["residents"], ctx["staff"]["admin"]
    approved = register_association(
        residents[0],
        commune.id,
        name_ar="جمعية الأمل للتنمية والتضامن",
        name_fr="Association Al Amal pour le développement et la solidarité",
        registration_number="OUZ-2014/0117",
        seat_address="Hay Rmel, Ouazzane",
        founded_on=date(2014, 5, 12),
        field="social",
        now=now,
    )
    waiting = register_association(
        residents[1],
        commune.id,
        name_ar="نادي شباب عين أبو فارس",
        name_fr="Club des jeunes d'Ain Abou Fares",
        registration_number="OUZ-2021/0342",
        seat_address="Ain Abou Fares, Ouazzane",
        founded_on=date(2021, 9, 3),
        field="youth",
        now=now,
    )
    from pbvote.extensions import db

    db.session.flush()  # the decision's audit entry needs the id
    decide_association(admin, approved, True, "", now)
    ctx["associations"] = {"approved": approved, "pending": waiting}
    ctx["lines"].append(
        "Associations: one approved (proposes projects), one waiting "
        "for approval at /staff/associations."
    )
