"""The SMS that tells a proposal's author its answer (after the review is published)."""

from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _

from pbvote.extensions import db
from pbvote.notifications.services import preference_of


def notify_author(proposal_id: int, now: datetime):
    """Queue the SMS that tells the author their answer, once (dedupe key), in the
    author's SMS language and in one segment.

    Returns the message's id, or None if the proposal or its answer is gone."""
    from pbvote.notifications.texts import LOCALES
    from pbvote.proposals.forms import STATUS_LABELS
    from pbvote.proposals.models import Proposal
    from pbvote.sms.services import queue_sms

    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.review is None or not proposal.review.is_published:
        return None
    language = preference_of(proposal.author_id).language
    with force_locale(LOCALES.get(language, "ar_MA")):
        body = _(
            "Ouazzane: your proposal %(id)d has its answer: %(decision)s.",
            id=proposal.id,
            decision=str(STATUS_LABELS[proposal.review.decision]),
        )
    return queue_sms(
        proposal.author.phone,
        body,
        now,
        purpose="proposal-answer",
        commune_id=proposal.cycle.commune_id,
        dedupe_key=f"proposal-answer:{proposal.id}",
    )
