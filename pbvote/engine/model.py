"""The election data the engine tallies: projects, ballots and the instance.

Everything here is plain data with validation; no tally logic lives in this module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from pbvote.engine.errors import InstanceError

VOTE_TYPES = ("approval", "ordinal", "cumulative", "scoring")
POINT_VOTE_TYPES = ("cumulative", "scoring")

# A bare choice counts as one ballot of weight 1:
# frozenset = approval set, tuple = ranking (ordinal), Mapping = points per project.
Choice = frozenset | tuple | Mapping


@dataclass(frozen=True)
class Project:
    """A project on the ballot. ``cost`` is a whole number of money units: currency
    units, or hundredths etc. when the instance has ``decimals`` (see
    :class:`Instance`).

    ``extra`` keeps any further columns (e.g. from a pabulib file) untouched.
    """

    id: str
    cost: int
    name: str = ""
    extra: dict = field(default_factory=dict, hash=False, compare=True)


@dataclass(frozen=True)
class Ballot:
    """One ballot, or ``weight`` identical ballots grouped together.

    ``choice`` is a frozenset of approved project ids, a tuple of ranked ids
    (best first), or a mapping project id -> points (cumulative/scoring).
    """

    choice: Choice
    weight: int = 1


@dataclass
class Instance:
    """A participatory-budgeting election: projects, budget, ballots and metadata.

    ``ballots`` may mix :class:`Ballot` objects and bare choices (weight 1); bare
    choices avoid allocating an object per ballot for very large elections.
    Construction checks projects and budget; the ballots are checked when they
    are first tallied (see :func:`pbvote.engine.profile.build_profile`), once per
    distinct ballot, which is much cheaper for large elections.

    Money is exact: ``budget`` and every cost are whole numbers of
    ``10**-decimals`` currency units (``decimals=2``: cents), so a budget of
    969,245.38 is ``budget=96924538, decimals=2``. No float ever holds money.
    """

    projects: Sequence[Project]
    budget: int
    ballots: Sequence[Ballot | Choice] = ()
    meta: dict = field(default_factory=dict)
    decimals: int = 0
    # META key -> line in the file it was read from (for line-numbered errors).
    meta_lines: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.projects = tuple(self.projects)
        _check_budget(self.budget)
        if not isinstance(self.decimals, int) or not 0 <= self.decimals <= 12:
            raise InstanceError(f"decimals must be 0..12, got {self.decimals!r}")
        seen: set[str] = set()
        for project in self.projects:
            _check_project(project)
            if project.id in seen:
                raise InstanceError(f"project id {project.id!r} appears twice")
            seen.add(project.id)
        self._project_by_id = {project.id: project for project in self.projects}
        if self.vote_type not in VOTE_TYPES:
            raise InstanceError(
                f"unknown vote type {self.vote_type!r}; expected one of {VOTE_TYPES}"
            )

    @property
    def vote_type(self) -> str:
        """``meta['vote_type']`` if given, else guessed from the first ballot."""
        declared = self.meta.get("vote_type")
        if declared:
            return str(declared)
        for ballot in self.ballots:
            choice = ballot.choice if isinstance(ballot, Ballot) else ballot
            if isinstance(choice, Mapping):
                return "cumulative"
            if isinstance(choice, tuple):
                return "ordinal"
            return "approval"
        return "approval"

    def project(self, project_id: str) -> Project:
        """The project with this id; raises ``KeyError`` if there is none."""
        return self._project_by_id[project_id]

    def has_project(self, project_id: str) -> bool:
        return project_id in self._project_by_id

    @property
    def currency_unit(self) -> int:
        """One currency unit in the instance's money units (``10**decimals``)."""
        return 10**self.decimals


def money_text(amount: int, decimals: int) -> int | str:
    """``amount`` money units as the JSON value to show: an int when
    ``decimals`` is 0, else the exact decimal text (``"969245.38"``)."""
    if not decimals:
        return amount
    return str(Decimal(amount).scaleb(-decimals))


def _check_budget(budget: object) -> None:
    if not isinstance(budget, int) or isinstance(budget, bool) or budget < 0:
        raise InstanceError(f"budget must be a whole number >= 0, got {budget!r}")


def _check_project(project: object) -> None:
    if not isinstance(project, Project):
        raise InstanceError(f"expected a Project, got {project!r}")
    if not isinstance(project.id, str) or not project.id:
        raise InstanceError(f"project id must be a non-empty string: {project!r}")
    cost = project.cost
    if not isinstance(cost, int) or isinstance(cost, bool) or cost < 0:
        raise InstanceError(
            f"project {project.id!r}: cost must be a whole number >= 0, got {cost!r}"
        )


def split_ballot(ballot: Ballot | Choice) -> tuple[Choice, int]:
    """Return ``(choice, weight)`` for a :class:`Ballot` or a bare choice."""
    if isinstance(ballot, Ballot):
        return ballot.choice, ballot.weight
    return ballot, 1
