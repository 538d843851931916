"""A realistic Ouazzane demo: the commune, its districts, staff, residents and three
cycles (last year's in execution, this year's voting, next year's collecting
proposals). Each domain adds its own
part through ``pbvote/<domain>/demo.py:seed(ctx)``, in the order of DOMAINS."""

from datetime import timedelta
from importlib import import_module, util

import pyotp
from sqlalchemy import select

from pbvote.accounts.models import User, UserRole
from pbvote.accounts.services import TOTP_SEAL
from pbvote.communes.models import Commune, District
from pbvote.core.security import seal_secret
from pbvote.core.time import local_day_start, to_local_day, utcnow
from pbvote.cycles.models import PHASES, Cycle, Phase, Scope
from pbvote.extensions import db

# Postal neighbourhood names of Ouazzane (shared/MOROCCO.md), with Arabic names.
OUAZZANE_DISTRICTS = [
    ("أدرو", "Adrou"),
    ("عين أبو فارس", "Ain Abou Fares"),
    ("عسال", "Assal"),
    ("بيلفي", "Belle Vue"),
    ("بوكشراد", "Boukachrad"),
    ("بريك", "Breique"),
    ("الدراوين", "Deraouine"),
    ("الديور الجداد", "Diour Jdad"),
    ("ديور المخازنية", "Diour Mkhaznia"),
    ("حي بوكرين", "Hay Bougrine"),
    ("حديقة لالة مينة", "Jardin Lalla Mina"),
    ("جنان المامون", "Jnane Lmamoune"),
    ("جنان سيدي العربي", "Jnane Sidi El Arbi"),
    ("القشيلة", "Kchila"),
    ("الكرشيين", "Kerchiyine"),
    ("الحدادين", "Lhaddadine"),
    ("المنصورة", "Mansoura"),
    ("فلسطين", "Palestine"),
    ("الرباط", "Rabat"),
    ("الرمل", "Rmel"),
    ("تايلول", "Tayloul"),
]
DEMO_STAFF = [
    ("admin", "Amina Admin", ["admin"]),
    ("reviewer", "Youssef Reviewer", ["reviewer"]),
    ("finance", "Fatima Finance", ["finance"]),
    ("clerk", "Karim Clerk", ["clerk"]),
]
DEMO_PASSWORD = "demo-password-ouazzane"  # development demo only
DEMO_PHONES = [
    "+212612345601",
    "+212612345602",
    "+212612345603",
    "+212712345604",
    "+212612345605",
    "+212612345606",
]


def ensure_commune() -> Commune:
    commune = db.session.scalar(select(Commune).where(Commune.slug == "ouazzane"))
    if commune is None:
        commune = Commune(
            slug="ouazzane", name_ar="وزان", name_fr="Ouazzane", population=57737
        )
        db.session.add(commune)
        for name_ar, name_fr in OUAZZANE_DISTRICTS:
            commune.districts.append(District(name_ar=name_ar, name_fr=name_fr))
        db.session.flush()  # later seeds need the ids
    return commune


def _staff(commune, now) -> dict[str, User]:
    from werkzeug.security import generate_password_hash

    staff = {}
    for username, name, roles in DEMO_STAFF:
        secret = pyotp.random_base32()
        user = User(
            commune_id=commune.id,
            kind="staff",
            username=username,
            display_name=name,
            password_hash=generate_password_hash(DEMO_PASSWORD),
            totp_secret_enc=seal_secret(TOTP_SEAL, secret),
            created_at_dt=now,
            roles=[UserRole(role=role) for role in roles],
        )
        user.demo_totp_secret = secret
        db.session.add(user)
        staff[username] = user
    return staff


def _day_start(first_start, days: int):
    """Local midnight ``days`` after the local day of ``first_start``: phases start
    on whole local days, as staff type them, so the timeline's days do not overlap."""
    return local_day_start(to_local_day(first_start) + timedelta(days=days))


def _cycle(commune, year, title_ar, title_fr, total, first_start, step_days, districts):
    cycle = Cycle(
        commune_id=commune.id,
        year=year,
        title_ar=title_ar,
        title_fr=title_fr,
        total_budget=total,
        created_at_dt=first_start,
        settings={},
        ends_at_dt=_day_start(first_start, step_days * len(PHASES)),
    )
    for index, kind in enumerate(PHASES):
        cycle.phases.append(
            Phase(kind=kind, starts_at_dt=_day_start(first_start, step_days * index))
        )
    commune_share = total * 40 // 100
    per_district = (total - commune_share) // len(districts)
    cycle.scopes.append(
        Scope(key="commune", amount=total - per_district * len(districts))
    )
    for district in districts:
        cycle.scopes.append(
            Scope(
                key=f"district-{district.id}",
                district_id=district.id,
                amount=per_district,
            )
        )
    db.session.add(cycle)
    return cycle


def seed_demo(reset: bool = False) -> list[str]:
    """Fill an empty database with the demo and return the lines to print."""
    if reset:
        db.drop_all()
        db.create_all()
    if db.session.scalar(select(Cycle.id).limit(1)):
        return ["The demo is already seeded (use --reset to start again)."]
    now = utcnow()
    commune = ensure_commune()
    districts = commune.districts[:6]
    staff = _staff(commune, now)
    residents = [
        User(commune_id=commune.id, kind="resident", phone=phone, created_at_dt=now)
        for phone in DEMO_PHONES
    ]
    db.session.add_all(residents)
    # Three cycles show the whole year: last year's is being carried out, this
    # year's is voting, next year's collects proposals.
    past = _cycle(
        commune,
        now.year - 1,
        "الميزانية التشاركية لوزان",
        "Budget participatif de Ouazzane",
        3_000_000,
        now - timedelta(days=45 * 5 + 10),
        45,
        districts[:3],
    )
    current = _cycle(
        commune,
        now.year,
        "الميزانية التشاركية لوزان",
        "Budget participatif de Ouazzane",
        4_000_000,
        now - timedelta(days=14 * 3 + 3),
        14,
        districts,
    )
    upcoming = _cycle(
        commune,
        now.year + 1,
        "الميزانية التشاركية لوزان",
        "Budget participatif de Ouazzane",
        4_500_000,
        now - timedelta(days=30 + 5),
        30,
        districts,
    )
    db.session.flush()  # domain seeds need ids
    ctx = {
        "commune": commune,
        "districts": districts,
        "staff": staff,
        "residents": residents,
        "past_cycle": past,
        "current_cycle": current,
        "next_cycle": upcoming,
        "now": now,
        "lines": [],
    }
    from pbvote import DOMAINS

    for name in DOMAINS:
        if util.find_spec(f"pbvote.{name}.demo"):
            import_module(f"pbvote.{name}.demo").seed(ctx)
    db.session.commit()
    lines = [
        "Demo seeded for the commune of Ouazzane.",
        "",
        (
            "Staff sign-in at http://127.0.0.1:5000/staff/login "
            f"(password for all: {DEMO_PASSWORD}):"
        ),
    ]
    for username, user in staff.items():
        lines.append(
            f"  {username:9} roles={','.join(sorted(user.role_names))} "
            f"TOTP secret={user.demo_totp_secret}"
        )
    lines += [
        "  current TOTP code: .venv/bin/pbvote demo-code USERNAME",
        "",
        "Residents sign in with one of: " + ", ".join(DEMO_PHONES),
    ]
    return lines + ctx["lines"]
