"""A real ``pbvote worker`` process for tests that kill or wait for one."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def start_worker(app, *queues: str, **settings) -> subprocess.Popen:
    """``pbvote worker QUEUES`` in its own process group, with a one-second beat
    (``settings``: more PBVOTE_* settings)."""
    config = app.config
    env = {
        **os.environ,
        "PBVOTE_ENV": "testing",
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": config["REDIS_URL"],
        "SECRET_KEY": config["SECRET_KEY"],
        "VOTER_ID_KEY": config["VOTER_ID_KEY"],
        "ELECTION_KEY_WRAP": config["ELECTION_KEY_WRAP"],
        "SMS_OUTBOX": config["SMS_OUTBOX"],
        "PBVOTE_WORKER_HEARTBEAT_SECONDS": "1",
        "PBVOTE_TALLY_RESUME_AFTER_SECONDS": "2",
        **{f"PBVOTE_{name}": str(value) for name, value in settings.items()},
    }
    return subprocess.Popen(
        [sys.executable, "-m", "pbvote.cli", "worker", *queues, "--no-scheduler"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_for(condition, seconds: float, step=0.02) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def stop_worker(process: subprocess.Popen) -> None:
    """Kill the worker and its work horse at once: a worker left running would
    touch the next test's tables."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
