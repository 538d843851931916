"""The seeded Ouazzane demo, for browser tests that walk the whole site."""

import re

import pytest
from sqlalchemy import select

from tests.helpers import CHROMIUM, CHROMIUM_ARGS
from tests.ui.domain_pages import domain_ids


@pytest.fixture
def demo(app, seeded_demo):
    """The seeded demo and what the tests need: cycle ids, a few row ids, the
    admin's TOTP secret and a resident who has not voted."""
    from pbvote.accountability.models import ExecutionRecord
    from pbvote.cycles.models import Cycle
    from pbvote.extensions import db
    from pbvote.proposals.models import Proposal

    lines = seeded_demo
    with app.app_context():
        cycles = db.session.scalars(select(Cycle).order_by(Cycle.year)).all()
        past, current, upcoming = (cycle.id for cycle in cycles)
        proposal = db.session.scalar(
            select(Proposal.id).where(Proposal.cycle_id == current).limit(1)
        )
        record = db.session.scalar(select(ExecutionRecord.id).limit(1))
    text = "\n".join(lines)
    secret = re.search(r"admin\s+roles=\S+ TOTP secret=(\w+)", text).group(1)
    printed = re.findall(r"^  (\S+)  (\d\d/\d\d/\d{4})  ", text, re.MULTILINE)
    return {
        **domain_ids(app),
        "past": past,
        "current": current,
        "next": upcoming,
        "proposal": proposal,
        "record": record,
        "admin_secret": secret,
        "voter": printed[0],
        # Another resident: the budget voter's token would skip the poll's steps.
        "poll_voter": printed[1],
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


@pytest.fixture
def pictured_election(app, committed, commune):
    """The voting test cycle, its projects in categories, the first one with a
    public proposal that has a photo."""
    import io

    from PIL import Image

    from pbvote.core.time import utcnow
    from pbvote.extensions import db
    from pbvote.proposals import uploads
    from pbvote.proposals.models import Attachment, Project
    from pbvote.proposals.services import ensure_categories
    from tests.factories import create_resident
    from tests.proposals.factories import create_proposal
    from tests.voting.factories import create_voting_cycle

    with committed():
        election = create_voting_cycle(commune)
        categories = {c.key: c.id for c in ensure_categories(commune["id"])}
        keys = ["roads", "green", "sports", "health", "culture", "education"]
        ids = [pid for scope in election["projects"].values() for pid in scope]
        for pid, key in zip(ids, keys, strict=True):
            db.session.get(Project, pid).category_id = categories[key]
        author = create_resident(commune["id"], phone="+212699999999")
        setup = {
            "cycle_id": election["cycle_id"],
            "commune_scope": election["commune_scope"],
            "categories": categories,
        }
        proposal = create_proposal(setup, author.id, status="feasible")
        db.session.get(Project, ids[0]).proposal_id = proposal.id
        picture = io.BytesIO()
        Image.new("RGB", (64, 48), (40, 120, 80)).save(picture, "PNG")
        photo = uploads.path_of("ballot-photo.png")
        photo.parent.mkdir(parents=True, exist_ok=True)
        photo.write_bytes(picture.getvalue())
        db.session.add(
            Attachment(
                proposal_id=proposal.id,
                filename="photo.png",
                content_type="image/png",
                size=len(picture.getvalue()),
                stored_name="ballot-photo.png",
                created_at_dt=utcnow(),
            )
        )
    election["photo_project"] = ids[0]
    return election
