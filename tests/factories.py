"""Test data. Factories add rows to the current session and flush; the caller's
``committed()`` block commits."""

from datetime import timedelta
from functools import cache

import pyotp
from werkzeug.security import generate_password_hash

from pbvote.accounts.models import User, UserRole
from pbvote.accounts.services import TOTP_SEAL
from pbvote.communes.models import Commune, District
from pbvote.core.security import seal_secret
from pbvote.core.time import utcnow
from pbvote.cycles.models import PHASES, Cycle, Phase, Scope
from pbvote.extensions import db

STAFF_PASSWORD = "correct horse battery staple"


@cache
def staff_password_hash() -> str:
    """STAFF_PASSWORD hashed once per test process: a real scrypt hash that sign-in
    checks as usual (hashing it again for every staff member costs ~0.1 s each)."""
    return generate_password_hash(STAFF_PASSWORD)


def create_commune(slug="ouazzane", districts=("Adrou", "Assal", "Rmel")) -> Commune:
    commune = Commune(slug=slug, name_ar="وزان", name_fr=slug.title(), population=57737)
    for name in districts:
        commune.districts.append(District(name_ar=f"حي {name}", name_fr=name))
    db.session.add(commune)
    db.session.flush()
    return commune


def create_staff(
    commune_id: int, username: str, roles, *, enrolled=True
) -> tuple[User, str]:
    """A staff member with STAFF_PASSWORD; returns the user and its TOTP secret."""
    secret = pyotp.random_base32()
    user = User(
        commune_id=commune_id,
        kind="staff",
        username=username,
        display_name=username.title(),
        created_at_dt=utcnow(),
        password_hash=staff_password_hash(),
        totp_secret_enc=seal_secret(TOTP_SEAL, secret) if enrolled else None,
        roles=[UserRole(role=role) for role in roles],
    )
    db.session.add(user)
    db.session.flush()
    return user, secret


def create_resident(commune_id: int, phone="+212612345678") -> User:
    user = User(
        commune_id=commune_id, kind="resident", phone=phone, created_at_dt=utcnow()
    )
    db.session.add(user)
    db.session.flush()
    return user


def create_cycle(
    commune_id: int,
    *,
    current_phase="proposals",
    total=1_000_000,
    district_ids=(),
    year=None,
    phase_days=10,
    scopes=True,
) -> Cycle:
    """A cycle whose phase ``current_phase`` is running now (or "closed" / None).

    Each phase lasts ``phase_days``; the commune-wide scope gets what the districts
    (an equal share of half the budget) leave.
    """
    now = utcnow()
    if current_phase in PHASES:
        index = PHASES.index(current_phase)
    elif current_phase == "closed":
        index = len(PHASES) + 1
    else:  # not started
        index = -1
    first = now - timedelta(days=phase_days * index + phase_days / 2)
    cycle = Cycle(
        commune_id=commune_id,
        year=year or now.year,
        title_ar="دورة تجريبية",
        title_fr="Cycle de test",
        total_budget=total,
        settings={},
        created_at_dt=now,
        ends_at_dt=first + timedelta(days=phase_days * len(PHASES)),
    )
    for i, kind in enumerate(PHASES):
        cycle.phases.append(
            Phase(kind=kind, starts_at_dt=first + timedelta(days=phase_days * i))
        )
    if scopes:
        share = (total // 2) // max(1, len(district_ids)) if district_ids else 0
        cycle.scopes.append(
            Scope(key="commune", amount=total - share * len(district_ids))
        )
        for district_id in district_ids:
            cycle.scopes.append(
                Scope(
                    key=f"district-{district_id}", district_id=district_id, amount=share
                )
            )
    db.session.add(cycle)
    db.session.flush()
    return cycle


def create_project(cycle, scope, cost: int, title="Projet", proposal_id=None):
    """A feasible project in ``scope`` (objects from the same session)."""
    from pbvote.proposals.models import Project

    project = Project(
        cycle_id=cycle.id,
        scope_id=scope.id,
        cost=cost,
        title_fr=title,
        title_ar=f"مشروع {title}",
        proposal_id=proposal_id,
        created_at_dt=utcnow(),
    )
    db.session.add(project)
    db.session.flush()
    return project
