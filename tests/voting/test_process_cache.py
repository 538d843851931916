"""The per-process caches of the voting pages (pbvote.core.processcache): the
commune, a cycle's phases and a district's ballot are read once per process, and
a change made by staff shows at once in the process that made it and within
PROCESS_CACHE_SECONDS in every other one."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from pbvote.core import processcache
from pbvote.core.time import utcnow
from pbvote.cycles.models import Phase
from pbvote.extensions import db


@pytest.fixture
def caches(app):
    """Caches on, kept ``BOUND`` seconds."""
    before = app.config["PROCESS_CACHE_SECONDS"]
    app.config["PROCESS_CACHE_SECONDS"] = BOUND
    processcache.clear_all()
    yield
    processcache.clear_all()
    app.config["PROCESS_CACHE_SECONDS"] = before


BOUND = 1.0


def _another_process(app):
    """Another process's connection: its writes go through no Session of ours."""
    return create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)


def _vote_page(client, election):
    return client.get(f"/cycles/{election['cycle_id']}/vote").status_code


@pytest.mark.commits
def test_a_date_change_in_another_process_shows_within_the_bound(app, election, caches):
    client = app.test_client()
    assert _vote_page(client, election) == 200
    later = utcnow() + timedelta(days=1)
    engine = _another_process(app)
    with engine.begin() as connection:  # voting now starts tomorrow
        connection.execute(
            text(
                "UPDATE phases SET starts_at_dt = :later "
                "WHERE cycle_id = :cycle AND kind IN ('voting', 'tally', "
                "'execution', 'evaluation')"
            ),
            {"later": later, "cycle": election["cycle_id"]},
        )
        connection.execute(
            text("UPDATE cycles SET ends_at_dt = :end WHERE id = :cycle"),
            {"end": later + timedelta(days=1), "cycle": election["cycle_id"]},
        )
    engine.dispose()
    # This process still serves its copy, at most BOUND seconds ...
    assert _vote_page(client, election) == 200
    time.sleep(BOUND + 0.2)
    # ... then reads the new dates: voting is closed.
    assert _vote_page(client, election) == 409


@pytest.mark.commits
def test_a_change_committed_in_this_process_shows_at_once(
    app, committed, election, caches
):
    client = app.test_client()
    assert _vote_page(client, election) == 200
    with committed():
        voting = db.session.scalars(
            db.select(Phase).where(
                Phase.cycle_id == election["cycle_id"], Phase.kind == "tally"
            )
        ).one()
        voting.starts_at_dt = utcnow() - timedelta(minutes=1)  # voting ended
    assert _vote_page(client, election) == 409


@pytest.mark.commits
def test_the_commune_is_kept_and_its_change_shows_at_once(app, committed, caches):
    from pbvote.communes.models import Commune
    from pbvote.communes.services import current_commune
    from tests.factories import create_commune

    with committed():
        create_commune()

    def name_seen():
        with app.test_request_context():
            return current_commune().name_fr

    first = name_seen()
    engine = _another_process(app)
    with engine.begin() as connection:  # unseen by this process for BOUND seconds
        connection.execute(text("UPDATE communes SET population = 1"))
    engine.dispose()
    with app.test_request_context():
        assert current_commune().population != 1  # the kept copy
    with committed():
        commune = db.session.scalars(db.select(Commune)).one()
        commune.name_fr = first + "-Ville"
    assert name_seen() == first + "-Ville"


def _costs_seen(app, election) -> list[int]:
    from pbvote.cycles.web import cycle_or_404
    from pbvote.voting.rules import district_ballot

    with app.test_request_context():
        cycle = cycle_or_404(election["cycle_id"], cached=True)
        ballot = district_ballot(cycle, election["district_ids"][0])
        return [project.cost for _scope, projects in ballot for project in projects]


@pytest.mark.commits
def test_a_ballot_change_shows_at_once_here_and_within_the_bound_elsewhere(
    app, committed, election, caches
):
    from pbvote.proposals.models import Project

    first = _costs_seen(app, election)
    engine = _another_process(app)
    with engine.begin() as connection:
        connection.execute(text("UPDATE projects SET cost = cost + 1"))
    engine.dispose()
    assert _costs_seen(app, election) == first  # the kept copies
    time.sleep(BOUND + 0.2)
    assert _costs_seen(app, election) == [cost + 1 for cost in first]
    with committed():  # staff, in this process
        for project in db.session.scalars(db.select(Project)):
            project.cost += 1
    assert _costs_seen(app, election) == [cost + 2 for cost in first]
