"""`pbvote worker sms` sends each message in its own process, without a fork per
message (a fork cost more than the sending: codes fell behind the web)."""

import pytest
from rq import Worker

from pbvote.core.jobs import PbvoteSimpleWorker, PbvoteWorker
from tests.helpers import outbox


def test_the_sms_worker_class_never_forks_and_keeps_the_beat():
    assert not issubclass(PbvoteSimpleWorker, Worker)  # RQ's forking class
    assert issubclass(PbvoteWorker, Worker)
    assert (
        PbvoteSimpleWorker.run_maintenance_tasks is PbvoteWorker.run_maintenance_tasks
    )


@pytest.mark.commits  # the worker's own session reads the committed message
def test_pbvote_worker_sms_delivers_queued_codes(app, committed, runner):
    from pbvote.core.time import utcnow
    from pbvote.sms.services import queue_sms

    with committed():
        for number in range(3):
            queue_sms(
                f"+21261200000{number}",
                f"code {number}",
                utcnow(),
                purpose="otp-vote",
                sensitive=True,
            )
    result = runner.invoke(args=["worker", "sms", "--burst", "--no-scheduler"])
    assert result.exit_code == 0, result.output
    assert sorted(m["body"] for m in outbox(app)) == ["code 0", "code 1", "code 2"]
