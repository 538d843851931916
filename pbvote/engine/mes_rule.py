"""The MES rules as tallied: add1 completion, optional greedy fill and comparison.

* ``greedy_fill``: after the completion, projects still unfunded are taken by
  votes (like ``greedy``) while they fit in the money left.
* ``comparison`` (as Wieliczka did): the MES outcome is compared with the plain
  ``greedy`` outcome. A voter prefers an outcome when the total cost of the
  funded projects they approved is larger there (equalshares.net's "cost
  utility", used for ``mes-card`` too); indifferent voters count for neither. The
  greedy outcome is kept only if strictly more voters prefer it.
"""

from __future__ import annotations

from pbvote.engine.completion import add1_completion
from pbvote.engine.greedy import (
    greedy,
    greedy_pass,
    order_decisions,
    rank_by_votes,
    split_ineligible,
    threshold_details,
)
from pbvote.engine.mes import EqualShares, MesRun
from pbvote.engine.model import Instance
from pbvote.engine.profile import VoteProfile
from pbvote.engine.result import (
    GREEDY_FILL,
    LOWEST_RHO,
    NOT_AFFORDABLE,
    Decision,
    Result,
)

RULE_UTILITY = {"mes": "cost", "mes-card": "cardinal"}


def equal_shares_rule(
    instance: Instance,
    profile: VoteProfile,
    rule: str,
    *,
    greedy_fill: bool = False,
    comparison: bool = False,
    min_score=None,
) -> Result:
    """Tally with ``mes`` (cost utilities) or ``mes-card`` (one unit per project).

    Projects below ``min_score`` are never candidates (nor filled greedily). The
    add1 completion raises each voter's budget by one currency unit per step.
    """
    eligible, rejected = split_ineligible(instance, profile.votes, min_score)
    mes = EqualShares(
        eligible, profile.approval_groups, profile.votes, RULE_UTILITY[rule]
    )
    run, completion = add1_completion(
        mes, instance.budget, profile.voter_count, unit=instance.currency_unit
    )
    decisions = run_decisions(run, instance, profile.votes)
    winners = run.winners
    if greedy_fill:
        winners, decisions = _fill(instance, profile.votes, winners, decisions)
    used = sum(instance.project(project_id).cost for project_id in winners)
    result = Result(
        rule=rule,
        budget=instance.budget,
        winners=winners,
        votes=dict(profile.votes),
        decisions=order_decisions(decisions + rejected, winners),
        budget_used=used,
        details={
            "utility": RULE_UTILITY[rule],
            "greedy_fill": greedy_fill,
            "completion": completion,
            **threshold_details(min_score),
        },
        decimals=instance.decimals,
    )
    if comparison:
        return compare_with_greedy(instance, profile, result, min_score)
    return result


def run_decisions(run: MesRun, instance: Instance, votes: dict) -> list[Decision]:
    """One decision per candidate of ``run``: funded, or found unaffordable."""
    decisions = []
    for s in run.selections:
        cost = instance.project(s.project).cost
        decisions.append(
            Decision(
                s.project,
                True,
                LOWEST_RHO,
                votes[s.project],
                cost,
                s.step,
                instance.budget - s.spent_before,
                {
                    "rho": s.rho,
                    "payment_per_supporter": s.payment,
                    "effective_votes": s.effective_votes,
                    "supporters": s.supporters,
                },
            )
        )
    for r in run.rejections:
        cost = instance.project(r.project).cost
        decisions.append(
            Decision(
                r.project,
                False,
                NOT_AFFORDABLE,
                votes[r.project],
                cost,
                r.step,
                details={"supporters_money": r.supporters_money},
            )
        )
    return decisions


def _fill(
    instance: Instance, votes: dict, winners: list[str], decisions: list[Decision]
) -> tuple[list[str], list[Decision]]:
    """Greedy fill: unfunded candidates by votes while they fit in what is left."""
    unfunded = [d for d in decisions if not d.selected]
    ranked = rank_by_votes((instance.project(d.project) for d in unfunded), votes)
    money_left = instance.budget - sum(instance.project(w).cost for w in winners)
    last_step = max((d.step for d in decisions if d.selected), default=0)
    added, fill_decisions, _ = greedy_pass(
        ranked, votes, money_left, reason=GREEDY_FILL, first_step=last_step + 1
    )
    funded = [d for d in decisions if d.selected]
    return winners + added, funded + fill_decisions


def compare_with_greedy(
    instance: Instance, profile: VoteProfile, mes_result: Result, min_score=None
) -> Result:
    """Keep ``mes_result`` unless strictly more voters prefer the greedy outcome."""
    greedy_result = greedy(instance, profile, min_score=min_score)
    prefer_mes, prefer_greedy = count_preferences(
        instance, profile, mes_result.winners, greedy_result.winners
    )
    kept = greedy_result if prefer_greedy > prefer_mes else mes_result
    facts = {
        "mes_winners": list(mes_result.winners),
        "greedy_winners": list(greedy_result.winners),
        "voters_preferring_mes": prefer_mes,
        "voters_preferring_greedy": prefer_greedy,
        "kept": "greedy" if kept is greedy_result else "mes",
    }
    kept.rule = mes_result.rule
    kept.details = {**mes_result.details, "comparison": facts}
    return kept


def count_preferences(
    instance: Instance, profile: VoteProfile, first: list[str], second: list[str]
) -> tuple[int, int]:
    """Voters whose cost utility is larger under ``first``, resp. ``second``."""
    cost_first = {pid: instance.project(pid).cost for pid in first}
    cost_second = {pid: instance.project(pid).cost for pid in second}
    prefer_first = prefer_second = 0
    for approved, weight in profile.approval_groups:
        utility_first = sum(cost_first.get(pid, 0) for pid in approved)
        utility_second = sum(cost_second.get(pid, 0) for pid in approved)
        if utility_first > utility_second:
            prefer_first += weight
        elif utility_second > utility_first:
            prefer_second += weight
    return prefer_first, prefer_second
