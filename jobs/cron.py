"""The recurring jobs, for RQ's cron scheduler: ``rq cron jobs.cron`` (RQ 2.4 or
later) enqueues them; ``pbvote worker`` runs them in the app context. Without
it, run ``pbvote execution daily`` from the system cron at the same time.

Importing this module registers the schedule: only ``rq cron`` imports it."""

from rq import cron

from jobs.accountability import daily_checks
from jobs.indicators import QUEUE as REPORTS_QUEUE
from jobs.indicators import due_reports

# 01:30 UTC: after midnight in Ouazzane all year, so a quarter that ended
# yesterday (local time) gets its report the next night.
cron.register(daily_checks, queue_name="followup", cron="30 1 * * *", name="daily")
# 01:45 UTC: the charter's full reports of the periods that just ended, after
# the accountability reports they include.
cron.register(
    due_reports, queue_name=REPORTS_QUEUE, cron="45 1 * * *", name="pbvote-reports"
)
