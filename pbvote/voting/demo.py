"""Demo: voter registries, election keys and sealed ballots.

This year's cycle (voting now) gets a registry of 50 residents whose ID numbers and
dates of birth are printed, an election key and a few ballots. Last year's cycle
gets a closed ballot box of a few hundred ballots, sealed by the same code as a
real cast, for the results seed to count.
"""

import random
from datetime import date, timedelta

from sqlalchemy import select

from pbvote.core.time import utcnow
from pbvote.cycles.services import phase_span
from pbvote.extensions import db
from pbvote.proposals.models import Project
from pbvote.voting.errors import BallotInvalid
from pbvote.voting.holding import hold_ballots, mix_held
from pbvote.voting.models import VoterEntry, VoterMark
from pbvote.voting.registry import cin_hash
from pbvote.voting.rules import ballot_scopes, check_ballot, scope_projects
from pbvote.voting.services import ensure_election_key, seal_choices

CURRENT_REGISTRY = 50
PAST_VOTERS = 320
CURRENT_BALLOTS = 6

# Used only when the proposals and reviews seeds made no project for a cycle.
FALLBACK_PROJECTS = [
    ("إنارة عمومية بالطاقة الشمسية", "Éclairage public solaire", 4),
    ("ملعب القرب", "Terrain de sport de proximité", 5),
    ("تهيئة حديقة عمومية", "Aménagement d'un jardin public", 3),
    ("ولوجيات الأشخاص في وضعية إعاقة", "Accessibilité pour personnes handicapées", 2),
    ("مكتبة الحي", "Bibliothèque de quartier", 3),
]


def _cin(prefix: str, number: int) -> str:
    return f"{prefix}{100000 + number}"


def _birth(rng: random.Random) -> date:
    return date(rng.randint(1950, 2005), rng.randint(1, 12), rng.randint(1, 28))


def _ensure_projects(cycle, now) -> None:
    """Give every scope a few projects if the earlier seeds gave it none."""
    have = set(
        db.session.scalars(select(Project.scope_id).where(Project.cycle_id == cycle.id))
    )
    for scope in cycle.scopes:
        if scope.id in have:
            continue
        for index, (title_ar, title_fr, share) in enumerate(FALLBACK_PROJECTS):
            db.session.add(
                Project(
                    cycle_id=cycle.id,
                    scope_id=scope.id,
                    title_ar=title_ar,
                    title_fr=title_fr,
                    cost=max(
                        1000, scope.amount * share // 10 // 1000 * 1000 - index * 7000
                    ),
                    created_at_dt=now,
                )
            )
    db.session.flush()  # the ballots need the project ids


def _registry(cycle, districts, prefix: str, count: int, rng) -> list[tuple]:
    people = []
    for number in range(count):
        birth = _birth(rng)
        district = districts[number % len(districts)]
        entry = VoterEntry(
            cycle_id=cycle.id,
            cin_hash=cin_hash(_cin(prefix, number)),
            birth_date=birth,
            district_id=district.id,
        )
        db.session.add(entry)
        people.append((entry, _cin(prefix, number), birth, district))
    db.session.flush()  # marks need the entry ids
    return people


def _choose(scope, projects, weights, rng) -> list[int]:
    """A plausible ballot: popular projects first, within the scope's rule."""
    order = sorted(projects, key=lambda p: -weights[p.id] * rng.random())
    chosen, total = [], 0
    limit = scope.ballot_max_projects or len(projects)
    for project in order:
        if len(chosen) >= limit or rng.random() < 0.25:
            continue
        if scope.ballot_rule != "approval_k" and total + project.cost > scope.amount:
            continue
        chosen.append(project.id)
        total += project.cost
    return chosen


def _vote(cycle, people, count: int, moment, rng) -> int:
    """Cast ``count`` ballots as the cast service does (mark + held ballots), then
    mix them into the chain in one shuffled batch."""
    ensure_election_key(cycle, moment)
    weights = {}
    cast = 0
    for entry, _cin_text, _birth_day, _district in people[:count]:
        scopes = ballot_scopes(cycle, entry.district_id)
        choices = {}
        for scope in scopes:
            projects = scope_projects(scope)
            for project in projects:
                weights.setdefault(project.id, rng.uniform(0.2, 1.0))
            choices[scope.id] = _choose(scope, projects, weights, rng)
        try:
            checked = check_ballot(scopes, choices)
        except BallotInvalid:  # a rule this generator cannot meet: skip the voter
            continue
        db.session.add(
            VoterMark(
                cycle_id=cycle.id, registry_entry_id=entry.id, voted_on=moment.date()
            )
        )
        sealed = seal_choices(
            cycle, [(scope, checked[scope.id]) for scope in scopes], moment
        )
        hold_ballots(cycle.id, [s for _scope, s in sealed], moment)
        cast += 1
    # As the mixing job does at the end of each batch (here: a day's votes).
    mix_held(cycle.id, moment, force=True)
    return cast


def seed(ctx) -> None:
    rng = random.Random(2024)
    now = ctx.get("now") or utcnow()
    current, past = ctx["current_cycle"], ctx["past_cycle"]
    districts = ctx["districts"]

    _ensure_projects(current, now)
    people = _registry(current, districts, "GB", CURRENT_REGISTRY, rng)
    ensure_election_key(current, now)
    voters = people[-CURRENT_BALLOTS:]  # the printed residents have not voted
    _vote(current, voters, CURRENT_BALLOTS, now, rng)

    _ensure_projects(past, now)
    past_districts = [scope.district for scope in past.scopes if scope.district] or (
        districts[:3]
    )
    past_people = _registry(past, past_districts, "PB", PAST_VOTERS, rng)
    start, end = phase_span(past, "voting")
    days = max(1, (end - start).days)
    cast = 0
    for day in range(days):
        moment = start + timedelta(days=day, hours=10)
        share = past_people[day * PAST_VOTERS // days : (day + 1) * PAST_VOTERS // days]
        cast += _vote(past, share, len(share), moment, rng)
    ctx["voting"] = {"current_registry": len(people), "past_voters": cast}

    lines = [
        "",
        (
            f"Voting (cycle {current.year}): verify at /cycles/{current.id}/vote "
            "with one of these registered residents (ID number, date of birth, "
            "district) and any mobile number (these entries have no registry "
            "phone); the SMS code is in the SMS outbox file (SMS_OUTBOX):"
        ),
    ]
    for _entry, cin, birth, district in people[:5]:
        lines.append(f"  {cin}  {birth:%d/%m/%Y}  {district.name_fr}")
    lines += [
        (
            f"  Public ballot box: /cycles/{current.id}/ballot-box · "
            f"kiosk: /cycles/{current.id}/kiosk (the clerk opens it at "
            "/staff/assisted-vote)"
        ),
        (
            f"  Last year's ballot box: {cast} voters, sealed, at "
            f"/cycles/{past.id}/ballot-box"
        ),
    ]
    ctx["lines"] += lines
