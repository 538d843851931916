"""Assigning proposals to bodies, recording reviews, publishing the answers, and the
rule that voting cannot open while a proposal lacks its answer."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import exists, select, true
from sqlalchemy.orm import joinedload, selectinload

from pbvote.accounts.models import User, UserRole
from pbvote.associations.models import Association
from pbvote.audit.services import record_action
from pbvote.core.i18n import format_mad
from pbvote.core.jobs import enqueue_after_commit
from pbvote.cycles.models import Cycle
from pbvote.cycles.services import phase_at, phase_span, require_phase
from pbvote.extensions import db
from pbvote.proposals.models import DECISIONS, Project, Proposal, Support
from pbvote.proposals.services import record_event
from pbvote.proposals.text import plain_excerpt
from pbvote.reviews.bodies import body_for, reviewer_body_ids, rules_of
from pbvote.reviews.errors import (
    ConflictOfInterest,
    InvalidAssignment,
    InvalidReview,
    NotMember,
    NotReadyForVoting,
)
from pbvote.reviews.models import AdvisoryBody, BodyMember, Review
from pbvote.reviews.signals import review_published

PROJECT_DECISIONS = ("feasible", "feasible_with_changes")
# Bodies may start while proposals still come in; answers go out in the review phase.
RECORD_PHASES = ("proposals", "review")
MIN_ANSWER = 20


@dataclass
class ReviewInput:
    decision: str | None
    competent: bool | None
    technical_ok: bool | None
    legal_ok: bool | None
    official_cost: int | None
    answer: str
    reasons: str = ""
    merged_into_id: int | None = None
    project_title_ar: str = ""
    project_title_fr: str = ""


# Assignment ------------------------------------------------------------------------


def _assignable(proposal: Proposal) -> None:
    if proposal.status != "submitted":
        raise InvalidAssignment(_("Only submitted proposals are reviewed."))
    if proposal.review is not None and proposal.review.is_published:
        raise InvalidAssignment(_("The answer to this proposal is already published."))


def assign_by_hand(
    actor, proposal: Proposal, body: AdvisoryBody | None, now: datetime
) -> Review:
    """Give a proposal to a body, or move it to another before its answer is
    published. Raises InvalidAssignment."""
    if body is None or body.commune_id != proposal.cycle.commune_id:
        raise InvalidAssignment(_("Choose a body from the list."), "body_id")
    _assignable(proposal)
    review = proposal.review
    if review is None:
        review = Review(proposal=proposal, body_id=body.id, assigned_at_dt=now)
        db.session.add(review)
    elif review.body_id != body.id:
        review.body_id, review.reviewer_id = body.id, None
    review.assigned_by, review.assigned_at_dt = "hand", now
    db.session.flush()  # the audit entry needs the id
    record_action(
        actor, "review.assign", "proposal", proposal.id, now, {"body": body.key}
    )
    return review


def assign_by_rules(actor, cycle: Cycle, now: datetime) -> int:
    """Give every submitted, unassigned proposal of the cycle to the body its
    category or district points to; returns how many were assigned."""
    rules = rules_of(cycle.commune_id)
    count = 0
    for proposal in db.session.scalars(
        select(Proposal).where(
            Proposal.cycle_id == cycle.id,
            Proposal.status == "submitted",
            ~exists().where(Review.proposal_id == Proposal.id),
        )
    ):
        body_id = body_for(rules, proposal.category_id, proposal.scope.district_id)
        if body_id is not None:
            db.session.add(
                Review(
                    proposal=proposal,
                    body_id=body_id,
                    assigned_by="rule",
                    assigned_at_dt=now,
                )
            )
            count += 1
    record_action(
        actor, "review.assign_rules", "cycle", cycle.id, now, {"assigned": count}
    )
    return count


# Recording ---------------------------------------------------------------------------


def check_no_conflict(reviewer, proposal: Proposal) -> None:
    """A reviewer may not review what they proposed, represent or support, under
    their staff account or under the resident account named in their membership.

    Raises ConflictOfInterest."""
    phones = {
        m.resident_phone
        for m in db.session.scalars(
            select(BodyMember).where(BodyMember.user_id == reviewer.id)
        )
        if m.resident_phone
    }
    # The reviewer's own accounts: the staff one and their resident ones.
    account_ids = {reviewer.id} | set(
        db.session.scalars(
            select(User.id).where(
                User.commune_id == reviewer.commune_id, User.phone.in_(phones)
            )
        )
    )
    if proposal.author_id in account_ids:
        raise ConflictOfInterest(
            _(
                "You wrote this proposal, so you cannot review it. "
                "Another member of the body must do it."
            )
        )
    if proposal.association_id:
        association = db.session.get(Association, proposal.association_id)
        if association.representative_id in account_ids:
            raise ConflictOfInterest(
                _(
                    "This proposal comes from an association you "
                    "represent, so you cannot review it."
                )
            )
    supported = db.session.scalar(
        select(
            exists().where(
                Support.proposal_id == proposal.id, Support.user_id.in_(account_ids)
            )
        )
    )
    if supported:
        raise ConflictOfInterest(
            _(
                "You support this proposal, so you cannot review "
                "it. Another member of the body must do it."
            )
        )


def _check_decision(review: Review, data: ReviewInput) -> None:
    if data.decision not in DECISIONS:
        raise InvalidReview(_("Choose a decision."), "decision")
    if data.decision != "merged" and None in (
        data.competent,
        data.technical_ok,
        data.legal_ok,
    ):
        raise InvalidReview(
            _(
                "Answer the three questions: competence, technical and "
                "legal feasibility."
            ),
            "competent",
        )
    if len((data.answer or "").strip()) < MIN_ANSWER:
        raise InvalidReview(
            _(
                "Write the answer to the author (at least %(num)d "
                "characters): it is published with the decision.",
                num=MIN_ANSWER,
            ),
            "answer",
        )
    if (
        data.decision in ("not_feasible", "feasible_with_changes")
        and len((data.reasons or "").strip()) < MIN_ANSWER
    ):
        raise InvalidReview(
            _(
                "Give the reasons (at least %(num)d characters): why it is not feasible, "
                "or which changes are needed.",
                num=MIN_ANSWER,
            ),
            "reasons",
        )
    if data.decision in PROJECT_DECISIONS:
        _check_feasible(review, data)
    if data.decision == "merged":
        _check_merge(review, data.merged_into_id)


def _check_feasible(review: Review, data: ReviewInput) -> None:
    if not (data.competent and data.technical_ok and data.legal_ok):
        raise InvalidReview(
            _(
                "A feasible proposal must be within the commune's "
                "competence and feasible technically and legally. "
                "Otherwise choose “not feasible” and give the reasons."
            ),
            "decision",
        )
    scope = review.proposal.scope
    if not data.official_cost or data.official_cost <= 0:
        raise InvalidReview(
            _("Give the official cost estimate in dirhams."), "official_cost"
        )
    if data.official_cost > scope.amount:
        raise InvalidReview(
            _(
                "The official cost (%(cost)s) is more than the whole "
                "budget of its scope (%(amount)s): it could never be "
                "chosen. Answer “feasible with changes” with a smaller "
                "version, or “not feasible”.",
                cost=format_mad(data.official_cost),
                amount=format_mad(scope.amount),
            ),
            "official_cost",
        )


def _check_merge(review: Review, target_id: int | None) -> None:
    target = db.session.get(Proposal, target_id) if target_id else None
    proposal = review.proposal
    if (
        target is None
        or target.cycle_id != proposal.cycle_id
        or (target.status in ("draft", "withdrawn"))
    ):
        raise InvalidReview(
            _("Choose the proposal of this cycle it merges into."), "merged_into_id"
        )
    if target.id == proposal.id:
        raise InvalidReview(
            _("A proposal cannot be merged into itself."), "merged_into_id"
        )
    if target.review is not None and target.review.decision == "merged":
        raise InvalidReview(
            _(
                "That proposal is itself merged into another one: "
                "choose the one they all merge into."
            ),
            "merged_into_id",
        )


def record_review(reviewer, review: Review, data: ReviewInput, now: datetime) -> None:
    """Record (or correct) a body's review before it is published.

    Raises NotMember, ConflictOfInterest, InvalidReview, PhaseClosed."""
    require_phase(review.proposal.cycle, RECORD_PHASES, now)
    if review.proposal.status != "submitted" and not review.is_published:
        raise InvalidReview(
            _("This proposal was withdrawn by its author: there is nothing to review.")
        )
    if review.body_id not in reviewer_body_ids(reviewer):
        raise NotMember(
            _(
                "Only members of the %(body)s can review this proposal.",
                body=review.body.name_fr,
            )
        )
    check_no_conflict(reviewer, review.proposal)
    if review.is_published:
        raise InvalidReview(_("This answer is published and can no longer be changed."))
    _check_decision(review, data)
    review.decision = data.decision
    review.competent, review.technical_ok = data.competent, data.technical_ok
    review.legal_ok = data.legal_ok
    review.official_cost = (
        data.official_cost
        if data.decision in PROJECT_DECISIONS
        else data.official_cost or None
    )
    review.answer, review.reasons = data.answer.strip(), (data.reasons or "").strip()
    review.merged_into_id = data.merged_into_id if data.decision == "merged" else None
    review.project_title_ar = (data.project_title_ar or "").strip()[:200]
    review.project_title_fr = (data.project_title_fr or "").strip()[:200]
    review.reviewer_id, review.recorded_at_dt = reviewer.id, now
    record_action(
        reviewer,
        "review.record",
        "proposal",
        review.proposal_id,
        now,
        {"decision": data.decision, "official_cost": review.official_cost},
    )


# Publishing ------------------------------------------------------------------------


def _project_for(review: Review, now: datetime) -> Project:
    proposal = review.proposal
    existing = db.session.scalar(
        select(Project).where(Project.proposal_id == proposal.id)
    )
    project = existing or Project(proposal_id=proposal.id, created_at_dt=now)
    project.cycle_id, project.scope_id = proposal.cycle_id, proposal.scope_id
    project.category_id = proposal.category_id
    project.title_ar = review.project_title_ar or proposal.title
    project.title_fr = review.project_title_fr or proposal.title
    project.summary = plain_excerpt(proposal.description, 600)
    project.cost = review.official_cost
    if existing is None:
        db.session.add(project)
    return project


def publish_decisions(
    actor, cycle: Cycle, now: datetime, review_ids: list[int] | None = None
) -> list[Review]:
    """Publish every recorded, unpublished review of the cycle (or only those of
    ``review_ids``, to publish one by one or a chosen batch): the proposals take
    their decision, feasible ones become projects at their official cost, and each
    author is told by SMS in a job that starts after commit.

    Raises PhaseClosed, InvalidReview (nothing to publish)."""
    require_phase(cycle, ("review",), now)
    reviews = list(
        db.session.scalars(
            select(Review)
            .join(Proposal, Review.proposal_id == Proposal.id)
            .where(
                Proposal.cycle_id == cycle.id,
                Proposal.status == "submitted",
                Review.decision.is_not(None),
                Review.published_at_dt.is_(None),
                true() if review_ids is None else Review.id.in_(review_ids),
            )
            .order_by(Review.id)
        )
    )
    if not reviews:
        raise InvalidReview(_("No recorded answer is waiting to be published."))
    for review in reviews:
        review.published_at_dt = now
        note = ""
        if review.decision == "merged":
            note = f"#{review.merged_into_id}"
        record_event(review.proposal, review.decision, now, note)
        if review.decision in PROJECT_DECISIONS:
            _project_for(review, now)
        review_published.send(review, now=now)  # followers are told after commit
        enqueue_after_commit(
            "jobs.proposals.notify_decision",
            review.proposal_id,
            queue="default",
            retry=3,
        )
    db.session.flush()  # projects get ids before the audit entry
    record_action(
        actor, "review.publish", "cycle", cycle.id, now, {"published": len(reviews)}
    )
    return reviews


# Readiness for the vote ------------------------------------------------------------


def unanswered_query(cycle: Cycle):
    """Submitted proposals of the cycle whose answer is not published yet (a
    published answer always changes the status, so "submitted" is exactly that)."""
    return (
        select(Proposal)
        .where(Proposal.cycle_id == cycle.id, Proposal.status == "submitted")
        .options(selectinload(Proposal.review).joinedload(Review.body))
        .order_by(Proposal.id)
    )


def unanswered_proposals(cycle: Cycle) -> list[Proposal]:
    return list(db.session.scalars(unanswered_query(cycle)))


def check_ready_for_voting(cycle: Cycle) -> None:
    """Raise NotReadyForVoting unless every proposal has its published answer and
    at least one project can be voted on."""
    missing = unanswered_proposals(cycle)
    if missing:
        raise NotReadyForVoting(
            ngettext(
                "Voting cannot open: %(num)d proposal still has no published answer. "
                "Every proposal must be answered first.",
                "Voting cannot open: %(num)d proposals still have no published answer. "
                "Every proposal must be answered first.",
                len(missing),
            ),
            missing,
        )
    has_projects = db.session.scalar(
        select(exists().where(Project.cycle_id == cycle.id))
    )
    if not has_projects:
        raise NotReadyForVoting(
            _(
                "Voting cannot open: no proposal was found feasible, "
                "so there is no project to vote on."
            )
        )


def open_voting(actor, cycle: Cycle, now: datetime) -> None:
    """Start the voting phase now (during the review phase), once every proposal
    is answered. Raises PhaseClosed, NotReadyForVoting."""
    if phase_at(cycle, now) == "voting":
        raise NotReadyForVoting(_("Voting is already open."))
    require_phase(cycle, ("review",), now)
    check_ready_for_voting(cycle)
    voting = next(p for p in cycle.phases if p.kind == "voting")
    previous = voting.starts_at_dt
    voting.starts_at_dt = now
    record_action(
        actor,
        "cycle.open_voting",
        "cycle",
        cycle.id,
        now,
        {"planned_start": previous.isoformat()},
    )


def readiness(cycle: Cycle, now: datetime) -> dict:
    """Counts for the administrator's panel."""
    rows = db.session.execute(
        select(Proposal.status, Review.decision, Review.published_at_dt, Review.id)
        .outerjoin(Review, Review.proposal_id == Proposal.id)
        .where(Proposal.cycle_id == cycle.id, Proposal.status != "draft")
    ).all()
    live = [r for r in rows if r.status != "withdrawn"]
    return {
        "submitted": len(live),
        "unassigned": sum(1 for r in live if r.status == "submitted" and r.id is None),
        "to_record": sum(
            1
            for r in live
            if r.status == "submitted" and r.id is not None and r.decision is None
        ),
        "to_publish": sum(1 for r in live if r.decision and not r.published_at_dt),
        "answered": sum(1 for r in live if r.published_at_dt),
        "phase": phase_at(cycle, now),
        "voting_span": phase_span(cycle, "voting"),
    }


def queue_for(user, status: str = "todo"):
    """Reviews of the bodies ``user`` sits in (all bodies for an administrator)."""
    query = (
        select(Review)
        .join(Proposal, Review.proposal_id == Proposal.id)
        .where(Proposal.status != "withdrawn")
    )
    if not user.has_role("admin"):
        query = query.where(Review.body_id.in_(reviewer_body_ids(user)))
    if status == "todo":
        query = query.where(Review.decision.is_(None))
    elif status == "recorded":
        query = query.where(
            Review.decision.is_not(None), Review.published_at_dt.is_(None)
        )
    elif status == "published":
        query = query.where(Review.published_at_dt.is_not(None))
    # The queue shows each row's proposal and body.
    loads = joinedload(Review.proposal), joinedload(Review.body)
    return query.options(*loads).order_by(Review.id)


def active_reviewers(commune_id: int) -> list[User]:
    """The commune's active accounts with the reviewer role, by username."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(
                User.commune_id == commune_id,
                UserRole.role == "reviewer",
                User.active,
            )
            .order_by(User.username)
        )
    )


def merge_targets(review: Review) -> list[Proposal]:
    """The proposals of the cycle a reviewed proposal can be merged into."""
    return list(
        db.session.scalars(
            select(Proposal)
            .where(
                Proposal.cycle_id == review.proposal.cycle_id,
                Proposal.id != review.proposal_id,
                Proposal.status.not_in(("draft", "withdrawn")),
            )
            .order_by(Proposal.id)
        )
    )
