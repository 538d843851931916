import pytest

from tests.voting.factories import create_voting_cycle


@pytest.fixture
def election(committed, commune):
    """A cycle in its voting phase (knapsack in both scopes) with 3 residents."""
    with committed():
        return create_voting_cycle(commune)


@pytest.fixture(autouse=True)
def batch_of_one(app):
    """Most voting tests look at the chain right after one cast: mix batches of one
    voter (production waits for MIX_MIN_BATCH voters, see test_mixing.py)."""
    before = app.config.get("MIX_MIN_BATCH")
    app.config["MIX_MIN_BATCH"] = 1
    yield
    app.config["MIX_MIN_BATCH"] = before
