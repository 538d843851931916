"""Follow-up jobs on the "followup" queue, run by a real RQ worker: snapshots of the
project page, dashboard and feed; followers notified once; daily overdue check."""

import re
from datetime import date, timedelta

from redis import Redis
from rq import Queue
from sqlalchemy import select

from pbvote.accountability.models import ExecutionRecord, FollowupSnapshot
from pbvote.sms.models import SmsMessage
from tests.accountability.factories import execution_setup, resident
from tests.factories import create_staff
from tests.helpers import login_resident, login_staff, outbox, run_jobs, submit

FOLLOWER = "+212612345678"
QUIET = "+212612345679"


def _finance(app, setup):
    staff = app.test_client()
    login_staff(staff, *setup["finance"])
    return staff


def _publish_update(staff, record_id, data) -> int:
    response = submit(staff, f"/staff/execution/{record_id}/updates/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    update_id = int(response.headers["Location"].rsplit("/", 1)[1])
    published = submit(
        staff,
        f"/staff/execution/updates/{update_id}/publish",
        {},
        form_url=f"/staff/execution/updates/{update_id}",
    )
    assert published.status_code == 302
    return update_id


def test_followers_are_notified_once_even_if_the_job_runs_twice(
    app, committed, commune
):
    setup = execution_setup(committed, commune)
    record_id = setup["record_ids"][0]
    resident(committed, commune, FOLLOWER)
    resident(committed, commune, QUIET)
    follower, quiet = app.test_client(), app.test_client()
    login_resident(follower, app, FOLLOWER)
    login_resident(quiet, app, QUIET)
    assert (
        submit(
            follower,
            f"/execution/{record_id}/follow",
            {"sms_opt_in": "y"},
            form_url=f"/execution/{record_id}",
        ).status_code
        == 302
    )
    assert (
        submit(
            quiet,
            f"/execution/{record_id}/follow",
            {},
            form_url=f"/execution/{record_id}",
        ).status_code
        == 302
    )
    page = follower.get(f"/execution/{record_id}").get_data(as_text=True)
    assert "You get a text message at each update." in page
    update_id = _publish_update(
        _finance(app, setup),
        record_id,
        {"status_key": "contracted", "committed": "380000", "body_fr": "Marché signé."},
    )
    run_jobs(app, "followup")
    # The same job again (a retry, a duplicate enqueue): nobody is notified twice.
    Queue("followup", connection=Redis.from_url(app.config["REDIS_URL"])).enqueue(
        "jobs.accountability.publish_followup", update_id
    )
    run_jobs(app, "followup")
    run_jobs(app, "sms")
    # One segment: the SMS names the project by its number (no link, no title).
    sent = [m for m in outbox(app) if re.search(rf"\b{record_id}\b", m["body"])]
    assert [m["to"] for m in sent] == [FOLLOWER]
    with committed() as session:
        keys = session.scalars(
            select(SmsMessage.dedupe_key).where(
                SmsMessage.purpose == "execution-update"
            )
        ).all()
        assert len(keys) == 1 and keys[0].startswith(f"exec-update:{update_id}:")


def test_publishing_refreshes_dashboard_and_feed_snapshots(
    app, client, committed, commune
):
    setup = execution_setup(committed, commune)
    run_jobs(app, "followup")
    before = client.get("/execution").get_data(as_text=True)
    assert "Contracted" in before
    staff = _finance(app, setup)
    _publish_update(
        staff,
        setup["record_ids"][0],
        {
            "status_key": "works",
            "committed": "350000",
            "spent": "125000",
            "body_fr": "Travaux lancés.",
            "service": "Direction technique",
        },
    )
    _publish_update(
        staff,
        setup["record_ids"][1],
        {
            "status_key": "completed",
            "committed": "240000",
            "spent": "240000",
            "body_fr": "Réception définitive.",
        },
    )
    # Pages read the snapshots: unchanged until the follow-up job runs.
    with committed() as session:
        stale = session.get(FollowupSnapshot, f"dashboard:{commune['id']}").data
        assert stale["spent"] == 0
    run_jobs(app, "followup")
    with committed() as session:
        data = session.get(FollowupSnapshot, f"dashboard:{commune['id']}").data
    assert (data["allocated"], data["committed"], data["spent"]) == (
        650_000,
        590_000,
        365_000,
    )
    counts = {row["key"]: row["count"] for row in data["per_status"]}
    assert counts["works"] == 1 and counts["completed"] == 1 and counts["planned"] == 0
    page = client.get("/execution").get_data(as_text=True)
    assert "365,000" in page.replace("\u202f", ",").replace("\xa0", ",")
    feed = client.get("/execution/feed.atom")
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
    xml = feed.get_data(as_text=True)
    assert xml.count("<entry>") == 2 and "Travaux lancés." in xml
    assert "Direction technique" in xml
    import xml.etree.ElementTree as ET

    ET.fromstring(feed.get_data())  # well-formed


def test_feed_escapes_text(app, client, committed, commune):
    setup = execution_setup(committed, commune)
    _publish_update(
        _finance(app, setup),
        setup["record_ids"][0],
        {"body_fr": "<script>x</script> & co"},
    )
    run_jobs(app, "followup")
    xml = client.get("/execution/feed.atom").get_data(as_text=True)
    assert "<script>" not in xml and "&lt;script&gt;" in xml


def test_daily_check_flags_overdue_projects_once(
    app, client, committed, commune, runner
):
    setup = execution_setup(committed, commune)
    late, on_time = setup["record_ids"]
    with committed() as session:
        admin, _secret = create_staff(commune["id"], "chef", ["admin"])
        admin.phone = "+212612340000"
        session.get(ExecutionRecord, late).planned_end = date.today() - timedelta(
            days=3
        )
        session.get(ExecutionRecord, on_time).planned_end = date.today() + timedelta(
            days=30
        )
    result = runner.invoke(args=["execution", "flag-overdue"])
    assert result.exit_code == 0, result.output
    assert "1 project(s) newly flagged overdue" in result.output
    again = runner.invoke(args=["execution", "flag-overdue"])
    assert "0 project(s) newly flagged overdue" in again.output
    run_jobs(app, "sms")
    alerts = [m for m in outbox(app) if m["to"] == "+212612340000"]
    assert len(alerts) == 1
    page = client.get("/execution").get_data(as_text=True)
    assert (
        "Past their planned end" in page
        and "Projet 1" in page.split("Past their planned end")[1].split("</ul>")[0]
    )
    staff = app.test_client()
    login_staff(staff, *setup["admin"])
    listing = staff.get("/staff/execution").get_data(as_text=True)
    assert "flagged on" in listing
    # Completing the project clears the flag.
    _publish_update(
        _finance(app, setup), late, {"status_key": "completed", "body_fr": "Fini"}
    )
    with committed() as session:
        assert session.get(ExecutionRecord, late).overdue_since is None


def test_daily_command(app, runner, committed, commune):
    from pbvote.accountability.models import AccountabilityReport
    from pbvote.accountability.reports import due_periods
    from pbvote.core.time import to_local_day, utcnow

    due = len(due_periods(to_local_day(utcnow())))
    execution_setup(committed, commune)
    result = runner.invoke(args=["execution", "daily"])
    assert result.exit_code == 0, result.output
    assert f"0 project(s) newly flagged overdue; {due} report(s)" in result.output
    again = runner.invoke(args=["execution", "daily"])  # reports are made once
    assert f"{due} report(s)" in again.output
    with committed() as session:
        assert len(session.scalars(select(AccountabilityReport)).all()) == due


def test_daily_job_on_the_worker(app, committed, commune):
    setup = execution_setup(committed, commune)
    with committed() as session:
        session.get(ExecutionRecord, setup["record_ids"][0]).planned_end = (
            date.today() - timedelta(days=1)
        )
    Queue("followup", connection=Redis.from_url(app.config["REDIS_URL"])).enqueue(
        "jobs.accountability.daily_checks"
    )
    run_jobs(app, "followup")
    with committed() as session:
        assert session.get(ExecutionRecord, setup["record_ids"][0]).overdue_since
        from pbvote.accountability.models import AccountabilityReport

        assert session.scalars(select(AccountabilityReport)).all()  # last quarter's


def test_only_jobs_cron_registers_the_nightly_schedule():
    """Importing the jobs (as the worker does) schedules nothing; ``rq cron
    jobs.cron`` gets the nightly daily_checks and the indicators' reports. A fresh
    interpreter, so no other test's imports count; RQ keeps registrations in
    ``_job_data_registry``."""
    import subprocess
    import sys

    script = (
        "import rq.cron as c, jobs.accountability, jobs.indicators\n"
        "assert c._job_data_registry == [], c._job_data_registry\n"
        "import jobs.cron\n"
        "for entry in c._job_data_registry:\n"
        "    print(entry['func'].__module__, entry['func'].__name__, "
        "entry['queue_name'], entry['cron'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "jobs.accountability daily_checks followup 30 1 * * *",
        "jobs.indicators due_reports default 45 1 * * *",
    ]
