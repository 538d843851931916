"""The demo seed counts last year's cycle inside the seeding transaction."""

from pbvote.core.time import utcnow
from pbvote.cycles.models import Cycle
from pbvote.extensions import db
from pbvote.results import demo, services
from pbvote.voting.models import ElectionKey
from tests.results.factories import create_election


def test_demo_seed_publishes_last_years_results(app, committed, commune, admin):
    from pbvote.accounts.models import User

    with committed():
        election = create_election(commune["id"])
    with committed():
        ctx = {
            "past_cycle": db.session.get(Cycle, election["cycle_id"]),
            "staff": {"admin": db.session.get(User, admin["id"])},
            "now": utcnow(),
            "lines": [],
        }
        demo.seed(ctx)
    names = [
        election["names"][pid] for pid in ctx["winners_by_cycle"][election["cycle_id"]]
    ]
    assert names == ["p3", "p1", "p4"]
    assert "signed" in " ".join(ctx["lines"])
    with app.app_context():
        assert services.get_run(election["cycle_id"]).status == "published"


def test_demo_seed_without_ballots_publishes_nothing(app, committed, commune, admin):
    from pbvote.accounts.models import User

    with committed():
        election = create_election(commune["id"], ballots=[])
        db.session.delete(db.session.get(ElectionKey, election["cycle_id"]))
    with committed():
        ctx = {
            "past_cycle": db.session.get(Cycle, election["cycle_id"]),
            "staff": {"admin": db.session.get(User, admin["id"])},
            "now": utcnow(),
            "lines": [],
        }
        demo.seed(ctx)
    assert ctx["winners_by_cycle"] == {}
    assert "no ballots" in ctx["lines"][0]
