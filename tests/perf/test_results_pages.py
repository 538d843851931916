"""Results pages, the public ballot record and its API send as many statements
for a cycle of 3N projects and ballots as for one of N."""

from pbvote.core.time import utcnow
from pbvote.cycles.models import Cycle
from pbvote.extensions import db
from pbvote.results.counting import tally_inline
from pbvote.results.services import start_tally
from tests.perf.helpers import assert_same_counts, counts
from tests.results.factories import create_election


def counted_election(app, committed, commune, projects: int, ballots: int, year):
    """A counted cycle of ``projects`` projects and ``ballots`` ballots (each
    approving two projects), its results published."""
    costs = {f"p{n}": 10 + n for n in range(projects)}
    names = list(costs)
    choices = [
        (names[n % projects], names[(n * 7 + 1) % projects]) for n in range(ballots)
    ]
    with committed():
        election = create_election(
            commune["id"],
            costs=costs,
            ballots=choices,
            budget=sum(costs.values()) // 2,
            district_ids=commune["district_ids"],
            year=year,
        )
    with committed():
        cycle = db.session.get(Cycle, election["cycle_id"])
        run = tally_inline(
            start_tally(None, cycle, utcnow(), queue_jobs=False), utcnow()
        )
        assert run.status == "published", run.error
    return election


def urls(election: dict) -> list[str]:
    cycle_id, scope_id = election["cycle_id"], election["scope_id"]
    base = f"/cycles/{cycle_id}/results"
    return [
        base,
        f"{base}/record",
        f"{base}/record?chain_page=2&ballots_page=2",
        f"{base}/record?chain_page=999&ballots_page=999",
        f"{base}/record?receipt=00000000",
        f"{base}/record.json",
        f"{base}/chain.csv",
        f"{base}/ballots.csv",
        f"{base}/scope-{scope_id}.pb",
        "/results",
        f"/api/v1/cycles/{cycle_id}/results",
        f"/api/v1/cycles/{cycle_id}/ballot-chain",
        f"/api/v1/cycles/{cycle_id}/ballot-chain?page=999",
        f"/api/v1/cycles/{cycle_id}/opened-ballots",
        f"/api/v1/cycles/{cycle_id}/opened-ballots?page=999",
    ]


def test_results_and_record_send_constant_statements(
    app, client, committed, commune, count_statements
):
    small = counted_election(app, committed, commune, 8, 40, 2024)
    large = counted_election(app, committed, commune, 24, 120, 2025)
    client.get(f"/cycles/{small['cycle_id']}/results")  # caches warm up
    small_counts = counts(count_statements, client, urls(small))
    large_counts = counts(count_statements, client, urls(large))
    assert_same_counts(
        small_counts,
        {
            url.replace(f"/{large['cycle_id']}/", f"/{small['cycle_id']}/").replace(
                f"scope-{large['scope_id']}", f"scope-{small['scope_id']}"
            ): count
            for url, count in large_counts.items()
        },
    )


def test_chain_pages_use_the_stored_count_and_no_offset(
    app, client, committed, commune, count_statements
):
    """The record's lists page by ranges of their numbering (positions, shuffled
    indexes), with the run's stored ballot count: the last page of the chain
    reads its own rows and nothing counts the ballots again."""
    election = counted_election(app, committed, commune, 4, 120, 2025)
    base = f"/cycles/{election['cycle_id']}/results/record"
    with count_statements() as log:
        client.get(f"{base}?chain_page=3&ballots_page=3").get_data()
    sql = " ".join(log).lower()
    assert "count(" not in sql and "offset" not in sql
    with count_statements() as log:
        chain = client.get(
            f"/api/v1/cycles/{election['cycle_id']}/ballot-chain?page=2"
        ).get_json()
        opened = client.get(
            f"/api/v1/cycles/{election['cycle_id']}/opened-ballots?page=9"
        ).get_json()
    sql = " ".join(log).lower()
    assert "count(" not in sql and "offset" not in sql
    assert (chain["page"], chain["pages"], chain["total"]) == (2, 2, 120)
    assert [e["position"] for e in chain["items"]] == list(range(101, 121))
    assert (opened["page"], opened["pages"]) == (2, 2)  # out of range: the last
    assert [b["index"] for b in opened["items"]] == list(range(101, 121))
    first = client.get(f"/api/v1/cycles/{election['cycle_id']}/ballot-chain").get_json()
    assert [e["position"] for e in first["items"]] == list(range(1, 101))
    # A receipt search still counts its (few) matches.
    receipt = first["items"][5]["receipt"]
    found = client.get(
        f"/api/v1/cycles/{election['cycle_id']}/ballot-chain?receipt={receipt[:10]}"
    ).get_json()
    assert found["total"] >= 1 and found["items"][0]["receipt"] == receipt
