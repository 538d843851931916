"""Fixtures for the tally-engine tests (pure Python, no app or database)."""

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def data_dir() -> Path:
    """The real pabulib files (copied from pabulib.org via shared/pabulib)."""
    return DATA


@pytest.fixture(autouse=True)
def clean_state():
    """Overrides the suite-wide database/Redis cleanup: the engine touches neither."""
    yield
