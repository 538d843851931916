"""Writing, submitting, editing and withdrawing proposals during the proposals phase.

Every rule is checked here, on the server: the phase (the deadline), the author, the
per-resident limit, the scope and category of this cycle, the cost, the files.
"""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from pbvote.associations.errors import AssociationError
from pbvote.associations.services import acting_association
from pbvote.core.i18n import format_day, format_mad
from pbvote.cycles.models import Cycle, Scope
from pbvote.cycles.services import phase_at, phase_span
from pbvote.extensions import db
from pbvote.proposals import places, uploads
from pbvote.proposals.errors import (
    DuplicateProposal,
    InvalidProposal,
    LimitReached,
    NotAllowed,
)
from pbvote.proposals.models import (
    BENEFICIARIES,
    DEFAULT_CATEGORIES,
    Attachment,
    Category,
    Proposal,
    ProposalEvent,
)
from pbvote.proposals.text import normalise

MAX_DRAFTS = 10
# Coordinates must fall in Morocco (a typing slip puts a point in the ocean).
LATITUDES, LONGITUDES = (20.0, 36.5), (-17.5, -0.9)


@dataclass
class ProposalInput:
    title: str
    description: str
    scope_id: int | None
    category_id: int | None
    estimated_cost: int | None
    beneficiaries: list = field(default_factory=list)
    location_text: str = ""
    latitude: float | None = None
    longitude: float | None = None
    association_id: int | None = None


# Categories ------------------------------------------------------------------


def ensure_categories(commune_id: int) -> list[Category]:
    """Create the default categories that are missing (idempotent)."""
    existing = {
        c.key
        for c in db.session.scalars(
            select(Category).where(Category.commune_id == commune_id)
        )
    }
    for position, (key, name_ar, name_fr) in enumerate(DEFAULT_CATEGORIES):
        if key not in existing:
            db.session.add(
                Category(
                    commune_id=commune_id,
                    key=key,
                    name_ar=name_ar,
                    name_fr=name_fr,
                    position=position,
                )
            )
    db.session.flush()  # callers use the ids
    return active_categories(commune_id)


def active_categories(commune_id: int) -> list[Category]:
    return list(
        db.session.scalars(
            select(Category)
            .where(Category.commune_id == commune_id, Category.active)
            .order_by(Category.position, Category.id)
        )
    )


# The deadline ------------------------------------------------------------------


def require_proposals_open(cycle: Cycle, now: datetime) -> None:
    """Raise NotAllowed unless the cycle's proposals phase runs at ``now``."""
    phase = phase_at(cycle, now)
    if phase == "proposals":
        return
    span = phase_span(cycle, "proposals")
    if span and now < span[0]:
        raise NotAllowed(
            _(
                "Proposals open on %(day)s. Come back then.",
                day=format_day(span[0], "long"),
            )
        )
    deadline = format_day(span[1], "long") if span else "?"
    raise NotAllowed(
        _(
            "The deadline for proposals was %(day)s: proposals can no "
            "longer be submitted, changed or withdrawn in this cycle.",
            day=deadline,
        )
    )


# Writing -----------------------------------------------------------------------


def _check_input(cycle: Cycle, data: ProposalInput) -> Scope:
    title = (data.title or "").strip()
    if len(title) < 5:
        raise InvalidProposal(_("Give a title of at least 5 characters."), "title")
    if len(title) > 150:
        raise InvalidProposal(
            _("The title is too long: at most 150 characters."), "title"
        )
    if len((data.description or "").strip()) < 30:
        raise InvalidProposal(
            _(
                "Describe the proposal in at least 30 characters: "
                "what, where, for whom and why."
            ),
            "description",
        )
    scope = db.session.get(Scope, data.scope_id) if data.scope_id else None
    if scope is None or scope.cycle_id != cycle.id:
        raise InvalidProposal(
            _("Choose the whole commune or one of its districts from the list."),
            "scope_id",
        )
    category = db.session.get(Category, data.category_id) if data.category_id else None
    if (
        category is None
        or category.commune_id != cycle.commune_id
        or (not category.active)
    ):
        raise InvalidProposal(_("Choose a category from the list."), "category_id")
    if any(key not in BENEFICIARIES for key in data.beneficiaries):
        raise InvalidProposal(
            _("Choose the beneficiaries from the list."), "beneficiaries"
        )
    if not data.beneficiaries:
        raise InvalidProposal(
            _("Say who benefits: tick at least one group (or “everyone”)."),
            "beneficiaries",
        )
    _check_cost(scope, data.estimated_cost)
    _check_coordinates(data.latitude, data.longitude)
    return scope


def _check_cost(scope: Scope, cost: int | None) -> None:
    if cost is None or cost <= 0:
        raise InvalidProposal(
            _(
                "Give an estimated cost of more than 0 MAD; an "
                "approximate amount is fine."
            ),
            "estimated_cost",
        )
    if cost > scope.amount:
        raise InvalidProposal(
            _(
                "The estimated cost (%(cost)s) is more than the whole "
                "budget of the chosen scope (%(amount)s). Split the "
                "idea into smaller proposals or check the amount.",
                cost=format_mad(cost),
                amount=format_mad(scope.amount),
            ),
            "estimated_cost",
        )


def _check_coordinates(latitude, longitude) -> None:
    if (latitude is None) != (longitude is None):
        raise InvalidProposal(
            _("Give both the latitude and the longitude, or neither."), "latitude"
        )
    if latitude is None:
        return
    if not (
        LATITUDES[0] <= latitude <= LATITUDES[1]
        and LONGITUDES[0] <= longitude <= LONGITUDES[1]
    ):
        raise InvalidProposal(
            _(
                "These coordinates are outside Morocco. Ouazzane is "
                "near latitude 34.8 and longitude -5.6."
            ),
            "latitude",
        )
    if places.inside_commune(latitude, longitude) is False:
        raise InvalidProposal(
            _(
                "This point is outside the commune of Ouazzane. Pick a place "
                "inside its boundary, or describe the place by its address only."
            ),
            "location_text",
        )


def _check_duplicate(user, cycle: Cycle, title: str, proposal: Proposal | None) -> None:
    """The same title twice from one author: a double submission."""
    key = normalise(title)
    for other in db.session.scalars(
        select(Proposal).where(
            Proposal.cycle_id == cycle.id,
            Proposal.author_id == user.id,
            Proposal.status != "withdrawn",
        )
    ):
        if other is not proposal and normalise(other.title) == key:
            raise DuplicateProposal(
                _(
                    "You already have a proposal with this title in "
                    "this cycle (number %(id)d). Open it to change "
                    "it instead of sending it twice.",
                    id=other.id,
                ),
                "title",
            )


def _count(user, cycle: Cycle, statuses) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Proposal)
            .where(
                Proposal.cycle_id == cycle.id,
                Proposal.author_id == user.id,
                Proposal.status.in_(statuses),
            )
        )
        or 0
    )


def _check_limit(user, cycle: Cycle) -> None:
    limit = int(cycle.setting("proposals_per_resident"))
    if _count(user, cycle, ("submitted",)) >= limit:
        raise LimitReached(
            ngettext(
                "You have already submitted %(num)d proposal in this cycle, the most "
                "allowed. Withdraw one to submit another; you can keep this one as a "
                "draft.",
                "You have already submitted %(num)d proposals in this cycle, the most "
                "allowed. Withdraw one to submit another; you can keep this one as a "
                "draft.",
                limit,
            )
        )


def record_event(
    proposal: Proposal, status: str, now: datetime, note: str = ""
) -> None:
    proposal.status = status
    proposal.events.append(ProposalEvent(status=status, note=note[:300], at_dt=now))


def _apply(proposal: Proposal, data: ProposalInput, association, now) -> None:
    proposal.title = data.title.strip()
    proposal.description = data.description.strip()
    proposal.scope_id = data.scope_id
    proposal.category_id = data.category_id
    proposal.estimated_cost = data.estimated_cost
    proposal.beneficiaries = (
        "," + ",".join(key for key in BENEFICIARIES if key in data.beneficiaries) + ","
    )
    proposal.location_text = (data.location_text or "").strip()
    proposal.latitude, proposal.longitude = data.latitude, data.longitude
    proposal.association_id = association.id if association else None
    proposal.search_text = normalise(
        f"{proposal.title} {proposal.description} {proposal.location_text}"
    )
    proposal.updated_at_dt = now


def _reopen_review(proposal: Proposal) -> None:
    """A change after a body recorded (but did not publish) its review: the body
    must look again, so the recorded decision is cleared."""
    review = getattr(proposal, "review", None)  # set by the reviews domain
    if review is not None and review.decision and review.published_at_dt is None:
        review.decision, review.recorded_at_dt = None, None


def check_author(user, proposal: Proposal) -> None:
    """Raise NotAllowed unless ``user`` wrote ``proposal``."""
    if user is None or proposal.author_id != user.id:
        raise NotAllowed(
            _(
                "This proposal belongs to someone else: you can only "
                "change or withdraw your own proposals."
            )
        )


def save_proposal(
    user,
    cycle: Cycle,
    proposal: Proposal | None,
    data: ProposalInput,
    files,
    *,
    submit: bool,
    now: datetime,
) -> Proposal:
    """Create or change a proposal, as a draft or submitted, with new attachments.

    Raises NotAllowed (deadline, not the author, withdrawn), InvalidProposal,
    DuplicateProposal, LimitReached, InvalidUpload.
    """
    require_proposals_open(cycle, now)
    if user is None or user.kind != "resident":
        raise NotAllowed(_("Sign in with your mobile number to propose a project."))
    if proposal is not None:
        check_author(user, proposal)
        if proposal.status not in ("draft", "submitted"):
            raise NotAllowed(_("A withdrawn proposal cannot be changed."))
    elif _count(user, cycle, ("draft",)) >= MAX_DRAFTS:
        raise LimitReached(
            _(
                "You have %(num)d drafts already: finish or withdraw one first.",
                num=MAX_DRAFTS,
            )
        )
    try:
        association = acting_association(user, data.association_id)
    except AssociationError as error:
        raise NotAllowed(str(error), error.field) from error
    _check_input(cycle, data)
    _check_duplicate(user, cycle, data.title, proposal)
    checked = [uploads.check_file(f) for f in files]
    existing = len(proposal.attachments) if proposal else 0
    if existing + len(checked) > uploads.MAX_ATTACHMENTS:
        raise InvalidProposal(
            _(
                "At most %(num)d files per proposal: this proposal "
                "already has %(has)d.",
                num=uploads.MAX_ATTACHMENTS,
                has=existing,
            ),
            "attachments",
        )
    created = proposal is None
    if created:
        proposal = Proposal(
            cycle_id=cycle.id, author_id=user.id, status="draft", created_at_dt=now
        )
        db.session.add(proposal)
        record_event(proposal, "draft", now)
    _apply(proposal, data, association, now)
    _reopen_review(proposal)
    for item in checked:
        proposal.attachments.append(
            Attachment(
                filename=item.filename,
                content_type=item.content_type,
                size=len(item.data),
                stored_name=uploads.store(item),
                created_at_dt=now,
            )
        )
    if submit and proposal.status == "draft":
        _check_limit(user, cycle)
        proposal.submitted_at_dt = now
        record_event(proposal, "submitted", now)
    db.session.flush()  # the caller redirects to the new id
    return proposal


def withdraw_proposal(user, proposal: Proposal, now: datetime) -> None:
    """The author takes the proposal back, until the deadline. Raises NotAllowed."""
    require_proposals_open(proposal.cycle, now)
    check_author(user, proposal)
    if proposal.status not in ("draft", "submitted"):
        raise NotAllowed(_("This proposal was already withdrawn."))
    record_event(proposal, "withdrawn", now)


def remove_attachment(user, attachment: Attachment, now: datetime) -> None:
    """The author removes a file, until the deadline. Raises NotAllowed."""
    proposal = attachment.proposal
    require_proposals_open(proposal.cycle, now)
    check_author(user, proposal)
    if proposal.status not in ("draft", "submitted"):
        raise NotAllowed(_("A withdrawn proposal cannot be changed."))
    uploads.remove(attachment.stored_name)
    proposal.attachments.remove(attachment)
    proposal.updated_at_dt = now


def can_see(user, proposal: Proposal) -> bool:
    """Drafts are seen by their author (and staff); everything else is public."""
    if proposal.is_public:
        return True
    return bool(
        user
        and user.is_authenticated
        and (user.id == proposal.author_id or getattr(user, "is_staff", False))
    )


def my_proposals(user, cycle_id: int | None = None):
    query = select(Proposal).where(Proposal.author_id == user.id)
    if cycle_id:
        query = query.where(Proposal.cycle_id == cycle_id)
    return query.order_by(Proposal.id.desc())
