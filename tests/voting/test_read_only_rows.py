"""The rows the per-process caches keep (the commune, a cycle and its phases, a
district's ballot) are read-only copies shared by every request and thread of the
process: a request reads them as they are, never merged into its session, and
anything that would change one or put it in a session fails loudly
(pbvote.core.processcache)."""

import threading

import pytest
from flask import template_rendered
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import DetachedInstanceError

from pbvote.communes.models import Commune, District
from pbvote.communes.services import current_commune
from pbvote.core import processcache
from pbvote.core.processcache import ReadOnlyRow, is_read_only
from pbvote.cycles.models import Cycle, Phase, Scope
from pbvote.cycles.web import cycle_or_404
from pbvote.extensions import db
from pbvote.guides.pictures import project_photo
from pbvote.proposals.models import Attachment, Category, Project, Proposal
from pbvote.voting import rules
from tests.voting.helpers import cast, review, verify

CACHED_KINDS = (Commune, Cycle, Phase, Scope, District, Project, Category, Proposal)
CACHED_KINDS += (Attachment,)


PAGES = ("verify", "code", "ballot", "review")


class Attached:
    """Every row of the cached kinds that any session attaches (an add, a
    merge, a cascade) while active; loading a row attaches none."""

    def __init__(self):
        self.rows = []

    def __enter__(self):
        event.listen(Session, "before_attach", self._note)
        return self

    def __exit__(self, *_exc):
        event.remove(Session, "before_attach", self._note)

    def _note(self, _session, instance):
        if isinstance(instance, CACHED_KINDS):
            self.rows.append(instance)


class Rendered:
    """The cycle, commune and ballot rows each rendered page was given, and
    whether the request's session held any of them at that moment."""

    def __init__(self, app):
        self.app, self.pages, self.held = app, [], []

    def __enter__(self):
        template_rendered.connect(self._note, self.app)
        return self

    def __exit__(self, *_exc):
        template_rendered.disconnect(self._note, self.app)

    def _note(self, _app, template, context, **_extra):
        if "cycle" not in context:  # a piece of the layout
            return
        rows = [context["cycle"], context["g"].commune]
        for item in context.get("ballots") or ():
            rows += [item.scope, *item.projects]
        held = db.session.identity_map.values()
        self.held += [row for row in rows if any(row is h for h in held)]
        self.pages.append((template.name, rows))


@pytest.mark.commits
def test_the_voting_flow_never_puts_a_cached_row_in_a_session(
    app, election, process_caches
):
    client = app.test_client()
    cin, birth = election["residents"][0]
    commune_project = election["projects"]["commune"][0]
    with Attached() as attached, Rendered(app) as rendered:
        verify(client, app, election["cycle_id"], cin, birth)
        assert client.get(f"/cycles/{election['cycle_id']}/vote/ballot").status_code
        assert review(client, election, [commune_project]).status_code == 200
        assert cast(client, election, [commune_project], mix=False).status_code == 302
    names = {name for name, _rows in rendered.pages}
    assert names == {f"voting/{page}.html" for page in PAGES}
    assert attached.rows == []
    assert rendered.held == []
    cycles = {id(rows[0]) for _name, rows in rendered.pages}
    assert len(cycles) == 1  # every page read the one kept copy
    for _name, rows in rendered.pages:
        for row in rows:
            assert is_read_only(row) and inspect(row).session is None


@pytest.fixture
def cached(app, election, process_caches):
    """The kept cycle, commune and district ballot, in a request."""
    with app.test_request_context():
        cycle = cycle_or_404(election["cycle_id"], cached=True)
        ballot = rules.district_ballot(cycle, election["district_ids"][0])
        yield cycle, current_commune(), ballot


@pytest.mark.commits
def test_a_cached_row_refuses_to_change(cached):
    cycle, commune, ballot = cached
    scope, projects = ballot[0]
    title = cycle.title_fr
    with pytest.raises(ReadOnlyRow):
        cycle.title_fr = "Autre"
    assert cycle.title_fr == title  # refused before the value was stored
    with pytest.raises(ReadOnlyRow):
        commune.name_fr = "Autre"
    with pytest.raises(ReadOnlyRow):
        scope.amount = 1
    with pytest.raises(ReadOnlyRow):
        projects[0].cost = 1
    with pytest.raises(ReadOnlyRow):
        cycle.phases.remove(cycle.phases[0])
    with pytest.raises(ReadOnlyRow):  # the backref appends to the cached phases
        Phase(kind="voting", cycle=cycle)
    assert len(cycle.phases) == 7


@pytest.mark.commits
def test_a_cached_row_stays_out_of_sessions(cached):
    cycle, _commune, ballot = cached
    scope, _projects = ballot[0]
    with pytest.raises(ReadOnlyRow):
        db.session.add(cycle)
    with pytest.raises(ReadOnlyRow):  # by the new project's cascade
        db.session.add(Project(scope=scope))
    db.session.rollback()
    assert inspect(cycle).session is None and inspect(scope).session is None


@pytest.mark.commits
def test_reading_what_a_cached_row_did_not_load_fails(cached):
    cycle, commune, ballot = cached
    with pytest.raises(DetachedInstanceError):
        cycle.scopes  # noqa: B018
    with pytest.raises(DetachedInstanceError):
        commune.districts  # noqa: B018
    with pytest.raises(DetachedInstanceError):
        ballot[0][1][0].scope  # noqa: B018


@pytest.mark.commits
def test_rows_loaded_from_the_database_can_still_change(app, cached, election):
    cycle, _commune, _ballot = cached
    row = db.session.get(Cycle, election["cycle_id"])
    assert row is not cycle and not is_read_only(row)
    row.title_fr = "Budget participatif"
    db.session.flush()
    assert row.title_fr == "Budget participatif"


def _ballot_seen(cycle_id: int, district_id: int) -> tuple:
    """What the ballot pages read of the kept rows."""
    cycle = cycle_or_404(cycle_id, cached=True)
    return (
        cycle.title_fr,
        [phase.kind for phase in cycle.phases],
        current_commune().time_zone,
        [
            (
                scope.id,
                scope.amount,
                rules.scope_name(scope),
                [
                    (p.id, p.cost, p.category and p.category.key, project_photo(p))
                    for p in projects
                ],
            )
            for scope, projects in rules.district_ballot(cycle, district_id)
        ],
    )


@pytest.mark.commits
def test_threads_read_the_same_kept_rows_while_they_are_reloaded(
    app, election, process_caches
):
    cycle_id, district_id = election["cycle_id"], election["district_ids"][0]
    with app.test_request_context():
        expected = _ballot_seen(cycle_id, district_id)
    seen, errors, done = [], [], threading.Event()

    def reader():
        client = app.test_client()
        try:
            for _round in range(15):
                assert client.get(f"/cycles/{cycle_id}/vote").status_code == 200
                with app.test_request_context():
                    seen.append(_ballot_seen(cycle_id, district_id))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=reader) for _ in range(6)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        processcache.clear_all()  # as a staff commit in this process would
        done.wait(0.005)
    assert errors == []
    assert len(seen) == 6 * 15 and all(value == expected for value in seen)
