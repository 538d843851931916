"""What a ballot may hold: the scopes a voter gets, and each scope's ballot rule.

Rules (set per scope by the administrator before voting opens):

* ``knapsack``: the chosen projects cost at most the scope's amount; blank allowed.
* ``approval_k``: at most ``ballot_max_projects`` projects; blank allowed.
* ``approval_min_share``: the chosen projects cost at least ``ballot_min_share_pct``
  % of the scope's amount (capped at the cost of every project on the ballot, so
  the rule can always be met) and at most the amount; a blank ballot is refused,
  as with Decidim's threshold rule: the voter backs a real share of the budget.
"""

from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from pbvote.communes.models import District
from pbvote.core.i18n import current_translations, format_mad, localized
from pbvote.core.processcache import ProcessCache, detached_copy
from pbvote.cycles.models import Cycle, Scope
from pbvote.extensions import db
from pbvote.proposals.models import Attachment, Category, Project, Proposal
from pbvote.voting.errors import BallotInvalid

FIELD_PREFIX = "scope-"
ALLOWED_FIELDS = {"csrf_token", "step"}


def ballot_scopes(cycle: Cycle, district_id: int) -> list[Scope]:
    """The commune-wide scope and the voter's district scope, when they have projects."""
    scopes = db.session.scalars(
        select(Scope)
        .where(
            Scope.cycle_id == cycle.id,
            or_(Scope.district_id.is_(None), Scope.district_id == district_id),
        )
        .order_by(Scope.district_id.is_not(None), Scope.id)
    ).all()
    with_projects = set(
        db.session.scalars(
            select(Project.scope_id).where(Project.cycle_id == cycle.id).distinct()
        )
    )
    return [scope for scope in scopes if scope.id in with_projects]


# Each district's ballot (scopes and projects, with what the ballot page shows of
# them), built once per process and kept PROCESS_CACHE_SECONDS: scopes and
# projects cannot change once voting runs (pbvote.core.processcache).
BALLOT_ROWS = (Scope, Project, District, Proposal, Attachment, Category)
_BALLOTS = ProcessCache("ballot", BALLOT_ROWS, rows=BALLOT_ROWS)
PROJECT_SHOWN = ("category", "proposal.attachments")
# Each scope with its projects, shared by the threads that read it: tuples.
Ballot = tuple[tuple[Scope, tuple[Project, ...]], ...]


def district_ballot(cycle: Cycle, district_id: int) -> Ballot:
    """:func:`ballot_scopes` and each one's :func:`scope_projects`, from the cache:
    read-only copies shared by every request of the process, in no session (with
    each scope's district and each project's ``PROJECT_SHOWN``), in tuples."""
    return _BALLOTS.get(
        (cycle.id, district_id), lambda: _load_ballot(cycle, district_id)
    )


def _load_ballot(cycle: Cycle, district_id: int) -> Ballot:
    scopes = ballot_scopes(cycle, district_id)
    # Every scope's projects with what the page shows of them, in four queries.
    projects = db.session.scalars(
        select(Project)
        .where(
            Project.cycle_id == cycle.id,
            Project.scope_id.in_([scope.id for scope in scopes]),
        )
        .order_by(Project.cost, Project.id)
        .options(
            selectinload(Project.category),
            selectinload(Project.proposal).selectinload(Proposal.attachments),
        )
    ).all()
    return tuple(
        (
            detached_copy(scope, ("district",)),
            tuple(
                detached_copy(p, PROJECT_SHOWN)
                for p in projects
                if p.scope_id == scope.id
            ),
        )
        for scope in scopes
    )


def scope_projects(scope: Scope) -> list[Project]:
    return list(
        db.session.scalars(
            select(Project)
            .where(Project.scope_id == scope.id, Project.cycle_id == scope.cycle_id)
            .order_by(Project.cost, Project.id)
        )
    )


def minimum_cost(scope: Scope, projects: Sequence[Project]) -> int:
    """approval_min_share: the least a ballot must add up to."""
    wanted = -(-scope.amount * (scope.ballot_min_share_pct or 0) // 100)
    return min(wanted, sum(p.cost for p in projects))


def blank_allowed(scope: Scope) -> bool:
    return scope.ballot_rule != "approval_min_share"


def check_choice(
    scope: Scope, projects: Sequence[Project], chosen: list[int]
) -> list[int]:
    """Return the chosen ids (sorted) if they fit the scope's rule; else raise
    BallotInvalid with a sentence naming the scope."""
    by_id = {project.id: project for project in projects}
    # The scope's name only for a refusal: translating it is most of a valid
    # choice's check (issue 13).
    if len(set(chosen)) != len(chosen):
        raise BallotInvalid(
            _("%(scope)s: the same project was chosen twice.", scope=scope_name(scope))
        )
    if any(pid not in by_id for pid in chosen):
        raise BallotInvalid(
            _(
                "%(scope)s: a chosen project is not on this ballot.",
                scope=scope_name(scope),
            )
        )
    total = sum(by_id[pid].cost for pid in chosen)
    rule = scope.ballot_rule
    if rule in ("knapsack", "approval_min_share") and total > scope.amount:
        raise BallotInvalid(
            _(
                "%(scope)s: your choice costs %(total)s, more than the "
                "budget of %(amount)s. Remove a project.",
                scope=scope_name(scope),
                total=format_mad(total),
                amount=format_mad(scope.amount),
            )
        )
    if rule == "approval_k" and len(chosen) > (scope.ballot_max_projects or 0):
        raise BallotInvalid(
            ngettext(
                "%(scope)s: choose at most %(num)d project.",
                "%(scope)s: choose at most %(num)d projects.",
                scope.ballot_max_projects or 0,
                scope=scope_name(scope),
            )
        )
    if rule == "approval_min_share" and total < minimum_cost(scope, projects):
        raise BallotInvalid(
            _(
                "%(scope)s: your choice must add up to at least %(min)s "
                "(it is %(total)s). Add a project.",
                scope=scope_name(scope),
                min=format_mad(minimum_cost(scope, projects)),
                total=format_mad(total),
            )
        )
    return sorted(chosen)


def scope_name(scope: Scope) -> str:
    if scope.district is None:
        # The request's kept translations (issue 13): Flask-Babel's gettext
        # finds them again for each string.
        return current_translations().ugettext("Whole commune")
    return localized(scope.district, "name")


def parse_form(form: MultiDict, scopes: list[Scope]) -> dict[int, list[int]]:
    """``scope-<id>`` fields -> {scope id: [project ids]}; anything else is refused.

    Raises BallotInvalid for unknown fields (a tampered form) or non-numeric values.
    """
    wanted = {f"{FIELD_PREFIX}{scope.id}": scope.id for scope in scopes}
    unexpected = [
        key for key in form if key not in wanted and key not in ALLOWED_FIELDS
    ]
    if unexpected:
        raise BallotInvalid(
            _(
                "The ballot contained fields that are not part of it. "
                "Reload the ballot page and choose again."
            )
        )
    choices = {scope.id: [] for scope in scopes}
    for key, scope_id in wanted.items():
        for value in form.getlist(key):
            if not value.isdigit() or len(value) > 12:
                raise BallotInvalid(
                    _(
                        "The ballot contained a value that is not a "
                        "project. Reload the ballot page and choose again."
                    )
                )
            choices[scope_id].append(int(value))
    return choices


def check_ballot(
    scopes: list[Scope],
    choices: dict[int, list[int]],
    projects_by_scope: dict[int, Sequence[Project]] | None = None,
) -> dict[int, list[int]]:
    """Check every scope's choice; the scopes must be exactly the voter's.

    Raises BallotInvalid (the first problem found).
    """
    if set(choices) != {scope.id for scope in scopes}:
        raise BallotInvalid(
            _(
                "The ballot does not match your scopes. Reload the ballot "
                "page and choose again."
            )
        )
    checked = {}
    for scope in scopes:
        projects = (projects_by_scope or {}).get(scope.id) or scope_projects(scope)
        if not choices[scope.id] and not blank_allowed(scope):
            raise BallotInvalid(
                _(
                    "%(scope)s: this ballot cannot be left blank; choose "
                    "projects worth at least %(min)s.",
                    scope=scope_name(scope),
                    min=format_mad(minimum_cost(scope, projects)),
                )
            )
        checked[scope.id] = check_choice(scope, projects, choices[scope.id])
    return checked
