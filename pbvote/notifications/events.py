"""What happened, told to the notifications: domain code calls these functions (or
sends the signals) inside its transaction; the fan-out job starts after commit.

It listens to the signals lower domains send: ``accountability.signals.
execution_updated`` (sender: the project id; ``update_id``, ``now``) and
``results.signals.results_published`` (sender: the cycle id; ``now``)."""

from datetime import datetime

from blinker import Namespace

from pbvote.accountability.signals import execution_updated
from pbvote.core.jobs import enqueue_after_commit
from pbvote.proposals.conversations import comment_added
from pbvote.results.signals import results_published
from pbvote.reviews.signals import review_published

signals = Namespace()


def announce(
    kind: str,
    target: tuple[str, int],
    event_key: str,
    params: dict,
    *,
    also_targets: tuple = (),
    direct_user_ids: tuple = (),
    sms_direct: bool = True,
) -> None:
    """Queue the fan-out of one event to the followers of ``target`` (and of
    ``also_targets``, e.g. the proposal's cycle) and to ``direct_user_ids``."""
    enqueue_after_commit(
        "jobs.notifications.fan_out",
        kind,
        list(target),
        event_key,
        params,
        [list(t) for t in also_targets],
        list(direct_user_ids),
        sms_direct,
        queue="default",
        job_id=f"notify-{event_key}".replace(":", "-"),
        retry=3,
    )


@comment_added.connect
def comment_answered(comment, parent=None, now: datetime | None = None) -> None:
    """A reply tells the comment's author; a staff answer tells the followers."""
    proposal_id = comment.proposal_id
    params = {"proposal_id": proposal_id, "title": comment.proposal.title[:150]}
    direct = ()
    if parent is not None and parent.author_id != comment.author_id:
        direct = (parent.author_id,)
    is_staff = comment.author.kind == "staff"
    if not direct and not is_staff:
        return
    announce(
        "staff_answer" if is_staff else "reply",
        ("proposal", proposal_id) if is_staff else ("proposal", 0),
        f"comment:{comment.id}",
        params,
        direct_user_ids=direct,
    )


@review_published.connect
def _on_review_published(review, now: datetime, **extra) -> None:
    """Followers of the proposal and of its cycle; the author in the site and by
    e-mail only (the review sends the author their own SMS)."""
    proposal = review.proposal
    announce(
        "review",
        ("proposal", proposal.id),
        f"review:{review.id}",
        {
            "proposal_id": proposal.id,
            "title": proposal.title[:150],
            "decision": review.decision,
        },
        also_targets=(("cycle", proposal.cycle_id),),
        direct_user_ids=(proposal.author_id,),
        sms_direct=False,
    )


@execution_updated.connect
def _on_execution_update(project_id: int, update_id: int, now=None, **extra) -> None:
    announce(
        "execution",
        ("project", project_id),
        f"execution:{update_id}",
        {"project_id": project_id},
    )


@results_published.connect
def _on_results(cycle_id: int, now=None, **extra) -> None:
    announce(
        "result", ("cycle", cycle_id), f"result:{cycle_id}", {"cycle_id": cycle_id}
    )
