"""Group identical ballots and count votes: the first step of every tally.

Grouping is what makes large elections cheap: the rules work on distinct ballots
with a multiplicity instead of on every ballot, and ballots are validated once per
distinct ballot.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import chain

from pbvote.engine.errors import InstanceError
from pbvote.engine.gcpause import gc_paused
from pbvote.engine.model import POINT_VOTE_TYPES, Ballot, Instance


@dataclass(frozen=True)
class VoteProfile:
    """The ballots of an instance, grouped and counted.

    ``votes`` has an entry for every project: the number of (weighted) ballots
    that approve it; its total points for cumulative/scoring ballots; for ordinal
    ballots its score, a ranking of length L giving L, L-1, ..., 1 points (as
    Krakow publishes).
    ``approval_groups`` lists each distinct approval set once with the number of
    voters who cast it (ranked ballots count as approving every ranked project);
    it is ``None`` for point ballots. ``voter_count`` includes empty ballots.
    """

    vote_type: str
    voter_count: int
    votes: dict[str, int]
    approval_groups: list[tuple[frozenset, int]] | None

    @property
    def uses_points(self) -> bool:
        return self.vote_type in POINT_VOTE_TYPES


@gc_paused
def build_profile(instance: Instance) -> VoteProfile:
    """Group and validate the ballots of ``instance``.

    Raises :class:`InstanceError` for an unknown project id, a ballot of the wrong
    kind for the vote type, a repeated project in a ranking, non-integer points or
    a weight that is not a positive whole number.
    """
    vote_type = instance.vote_type
    wants_points = vote_type in POINT_VOTE_TYPES
    counts = _count_distinct(instance.ballots, wants_points, vote_type == "ordinal")
    votes = dict.fromkeys((project.id for project in instance.projects), 0)
    _check_known_ids(instance, counts, wants_points)
    voter_count = sum(counts.values())
    if wants_points:
        _add_points(votes, counts)
        return VoteProfile(vote_type, voter_count, votes, None)
    groups = _merge_as_sets(counts)
    if vote_type == "ordinal":
        _add_rank_scores(votes, counts)
    else:
        _add_approvals(votes, groups)
    return VoteProfile(vote_type, voter_count, votes, list(groups.items()))


def _count_distinct(ballots, wants_points: bool, ordinal: bool) -> dict:
    """Map each distinct hashable choice to its total weight."""
    counts: dict = {}
    get = counts.get
    for ballot in ballots:
        if type(ballot) is frozenset and not (wants_points or ordinal):
            counts[ballot] = get(ballot, 0) + 1  # the fast path for big elections
            continue
        if isinstance(ballot, Ballot):
            choice, weight = ballot.choice, ballot.weight
            _check_weight(weight)
        else:
            choice, weight = ballot, 1
        key = _hashable_choice(choice, wants_points, ordinal)
        counts[key] = get(key, 0) + weight
    return counts


def _hashable_choice(choice, wants_points: bool, ordinal: bool):
    if wants_points:
        if not isinstance(choice, Mapping):
            raise InstanceError(f"expected a points mapping, got {choice!r}")
        for points in choice.values():
            if not isinstance(points, int) or isinstance(points, bool):
                raise InstanceError(f"points must be whole numbers: {dict(choice)!r}")
        return frozenset(choice.items())
    if ordinal:
        if not isinstance(choice, (tuple, list)):
            raise InstanceError(f"expected a ranking (tuple), got {choice!r}")
        if len(set(choice)) != len(choice):
            raise InstanceError(f"a ranking lists a project twice: {choice!r}")
        return tuple(choice)
    if not isinstance(choice, (frozenset, set)):
        raise InstanceError(f"expected an approval set (frozenset), got {choice!r}")
    return frozenset(choice)


def _check_weight(weight: object) -> None:
    if not isinstance(weight, int) or isinstance(weight, bool) or weight < 1:
        raise InstanceError(f"ballot weight must be a whole number >= 1: {weight!r}")


def _check_known_ids(instance: Instance, counts: dict, wants_points: bool) -> None:
    if wants_points:
        named = {project_id for items in counts for project_id, _ in items}
    else:
        named = set(chain.from_iterable(counts))  # in C: one pass over all ballots
    unknown = [pid for pid in named if not instance.has_project(pid)]
    if unknown:
        raise InstanceError(f"a ballot names unknown project {min(unknown)!r}")


def _merge_as_sets(counts: dict) -> dict[frozenset, int]:
    """Rankings with the same projects become one approval group."""
    if all(type(choice) is frozenset for choice in counts):
        return counts
    merged: dict[frozenset, int] = {}
    for choice, weight in counts.items():
        key = frozenset(choice)
        merged[key] = merged.get(key, 0) + weight
    return merged


def _add_approvals(votes: dict[str, int], groups: dict[frozenset, int]) -> None:
    # Counter.update over a chain runs in C; only weighted groups need a loop.
    single = Counter(chain.from_iterable(g for g, w in groups.items() if w == 1))
    for project_id, count in single.items():
        votes[project_id] += count
    for group, weight in groups.items():
        if weight != 1:
            for project_id in group:
                votes[project_id] += weight


def _add_rank_scores(votes: dict[str, int], counts: dict) -> None:
    for ranking, weight in counts.items():
        length = len(ranking)
        for position, project_id in enumerate(ranking):
            votes[project_id] += (length - position) * weight


def _add_points(votes: dict[str, int], counts: dict) -> None:
    for items, weight in counts.items():
        for project_id, points in items:
            votes[project_id] += points * weight
