import pytest

from tests.voting.factories import create_voting_cycle


@pytest.fixture
def election(committed, commune):
    """A cycle in its voting phase (knapsack in both scopes) with 3 residents."""
    with committed():
        return create_voting_cycle(commune)
