"""The execution dashboard, its open data and the finance desk's lists send as
many statements with 3N execution records as with N."""

from datetime import timedelta

from pbvote.core.time import utcnow
from tests.accountability.factories import execution_setup, published_on
from tests.factories import create_cycle, create_project
from tests.helpers import login_staff
from tests.perf.helpers import assert_same_counts, counts

URLS = [
    "/execution",
    "/execution?status=works",
    "/api/v1/execution/records",
    "/api/v1/execution/dashboard",
    "/execution/data.csv",
    "/execution/data.json",
    "/execution/feed.atom",
    "/execution/reports",
]
STAFF_URLS = ["/staff/execution", "/staff/execution/questions"]


def add_records(committed, commune, count: int, year: int) -> list[int]:
    """``count`` records of a new cycle (over every scope), each with a published
    entry."""
    from pbvote.accountability.services import open_execution_records

    with committed() as session:
        cycle = create_cycle(
            commune["id"],
            current_phase="execution",
            district_ids=commune["district_ids"],
            year=year,
        )
        scopes = list(cycle.scopes)
        projects = [
            create_project(cycle, scopes[n % len(scopes)], 10_000 + n, f"P{year}-{n}")
            for n in range(count)
        ]
        records = open_execution_records(cycle.id, [p.id for p in projects], utcnow())
        session.flush()
        for n, record in enumerate(records):
            published_on(
                session,
                record.id,
                utcnow(),
                status=("works", "studies", "delayed")[n % 3],
                progress=10 * (n % 10),
            )
        for record in records[::2]:  # half of them late
            record.planned_end = utcnow().date() - timedelta(days=30)
            record.overdue_since = utcnow().date() - timedelta(days=20)
        return [r.id for r in records]


def test_execution_pages_send_constant_statements(
    app, client, committed, commune, count_statements
):
    setup = execution_setup(committed, commune, year=2023)
    add_records(committed, commune, 3, 2024)
    login_staff(client, *setup["finance"])
    client.get("/execution")
    small = counts(count_statements, client, URLS + STAFF_URLS)
    add_records(committed, commune, 9, 2025)
    large = counts(count_statements, client, URLS + STAFF_URLS)
    assert_same_counts(small, large)
