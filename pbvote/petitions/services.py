"""Petitions: writing, signing (online and on paper), filing, and the bureau's
decisions. Services never commit; every state change adds a public event."""

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from pbvote.audit.services import record_action
from pbvote.core import ratelimit
from pbvote.core.time import to_local_day
from pbvote.core.workdays import add_months
from pbvote.cycles.models import Cycle
from pbvote.extensions import db
from pbvote.petitions.errors import (
    AlreadySigned,
    IneligibleAssociation,
    MissingGrounds,
    NotAllowed,
    NotInRegistry,
    SigningClosed,
    ThresholdNotReached,
    TooManyAttempts,
)
from pbvote.petitions.models import Petition, PetitionEvent, PetitionSignature
from pbvote.petitions.settings import setting
from pbvote.voting.models import VoterEntry
from pbvote.voting.registry import cin_hash


# Figures the law leaves to the commune or that are not confirmed (MOROCCO.md):
# each can be changed in the configuration (PBVOTE_PETITION_... variables).
def _event(petition: Petition, status: str, now: datetime, note: str = "") -> None:
    petition.status = status
    petition.events.append(PetitionEvent(status=status, note=note, at_dt=now))


def check_association(association, actor, commune_id: int, now: datetime) -> None:
    """Law 113-14's conditions that the platform can check: approved here, acting
    through its representative, constituted long enough ago.

    Raises IneligibleAssociation.
    """
    if (
        association is None
        or association.commune_id != commune_id
        or not association.is_approved
        or association.representative_id != actor.id
    ):
        raise IneligibleAssociation(
            _(
                "Only the representative of an approved association of the commune "
                "can file a petition in its name."
            ),
            field="association_id",
        )
    years = setting("PETITION_ASSOCIATION_MIN_YEARS")
    if add_months(association.founded_on, 12 * years) >= to_local_day(now):
        raise IneligibleAssociation(
            _(
                "An association must have been constituted more than %(num)d years "
                "ago to file a petition.",
                num=years,
            ),
            field="association_id",
        )


def create_petition(
    actor,
    commune_id: int,
    *,
    association,
    agent_name: str,
    title: str,
    request: str,
    now: datetime,
) -> Petition:
    """A draft petition by a resident (its agent) or by an association.

    Raises IneligibleAssociation.
    """
    if association is not None:
        check_association(association, actor, commune_id, now)
    petition = Petition(
        commune_id=commune_id,
        kind="association" if association is not None else "citizens",
        author_id=actor.id,
        association_id=association.id if association is not None else None,
        agent_name=agent_name.strip(),
        title=title.strip(),
        request=request.strip(),
        created_at_dt=now,
    )
    _event(petition, "draft", now)
    db.session.add(petition)
    db.session.flush()  # the page to go to needs the id
    return petition


def _require_author(actor, petition: Petition, *statuses: str) -> None:
    if petition.author_id != actor.id or petition.status not in statuses:
        raise NotAllowed(_("Only its author can do this, and not at this stage."))


def open_signatures(actor, petition: Petition, now: datetime) -> None:
    """A citizens' draft starts collecting signatures; the threshold in force now
    stays the petition's. Raises NotAllowed."""
    _require_author(actor, petition, "draft")
    if petition.kind != "citizens":
        raise NotAllowed(_("An association's petition is filed without signatures."))
    petition.threshold = setting("PETITION_SIGNATURE_THRESHOLD")
    _event(petition, "collecting", now)


def registry_entry(commune_id: int, cin: str, birth: date | None):
    """The newest voter-registry entry of the commune for this ID and birth date."""
    if birth is None or not cin:
        return None
    return db.session.scalar(
        select(VoterEntry)
        .join(Cycle, Cycle.id == VoterEntry.cycle_id)
        .where(
            Cycle.commune_id == commune_id,
            VoterEntry.cin_hash == cin_hash(cin),
            VoterEntry.birth_date == birth,
        )
        .order_by(Cycle.year.desc(), VoterEntry.id.desc())
        .limit(1)
    )


def sign_petition(
    petition: Petition,
    *,
    cin: str,
    birth: date | None,
    now: datetime,
    user=None,
    clerk=None,
) -> PetitionSignature:
    """One signature, online by ``user`` or on paper registered by ``clerk``, of a
    resident found in the registry. The unique constraints make a second signature
    fail even when two arrive at once.

    Raises SigningClosed, NotInRegistry, AlreadySigned.
    """
    if petition.status != "collecting":
        raise SigningClosed(_("This petition no longer collects signatures."))
    if user is not None:
        _check_attempts(user, now)
    entry = registry_entry(petition.commune_id, cin, birth)
    if entry is None:
        raise NotInRegistry(
            _(
                "No resident with this ID number and date of birth is in the "
                "commune's voter registry."
            ),
            field="cin",
        )
    return add_signature(petition, entry, now, user=user, clerk=clerk)


# Failed registry look-ups per account: guessing ID numbers and birth dates to
# learn who is registered is stopped after a few tries.
FAILED_LOOKUPS = ("petition-registry", 10, timedelta(hours=1))


def _check_attempts(user, now: datetime) -> None:
    bucket, limit, window = FAILED_LOOKUPS
    try:
        ratelimit.check(bucket, str(user.id), limit, window, now)
    except ratelimit.RateLimited as error:
        raise TooManyAttempts(
            _(
                "Too many unsuccessful tries: please wait %(minutes)d minutes.",
                minutes=error.retry_after // 60 + 1,
            ),
            field="cin",
        ) from error


def record_failed_lookup(user, now: datetime) -> None:
    """Count a look-up that found nobody (the caller commits it on its own, after
    rolling back the attempt)."""
    ratelimit.hit(FAILED_LOOKUPS[0], str(user.id), now)


def add_signature(
    petition: Petition, entry, now: datetime, *, user=None, clerk=None
) -> PetitionSignature:
    """Record the signature of the registry ``entry``'s resident.

    Raises AlreadySigned.
    """
    signature = PetitionSignature(
        petition_id=petition.id,
        cin_hash=entry.cin_hash,
        user_id=getattr(user, "id", None),
        district_id=entry.district_id,
        channel="paper" if clerk is not None else "online",
        registered_by_id=getattr(clerk, "id", None),
        signed_at_dt=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(signature)
    except IntegrityError as error:
        raise AlreadySigned(
            _("This resident has already signed this petition.")
        ) from error
    petition.signature_count = _count(petition)
    if clerk is not None:
        record_action(
            clerk,
            "petition.paper_signature",
            "petition",
            petition.id,
            now,
            {"signature": signature.id},
        )
    return signature


def _count(petition: Petition) -> int:
    return db.session.scalar(
        select(func.count(PetitionSignature.id)).where(
            PetitionSignature.petition_id == petition.id
        )
    )


def has_signed(petition: Petition, user) -> bool:
    return (
        db.session.scalar(
            select(PetitionSignature.id).where(
                PetitionSignature.petition_id == petition.id,
                PetitionSignature.user_id == user.id,
            )
        )
        is not None
    )


def file_petition(actor, petition: Petition, now: datetime) -> None:
    """Filed with the council president: a citizens' petition needs its threshold;
    the bureau's decision is due within PETITION_DECISION_MONTHS.

    Raises NotAllowed, ThresholdNotReached.
    """
    if petition.kind == "citizens":
        _require_author(actor, petition, "collecting")
        if petition.signature_count < petition.threshold:
            raise ThresholdNotReached(
                _(
                    "The petition has %(count)d of the %(needed)d signatures needed.",
                    count=petition.signature_count,
                    needed=petition.threshold,
                )
            )
    else:
        _require_author(actor, petition, "draft")
        check_association(petition.association, actor, petition.commune_id, now)
    petition.filed_at_dt = now
    petition.decision_due_on = add_months(
        to_local_day(now), setting("PETITION_DECISION_MONTHS")
    )
    _event(petition, "filed", now)


# The bureau's decisions (administrators) --------------------------------------


def _require_status(petition: Petition, *statuses: str) -> None:
    if petition.status not in statuses:
        raise NotAllowed(_("This cannot be done at the petition's current stage."))


def decide_admissibility(
    actor, petition: Petition, *, admissible: bool, reasons: str, now: datetime
) -> None:
    """The bureau's reasoned decision on a filed petition. A refusal without
    reasons is refused (the law asks for a reasoned decision).

    Raises NotAllowed, MissingGrounds.
    """
    _require_status(petition, "filed")
    reasons = (reasons or "").strip()
    if not admissible and not reasons:
        raise MissingGrounds(
            _("A petition can only be declared not admissible with the reasons."),
            field="reasons",
        )
    petition.decided_at_dt = now
    petition.decision_reasons = reasons
    status = "admissible" if admissible else "not_admissible"
    _event(petition, status, now, reasons)
    record_action(
        actor,
        f"petition.{status}",
        "petition",
        petition.id,
        now,
        {"late": to_local_day(now) > petition.decision_due_on},
    )


def schedule_petition(
    actor, petition: Petition, *, session_on: date, now: datetime
) -> None:
    """An admissible petition goes on the agenda of a council session.

    Raises NotAllowed.
    """
    _require_status(petition, "admissible")
    if session_on < to_local_day(now):
        raise NotAllowed(_("The session must be today or later."), field="session_on")
    petition.session_on = session_on
    _event(petition, "on_agenda", now, session_on.isoformat())
    record_action(
        actor,
        "petition.on_agenda",
        "petition",
        petition.id,
        now,
        {"session_on": session_on.isoformat()},
    )


def record_outcome(actor, petition: Petition, *, outcome: str, now: datetime) -> None:
    """What the council decided on the petition's matter.

    Raises NotAllowed, MissingGrounds.
    """
    _require_status(petition, "on_agenda")
    outcome = (outcome or "").strip()
    if not outcome:
        raise MissingGrounds(_("Write what the council decided."), field="outcome")
    petition.outcome = outcome
    _event(petition, "decided", now, outcome)
    record_action(actor, "petition.decided", "petition", petition.id, now)


def indicators(commune_id: int, start=None, end=None, **options) -> dict:
    """Counts, response rate and delay for the charter's indicators (section 13);
    see :func:`pbvote.petitions.queries.indicators`."""
    from pbvote.petitions import queries

    return queries.indicators(commune_id, start, end, **options)
