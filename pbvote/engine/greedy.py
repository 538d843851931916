"""Greedy by votes: the rule most cities use.

Projects are taken by votes, highest first (ties: :data:`~pbvote.engine.ties.
TIE_ORDER`); a project is selected if it fits in the money left. ``greedy`` then
skips a project that does not fit and goes on; ``greedy-no-skip`` stops there.
Projects costing more than the whole budget, projects whose vote total is not
positive and projects below the minimum score (``min_score``: pabulib's
``min_project_score_threshold``, as ``greedy-threshold`` uses it) are rejected
before the procedure starts, so they never stop ``greedy-no-skip``.
"""

from __future__ import annotations

from collections.abc import Iterable

from pbvote.engine.model import Instance, Project
from pbvote.engine.profile import VoteProfile
from pbvote.engine.result import (
    BELOW_THRESHOLD,
    DOES_NOT_FIT,
    EXCEEDS_BUDGET,
    MOST_VOTES_FITS,
    NO_VOTES,
    STOPPED_EARLIER,
    Decision,
    Result,
)
from pbvote.engine.ties import tie_key


def rank_by_votes(projects: Iterable[Project], votes: dict[str, int]) -> list[Project]:
    """Projects by votes, highest first, ties in the documented tie order."""
    return sorted(
        projects, key=lambda p: (-votes[p.id], tie_key(p.cost, votes[p.id], p.id))
    )


def split_ineligible(
    instance: Instance, votes: dict[str, int], min_score=None
) -> tuple[list[Project], list[Decision]]:
    """Separate projects no rule may fund (too expensive, no votes, fewer votes
    or points than ``min_score``) from the rest.

    Returns the eligible projects in instance order and a rejection decision for
    each other project, in vote-ranking order.
    """
    eligible, rejected = [], []
    for project in rank_by_votes(instance.projects, votes):
        if project.cost > instance.budget:
            reason = EXCEEDS_BUDGET
        elif votes[project.id] <= 0:
            reason = NO_VOTES
        elif min_score is not None and votes[project.id] < min_score:
            reason = BELOW_THRESHOLD
        else:
            eligible.append(project)
            continue
        rejected.append(
            Decision(project.id, False, reason, votes[project.id], project.cost)
        )
    order = {project.id: index for index, project in enumerate(instance.projects)}
    eligible.sort(key=lambda p: order[p.id])
    return eligible, rejected


def greedy_pass(
    ranked: list[Project],
    votes: dict[str, int],
    money_left: int,
    *,
    skip: bool = True,
    reason: str = MOST_VOTES_FITS,
    first_step: int = 1,
) -> tuple[list[str], list[Decision], int]:
    """Walk ``ranked`` once, selecting each project that fits in ``money_left``.

    With ``skip=False`` the walk stops at the first project that does not fit and
    every later project is rejected as ``stopped_earlier``. Returns the selected
    ids in order, one decision per project of ``ranked`` and the money left.
    """
    winners: list[str] = []
    decisions: list[Decision] = []
    stopped = False
    for step, project in enumerate(ranked, start=first_step):
        decision = Decision(
            project.id,
            False,
            DOES_NOT_FIT,
            votes[project.id],
            project.cost,
            step,
            money_left,
        )
        if stopped:
            decision.reason = STOPPED_EARLIER
        elif project.cost <= money_left:
            decision.selected, decision.reason = True, reason
            winners.append(project.id)
            money_left -= project.cost
        elif not skip:
            stopped = True
        decisions.append(decision)
    return winners, decisions, money_left


def greedy(
    instance: Instance, profile: VoteProfile, *, skip: bool = True, min_score=None
) -> Result:
    """Tally ``instance`` with greedy (``skip=True``) or greedy-no-skip."""
    eligible, rejected = split_ineligible(instance, profile.votes, min_score)
    ranked = rank_by_votes(eligible, profile.votes)
    winners, decisions, money_left = greedy_pass(
        ranked, profile.votes, instance.budget, skip=skip
    )
    return Result(
        rule="greedy" if skip else "greedy-no-skip",
        budget=instance.budget,
        winners=winners,
        votes=dict(profile.votes),
        decisions=order_decisions(decisions + rejected, winners),
        budget_used=instance.budget - money_left,
        details=threshold_details(min_score),
        decimals=instance.decimals,
    )


def threshold_details(min_score) -> dict:
    """The minimum score as a rule-level fact, when there is one."""
    return {} if min_score is None else {"min_score": min_score}


def order_decisions(decisions: list[Decision], winners: list[str]) -> list[Decision]:
    """Selected decisions in selection order, then the rejections as given."""
    position = {project_id: index for index, project_id in enumerate(winners)}
    chosen = sorted(
        (d for d in decisions if d.selected), key=lambda d: position[d.project]
    )
    return chosen + [d for d in decisions if not d.selected]
