import pytest


@pytest.fixture
def small_chunks(app):
    """Chunks of 4 ballots, so that the hand-made elections need several jobs."""
    previous = app.config.get("TALLY_CHUNK_SIZE")
    app.config["TALLY_CHUNK_SIZE"] = 4
    yield 4
    if previous is None:
        app.config.pop("TALLY_CHUNK_SIZE", None)
    else:
        app.config["TALLY_CHUNK_SIZE"] = previous


@pytest.fixture
def admin(committed, commune):
    from tests.factories import create_staff

    with committed():
        user, secret = create_staff(commune["id"], "admin", ["admin"])
        user.phone = "+212612340000"
        return {"id": user.id, "username": "admin", "secret": secret}
