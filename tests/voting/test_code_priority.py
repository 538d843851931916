"""A voting code does not wait behind receipt SMS in the sms queue: someone is
waiting for it on the code page (issue 13); the holding table is vacuumed after
each batch when commits are real."""

import pytest
from sqlalchemy import func, select, text

from pbvote.extensions import db
from pbvote.voting.models import HeldBallot
from tests.helpers import outbox, run_jobs, submit
from tests.voting.factories import PHONE
from tests.voting.helpers import cast, verify

OTHER_PHONE = "+212698765432"


def test_a_code_queued_after_receipts_is_delivered_first(client, app, election):
    cycle_id = election["cycle_id"]
    first, second = election["residents"][:2]
    verify(client, app, cycle_id, *first)  # its code is delivered by a worker
    commune_pick = election["projects"]["commune"][:1]
    assert cast(client, election, commune_pick).status_code == 302
    sent_before = len(outbox(app))  # the receipts wait in the sms queue

    neighbour = app.test_client()
    response = submit(
        neighbour,
        f"/cycles/{cycle_id}/vote",
        {"cin": second[0], "birth_date": second[1], "phone": OTHER_PHONE},
    )
    assert response.status_code == 302
    run_jobs(app, "sms")  # a real RQ worker takes the queue in its order

    delivered = [m["to"] for m in outbox(app)[sent_before:]]
    # The code first, then the two receipt messages queued before it.
    assert delivered == [OTHER_PHONE, PHONE, PHONE]


@pytest.mark.commits
def test_the_mixing_job_vacuums_the_holding_table(client, app, election):
    """With real commits the job VACUUMs held_ballots after a batch (in a
    rolled-back test it cannot, and skips it: see jobs.voting.vacuum_held)."""

    def vacuums():
        with db.engine.connect() as connection:
            connection.execute(text("SELECT pg_stat_clear_snapshot()"))
            return connection.scalar(
                text(
                    "SELECT vacuum_count FROM pg_stat_user_tables "
                    "WHERE relname = 'held_ballots'"
                )
            )

    with app.app_context():
        before = vacuums()
        verify(client, app, election["cycle_id"], *election["residents"][0])
        pick = election["projects"]["commune"][:1]
        assert cast(client, election, pick).status_code == 302  # and mixes
        assert db.session.scalar(select(func.count()).select_from(HeldBallot)) == 0
        assert vacuums() == before + 1
