"""Time every public page, and count its SQL statements, at two sizes.

    .venv/bin/python bench/pages.py                 # small and large sizes
    .venv/bin/python bench/pages.py --repeat 30 --only results,record

It empties the database ``pbvote_bench_pages`` (or $PBVOTE_BENCH_DATABASE_URL),
builds the schema, seeds the demo (every domain's public pages have rows), then
adds, per size, a cycle of proposals, a cycle of proposals to search, and a
counted cycle of 80 projects with its published ballot record:

    size   proposals  searched  ballots in the record
    small        100     2,000                 10,000
    large      1,000    20,000                100,000

Each page is requested in-process (Flask's test client, the production pool
options, Arabic) ``--warm`` times, then ``--repeat`` times: the p50 of those,
and the statements of one request (the engine's ``before_cursor_execute``).
``--code DIR`` runs another checkout's application code (e.g. main, for the
numbers before a change); the bench itself stays this one.
"""

import argparse
import hashlib
import json
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = {
    "small": {"proposals": 100, "searched": 2_000, "ballots": 10_000},
    "large": {"proposals": 1_000, "searched": 20_000, "ballots": 100_000},
}
PROJECTS = 80
DATABASE_URL = os.environ.get(
    "PBVOTE_BENCH_DATABASE_URL",
    "postgresql://postgres@127.0.0.1:5432/pbvote_bench_pages",
)
WORDS = [
    "eclairage",
    "rue",
    "quartier",
    "ecole",
    "jardin",
    "route",
    "trottoir",
    "terrain",
    "sport",
    "bibliotheque",
    "marche",
    "eau",
    "assainissement",
    "piste",
    "cyclable",
    "place",
    "jeunes",
    "femmes",
    "enfants",
    "sante",
    "centre",
    "culture",
    "musique",
    "lecture",
    "arbre",
    "plantation",
    "banc",
    "fontaine",
    "parking",
    "bus",
]


# Descriptions draw from 3,000 made-up words: a search word matches a few
# proposals, as in real text, not all of them.
VOCABULARY = [
    a + b + c
    for a in ("ba", "ka", "ma", "ta", "ri", "lo", "su", "fe", "ni", "do")
    for b in ("r", "l", "n", "s", "m", "k", "t", "d", "z", "b")
    for c in (
        "ane",
        "ite",
        "oun",
        "ale",
        "ire",
        "oba",
        "ima",
        "ude",
        "era",
        "olt",
        "ase",
        "ibu",
        "ora",
        "ane",
        "enz",
        "ide",
        "aro",
        "ule",
        "ika",
        "oma",
        "ast",
        "ein",
        "ola",
        "uri",
        "eko",
        "ami",
        "oti",
        "ure",
        "ela",
        "ona",
    )
]


def make_app():
    from pbvote import create_app

    return create_app(
        {
            "ENV_NAME": "development",
            "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
            "SMS_OUTBOX": "/tmp/pbvote-bench-pages-sms.jsonl",
            "DEFAULT_LANGUAGE": "ar",
        }
    )


def reset(app) -> None:
    import flask_migrate
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from pbvote.config import normalise_database_url

    url = make_url(normalise_database_url(DATABASE_URL))
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}
        ):
            connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    with app.app_context():
        flask_migrate.upgrade()


# -- seeding -------------------------------------------------------------------------


def new_cycle(commune, year: int, phase: str):
    from tests.factories import create_cycle

    return create_cycle(
        commune.id,
        current_phase=phase,
        total=50_000_000,
        district_ids=[d.id for d in commune.districts],
        year=year,
    )


def add_proposals(commune, cycle, count: int, with_reviews: bool) -> None:
    """``count`` public proposals spread over scopes, categories, authors and
    associations (every fourth from one), half of them reviewed."""
    import random

    from sqlalchemy import insert, select

    from pbvote.accounts.models import User
    from pbvote.associations.models import Association
    from pbvote.core.time import utcnow
    from pbvote.extensions import db
    from pbvote.proposals.models import Proposal, ProposalEvent
    from pbvote.proposals.services import ensure_categories
    from pbvote.proposals.text import normalise
    from pbvote.reviews.models import AdvisoryBody, Review

    rng = random.Random(cycle.id)
    now = utcnow()
    categories = [c.id for c in ensure_categories(commune.id)]
    scopes = [s.id for s in cycle.scopes]
    authors = list(
        db.session.scalars(
            insert(User).returning(User.id),
            [
                {
                    "commune_id": commune.id,
                    "kind": "resident",
                    "phone": f"+2126{cycle.id:02d}{n:06d}",
                    "created_at_dt": now,
                }
                for n in range(200)
            ],
        )
    )
    associations = list(
        db.session.scalars(
            insert(Association).returning(Association.id),
            [
                {
                    "commune_id": commune.id,
                    "name_ar": f"جمعية {n}",
                    "name_fr": f"Association {n}",
                    "registration_number": f"B{cycle.id}-{n}",
                    "seat_address": "Ouazzane",
                    "founded_on": date(2010, 1, 1),
                    "field": "culture",
                    "representative_id": authors[n],
                    "status": "approved",
                    "created_at_dt": now,
                }
                for n in range(50)
            ],
        )
    )
    body = db.session.scalar(select(AdvisoryBody.id).limit(1))
    batch = 2000
    for start in range(0, count, batch):
        rows = []
        for n in range(start, min(count, start + batch)):
            title = " ".join(rng.sample(WORDS, 4)) + f" {n}"
            description = " ".join(rng.choices(VOCABULARY, k=40))
            status = "submitted" if not with_reviews or n % 2 else "feasible"
            rows.append(
                {
                    "cycle_id": cycle.id,
                    "author_id": authors[n % len(authors)],
                    "association_id": associations[n % len(associations)]
                    if n % 4 == 0
                    else None,
                    "scope_id": scopes[n % len(scopes)],
                    "category_id": categories[n % len(categories)],
                    "title": title,
                    "description": description,
                    "beneficiaries": ",everyone,",
                    "location_text": f"Rue {n}",
                    "latitude": 34.79 + rng.random() / 100,
                    "longitude": -5.58 + rng.random() / 100,
                    "estimated_cost": 10_000 + 1000 * (n % 500),
                    "status": status,
                    "search_text": normalise(f"{title} {description}"),
                    "support_count": rng.randrange(50),
                    "created_at_dt": now,
                    "updated_at_dt": now,
                    "submitted_at_dt": now - timedelta(minutes=n),
                }
            )
        ids = list(db.session.scalars(insert(Proposal).returning(Proposal.id), rows))
        db.session.execute(
            insert(ProposalEvent),
            [{"proposal_id": i, "status": "submitted", "at_dt": now} for i in ids],
        )
        if with_reviews and body is not None:
            db.session.execute(
                insert(Review),
                [
                    {
                        "proposal_id": i,
                        "body_id": body,
                        "assigned_at_dt": now,
                        "decision": "feasible",
                        "official_cost": 50_000,
                        "answer": "Faisable.",
                        "recorded_at_dt": now,
                        "published_at_dt": now,
                    }
                    for i, row in zip(ids, rows, strict=True)
                    if row["status"] == "feasible"
                ],
            )


def add_record(commune, cycle, ballots: int) -> None:
    """A counted cycle of PROJECTS projects and its published record, written as
    the count writes it (rows, then ANALYZE), without sealing real ballots."""
    from sqlalchemy import insert, text

    from pbvote.accountability.services import open_execution_records
    from pbvote.core.time import utcnow
    from pbvote.extensions import db
    from pbvote.results.models import (
        ProjectResult,
        PublicBallot,
        PublicChainEntry,
        ScopeResult,
        TallyRun,
    )
    from tests.factories import create_project

    now = utcnow()
    scopes = list(cycle.scopes)
    projects = [
        create_project(cycle, scopes[n % len(scopes)], 100_000 + 5_000 * n, f"P{n}")
        for n in range(PROJECTS)
    ]
    shown = {"shown": {"integrity_reports": {}}}
    run = TallyRun(
        cycle_id=cycle.id,
        status="published",
        attempt=1,
        started_at_dt=now,
        heartbeat_at_dt=now,
        finished_at_dt=now,
        chunk_size=5000,
        chunk_count=-(-ballots // 5000),
        ballot_count=ballots,
        chain_head="f" * 64,
        signed_payload=json.dumps(shown),
        signature=b"\0" * 64,
        signing_public=b"\1" * 32,
        sealing_public=b"\2" * 32,
    )
    db.session.add(run)
    db.session.flush()
    winners = []
    for scope in scopes:
        mine = [p for p in projects if p.scope_id == scope.id]
        chosen = [p.id for p in mine[: len(mine) // 2]]
        winners += chosen
        result = ScopeResult(
            run_id=run.id,
            cycle_id=cycle.id,
            scope_id=scope.id,
            rule="greedy",
            budget=scope.amount,
            budget_used=sum(p.cost for p in mine if p.id in chosen),
            voters=ballots // len(scopes),
            invalid=0,
            winners=chosen,
            engine_result={"details": {}},
        )
        for rank, project in enumerate(mine, start=1):
            selected = project.id in chosen
            result.projects.append(
                ProjectResult(
                    project_id=project.id,
                    votes=ballots // (rank + 1),
                    selected=selected,
                    rank=rank,
                    reason="most_votes_fits" if selected else "does_not_fit",
                    step=rank,
                    decision={"step": rank},
                )
            )
        db.session.add(result)
    db.session.flush()
    previous = "0" * 64
    for start in range(0, ballots, 5000):
        chain, opened = [], []
        for position in range(start + 1, min(ballots, start + 5000) + 1):
            receipt = hashlib.sha256(f"{cycle.id}:{position}".encode()).hexdigest()
            link = hashlib.sha256(f"{previous}:{receipt}".encode()).hexdigest()
            chain.append(
                {
                    "run_id": run.id,
                    "position": position,
                    "receipt": receipt,
                    "previous_hash": previous,
                    "chain_hash": link,
                }
            )
            previous = link
            scope = scopes[position % len(scopes)]
            mine = [p.id for p in projects if p.scope_id == scope.id]
            opened.append(
                {
                    "run_id": run.id,
                    "shuffled_index": position,
                    "scope_id": scope.id,
                    "projects": mine[position % len(mine) :][:3],
                }
            )
        db.session.execute(insert(PublicChainEntry), chain)
        db.session.execute(insert(PublicBallot), opened)
    db.session.execute(text("ANALYZE public_chain_entries, public_ballots"))
    open_execution_records(cycle.id, winners, now)


def seed(app) -> dict:
    """The demo, then each size's cycles; returns {size: {name: cycle id}}."""
    from sqlalchemy import select, text

    from pbvote.communes.models import Commune
    from pbvote.demo import seed_demo
    from pbvote.extensions import db

    cycles = {}
    with app.app_context():
        started = time.perf_counter()
        seed_demo()
        db.session.commit()
        print(f"demo seeded in {time.perf_counter() - started:.0f} s", flush=True)
        commune = db.session.scalar(select(Commune).limit(1))
        year = 2030
        for size, numbers in SIZES.items():
            started = time.perf_counter()
            listed = new_cycle(commune, year, "voting")
            add_proposals(commune, listed, numbers["proposals"], with_reviews=True)
            searched = new_cycle(commune, year + 1, "review")
            add_proposals(commune, searched, numbers["searched"], with_reviews=False)
            counted = new_cycle(commune, year + 2, "execution")
            add_record(commune, counted, numbers["ballots"])
            db.session.commit()
            cycles[size] = {
                "proposals": listed.id,
                "searched": searched.id,
                "counted": counted.id,
                "scope": counted.scopes[0].id,
            }
            year += 3
            print(f"{size} seeded in {time.perf_counter() - started:.0f} s", flush=True)
        with db.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT"
        ) as connection:
            connection.execute(text("VACUUM ANALYZE"))
    return cycles


# -- measuring -------------------------------------------------------------------------


def pages(ids: dict, ballots: int) -> list[tuple[str, str, str]]:
    """(group, label, url) of every public page, for one size's cycles."""
    p, s, c = ids["proposals"], ids["searched"], ids["counted"]
    chain_pages = -(-ballots // 50)
    return [
        ("proposals", "list, page 1", f"/cycles/{p}/proposals"),
        ("proposals", "list, page 5", f"/cycles/{p}/proposals?page=5"),
        ("proposals", "list, page 20", f"/cycles/{p}/proposals?page=20"),
        ("proposals", "list, last page", f"/cycles/{p}/proposals?page=999"),
        (
            "proposals",
            "list, sorted and filtered",
            f"/cycles/{p}/proposals?sort=supported&district=commune",
        ),
        ("proposals", "map and its list", f"/cycles/{p}/proposals/map"),
        ("proposals", "API page 5", f"/api/v1/cycles/{p}/proposals?page=5"),
        ("proposals", "proposal page", "/proposals/{first}"),
        ("proposals", "proposal API", "/api/v1/proposals/{first}"),
        ("search", "two words", f"/cycles/{s}/proposals?q=eclairage+quartier"),
        (
            "search",
            "three words, page 3",
            f"/cycles/{s}/proposals?q=bibliotheque+jeunes+ecole&page=3",
        ),
        ("search", "rare words", f"/cycles/{s}/proposals?q=parking+fontaine+123"),
        ("search", "API, two words", f"/api/v1/cycles/{s}/proposals?q=jardin+arbre"),
        ("exports", "proposals CSV", f"/cycles/{p}/proposals.csv"),
        ("exports", "proposals JSON", f"/cycles/{p}/proposals.json"),
        ("results", "results page", f"/cycles/{c}/results"),
        ("results", "results API", f"/api/v1/cycles/{c}/results"),
        ("results", "results index", "/results"),
        ("record", "record page 1", f"/cycles/{c}/results/record"),
        (
            "record",
            "record, middle pages",
            (
                f"/cycles/{c}/results/record?chain_page={chain_pages // 2}"
                f"&ballots_page={chain_pages // 2}"
            ),
        ),
        (
            "record",
            "record, last pages",
            (
                f"/cycles/{c}/results/record?chain_page={chain_pages}"
                f"&ballots_page={chain_pages}"
            ),
        ),
        ("record", "receipt search", f"/cycles/{c}/results/record?receipt=00aa11bb"),
        (
            "record",
            "chain API, last page",
            f"/api/v1/cycles/{c}/ballot-chain?page={-(-ballots // 100)}",
        ),
        (
            "record",
            "opened ballots API, middle",
            f"/api/v1/cycles/{c}/opened-ballots?page={-(-ballots // 200)}",
        ),
        ("execution", "dashboard", "/execution"),
        ("execution", "cycle's execution", f"/cycles/{c}/execution"),
        ("execution", "records API", "/api/v1/execution/records"),
        ("execution", "open data CSV", "/execution/data.csv"),
        ("others", "home", "/"),
        ("others", "cycles", "/cycles"),
        ("others", "petitions", "/petitions"),
        ("others", "information requests", "/information"),
        ("others", "complaints", "/complaints"),
        ("others", "meetings", "/meetings"),
        ("others", "surveys", "/surveys"),
        ("others", "bodies", "/bodies"),
        ("others", "indicators", "/indicators"),
        ("others", "associations", "/associations"),
    ]


def measure(app, url: str, warm: int, repeat: int) -> tuple:
    """p50 milliseconds, statements of one request, HTTP status, p50 of this
    process's CPU milliseconds (the app's own work, without PostgreSQL's and
    without waiting for a core on a loaded machine)."""
    from sqlalchemy import event

    from pbvote.extensions import db

    client = app.test_client()
    client.set_cookie("lang", "ar")
    with app.app_context():
        engine = db.engine
    for _ in range(warm):
        client.get(url).get_data()
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        response.get_data()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    statements = []

    def count(*args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get(url).get_data()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return (
        statistics.median(times),
        len(statements),
        response.status_code,
        statistics.median(cpu),
    )


def first_proposal(app, cycle_id: int) -> int:
    from sqlalchemy import func, select

    from pbvote.extensions import db
    from pbvote.proposals.models import Proposal

    with app.app_context():
        return db.session.scalar(
            select(func.min(Proposal.id)).where(Proposal.cycle_id == cycle_id)
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--warm", type=int, default=3)
    parser.add_argument("--only", default="", help="groups, comma-separated")
    parser.add_argument("--code", default=str(ROOT), help="the checkout to run")
    parser.add_argument(
        "--no-seed", action="store_true", help="reuse the last run's data"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(Path(args.code).resolve()))
    app = make_app()
    # One state file per database: benches on other databases do not clash.
    state = Path(f"/tmp/{DATABASE_URL.rsplit('/', 1)[-1]}.json")
    if args.no_seed and state.exists():
        cycles = json.loads(state.read_text())
    else:
        reset(app)
        cycles = seed(app)
        state.write_text(json.dumps(cycles))
    only = {g for g in args.only.split(",") if g}
    rows = {}
    for size, ids in cycles.items():
        first = first_proposal(app, ids["proposals"])
        for group, label, url in pages(ids, SIZES[size]["ballots"]):
            if only and group not in only:
                continue
            url = url.replace("{first}", str(first))
            result = measure(app, url, args.warm, args.repeat)
            rows.setdefault((group, label), {})[size] = result
            print(
                f"  {size} {group}: {label}: {result[0]:.1f} ms "
                f"({result[3]:.1f} CPU), {result[1]} statements ({url})",
                flush=True,
            )
    head = "".join(f" | {size} p50 ms | CPU ms | statements" for size in SIZES)
    print(f"\n| page{head} |")
    print("| --- |" + " ---: | ---: | ---: |" * len(SIZES))
    for (group, label), by_size in rows.items():
        cells = []
        for size in SIZES:
            ms, statements, status, cpu = by_size.get(size, (float("nan"), 0, 0, 0))
            flag = "" if status == 200 else f" ({status})"
            cells.append(f"{ms:.1f} | {cpu:.1f} | {statements}{flag}")
        print(f"| {group}: {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
