from datetime import timedelta

import pytest

from tests.polls.factories import create_open_poll
from tests.voting.factories import create_voting_cycle


@pytest.fixture(autouse=True)
def batch_of_one(app):
    """Most poll tests look at the chain right after one cast (production waits
    for MIX_MIN_BATCH voters)."""
    before = app.config.get("MIX_MIN_BATCH")
    app.config["MIX_MIN_BATCH"] = 1
    yield
    app.config["MIX_MIN_BATCH"] = before


@pytest.fixture
def registry(committed, commune):
    """A cycle (past its voting: polls do not need it) whose registry holds 3
    residents."""
    with committed():
        return create_voting_cycle(commune, phase="execution")


@pytest.fixture
def poll(committed, commune, registry):
    """An open poll (since an hour, for a day) with a yes/no question and a
    question with three options."""
    with committed():
        return create_open_poll(commune, registry, start=-timedelta(hours=1))
