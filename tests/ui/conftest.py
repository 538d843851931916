"""The seeded Ouazzane demo, for browser tests that walk the whole site."""

import re

import pytest
from sqlalchemy import select

from tests.helpers import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture
def demo(app):
    """Seed the demo (committed for real) and return what the tests need: cycle
    ids, a few row ids, the admin's TOTP secret and a resident who has not voted."""
    from pbvote.accountability.models import ExecutionRecord
    from pbvote.cycles.models import Cycle
    from pbvote.demo import seed_demo
    from pbvote.extensions import db
    from pbvote.proposals.models import Proposal

    with app.app_context():
        lines = seed_demo()
        cycles = db.session.scalars(select(Cycle).order_by(Cycle.year)).all()
        past, current, upcoming = (cycle.id for cycle in cycles)
        proposal = db.session.scalar(
            select(Proposal.id).where(Proposal.cycle_id == current).limit(1)
        )
        record = db.session.scalar(select(ExecutionRecord.id).limit(1))
    text = "\n".join(lines)
    secret = re.search(r"admin\s+roles=\S+ TOTP secret=(\w+)", text).group(1)
    cin, birth = re.search(r"^  (\S+)  (\d\d/\d\d/\d{4})  ", text, re.M).groups()
    return {
        "past": past,
        "current": current,
        "next": upcoming,
        "proposal": proposal,
        "record": record,
        "admin_secret": secret,
        "voter": (cin, birth),
    }


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module (starting it costs a second)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
