"""Demo: the first demo resident follows a proposal of the current cycle (its
answer reaches them in the notifications page, by one SMS and by one e-mail to
their confirmed address once the seed commits) and the whole next cycle."""

from sqlalchemy import select

from pbvote.extensions import db
from pbvote.notifications.models import Preference
from pbvote.notifications.services import follow
from pbvote.proposals.models import Proposal

DEMO_EMAIL = "resident1@example.ma"


def seed(ctx) -> None:
    resident = ctx["residents"][0]
    followed = db.session.scalar(
        select(Proposal)
        .where(
            Proposal.cycle_id == ctx["current_cycle"].id,
            Proposal.author_id != resident.id,
            Proposal.status.in_(("feasible", "feasible_with_changes")),
        )
        .order_by(Proposal.id)
    )
    if followed is not None:
        # The review's fan-out job runs after the seed commits and finds this.
        follow(resident, "proposal", followed.id, ctx["now"])
    follow(resident, "cycle", ctx["next_cycle"].id, ctx["now"])
    # An address confirmed as if its link had been opened (example.ma: no mail
    # leaves a demo, whose backend is the outbox file).
    db.session.add(
        Preference(
            user_id=resident.id,
            by_sms=True,
            language="ar",
            email=DEMO_EMAIL,
            email_verified_at_dt=ctx["now"],
            by_email=True,
        )
    )
    _staff_answer(ctx)
    ctx["lines"].append(
        f"Notifications: {resident.phone} follows proposal no. "
        f"{followed.id if followed else '-'} (its answer is in /notifications and "
        f"in the SMS outbox, and by e-mail to {DEMO_EMAIL} in the e-mail outbox) "
        "and next year's cycle."
    )


def _staff_answer(ctx) -> None:
    """The reviewer answers the first comment of the demo: a marked staff answer."""
    from pbvote.proposals.conversations import add_comment
    from pbvote.proposals.models import Comment

    first = db.session.scalar(
        select(Comment).where(Comment.parent_id.is_(None)).order_by(Comment.id)
    )
    if first is None:
        return
    add_comment(
        ctx["staff"]["reviewer"],
        first.proposal,
        "شكرا على ملاحظتكم، ستأخذها الهيئة بعين الاعتبار عند دراسة الكلفة.",
        ctx["now"],
        parent_id=first.id,
    )
