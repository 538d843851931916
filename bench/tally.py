"""Benchmark of the tally engine, with pabutools beside it on a size it can finish.

    .venv/bin/python bench/tally.py                       # defaults (~5 minutes)
    .venv/bin/python bench/tally.py --voters 200000 --projects 100 --no-pabutools

Two parts, both on seeded random elections (pbvote.engine.generate):

* large: every rule on ``--voters`` x ``--projects`` (default 1,000,000 x 200),
  engine only;
* versus: ``--versus-voters`` x ``--versus-projects`` (default 5,000 x 40), the
  engine and pabutools on the same instance in the same run: greedy, one MES run
  at B/n, and the add1 completion. The winners must agree (pabutools is given the
  engine's tie order); the bench stops with an error if they do not.

Prints one Markdown table per part, seconds per rule (wall clock).
"""

from __future__ import annotations

import argparse
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pbvote.engine import tally
from pbvote.engine.generate import random_instance
from pbvote.engine.greedy import split_ineligible
from pbvote.engine.mes import EqualShares
from pbvote.engine.profile import build_profile
from pbvote.engine.ties import tie_key

RULES = ("greedy", "greedy-no-skip", "mes", "mes-card")


def timed(function, *args, **kwargs):
    """(seconds, result) of one call."""
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def large_part(args) -> None:
    seconds, instance = timed(
        random_instance,
        args.seed,
        voters=args.voters,
        projects=args.projects,
        max_choices=args.max_choices,
        cost_range=(50_000, 1_000_000),
        budget_share=0.25,
    )
    print(
        f"\n### {args.voters:,} approval ballots x {args.projects} projects "
        f"(budget {instance.budget:,}, up to {args.max_choices} choices; "
        f"generated in {seconds:.1f} s)\n"
    )
    seconds, profile = timed(build_profile, instance)
    print(
        f"grouping into {len(profile.approval_groups):,} distinct ballots: "
        f"{seconds:.2f} s (included in every rule's time below)\n"
    )
    print("| rule | seconds | winners | budget used | MES runs (increments) |")
    print("| --- | ---: | ---: | ---: | --- |")
    for rule in args.rules:
        seconds, result = timed(tally, instance, rule)
        completion = result.details.get("completion")
        runs = (
            f"{completion['runs']} ({completion['increments']})" if completion else ""
        )
        print(
            f"| {rule} | {seconds:.2f} | {len(result.winners)} | "
            f"{result.budget_used:,} | {runs} |",
            flush=True,
        )


class Pabutools:
    """The same tallies through pabutools (imported only for the versus part)."""

    def __init__(self, instance, votes):
        from pabutools import election, rules, tiebreaking

        self.election, self.rules, self.tiebreaking = election, rules, tiebreaking
        projects = {
            p.id: election.Project(p.id, p.cost)
            for p in instance.projects
            if p.cost <= instance.budget and votes[p.id] > 0  # the engine's candidates
        }
        self.instance = election.Instance(
            projects.values(), budget_limit=instance.budget
        )
        self.profile = election.ApprovalProfile(
            [
                election.ApprovalBallot([projects[i] for i in b if i in projects])
                for b in instance.ballots
            ]
        )

    def _sat(self, utility):
        e = self.election
        return e.Cost_Sat if utility == "cost" else e.Cardinality_Sat

    def greedy(self, order):
        tie = self.tiebreaking.TieBreakingRule(lambda _i, _p, project: order(project))
        outcome = self.rules.greedy_utilitarian_welfare(
            self.instance,
            self.profile,
            sat_class=self.election.Cost_Sat,
            tie_breaking=tie,
        )
        return [p.name for p in outcome]

    def mes(self, order, utility):
        tie = self.tiebreaking.TieBreakingRule(lambda _i, _p, project: order(project))
        outcome = self.rules.method_of_equal_shares(
            self.instance, self.profile, sat_class=self._sat(utility), tie_breaking=tie
        )
        return [p.name for p in outcome]

    def mes_add1(self, order, utility, voters):
        tie = self.tiebreaking.TieBreakingRule(lambda _i, _p, project: order(project))
        outcome = self.rules.exhaustion_by_budget_increase(
            self.instance,
            self.profile,
            self.rules.method_of_equal_shares,
            {"sat_class": self._sat(utility), "tie_breaking": tie},
            exhaustive_stop=False,
            budget_step=voters,
        )
        return [p.name for p in outcome]


def versus_part(args) -> None:
    instance = random_instance(
        args.seed,
        voters=args.versus_voters,
        projects=args.versus_projects,
        max_choices=args.max_choices,
        cost_range=(1_000, 20_000),
        budget_share=0.25,
    )
    print(
        f"\n### engine vs pabutools: {args.versus_voters:,} ballots x "
        f"{args.versus_projects} projects (budget {instance.budget:,})\n"
    )
    print("| what | engine s | pabutools s | same winners |")
    print("| --- | ---: | ---: | --- |")
    profile = build_profile(instance)
    pabu = Pabutools(instance, profile.votes)
    for label, ours, theirs in comparisons(instance, profile, pabu):
        ours_seconds, ours_winners = timed(ours)
        theirs_seconds, theirs_winners = timed(theirs)
        same = sorted(ours_winners) == sorted(theirs_winners)
        print(
            f"| {label} | {ours_seconds:.3f} | {theirs_seconds:.3f} | "
            f"{'yes' if same else 'NO'} |",
            flush=True,
        )
        if not same:
            raise SystemExit(f"{label}: {ours_winners} != {theirs_winners}")


def comparisons(instance, profile, pabu):
    """(label, engine thunk, pabutools thunk) triples, each returning winner ids."""
    votes, n = profile.votes, profile.voter_count
    order = lambda p: tie_key(int(p.cost), votes[p.name], p.name)

    def one_run(utility):
        candidates, _ = split_ineligible(instance, profile.votes)
        mes = EqualShares(candidates, profile.approval_groups, votes, utility)
        return mes.run(Fraction(instance.budget, n)).winners

    yield (
        "greedy",
        lambda: tally(instance, "greedy").winners,
        lambda: pabu.greedy(order),
    )
    for utility, rule in (("cost", "mes"), ("cardinal", "mes-card")):
        yield (
            f"one MES run, {utility} utility",
            lambda u=utility: one_run(u),
            lambda u=utility: pabu.mes(order, u),
        )
        yield (
            f"{rule} with add1 completion",
            lambda r=rule: tally(instance, r).winners,
            lambda u=utility: pabu.mes_add1(order, u, n),
        )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=1_000_000)
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--max-choices", type=int, default=5)
    parser.add_argument("--rules", type=lambda text: text.split(","), default=RULES)
    parser.add_argument("--versus-voters", type=int, default=5_000)
    parser.add_argument("--versus-projects", type=int, default=40)
    parser.add_argument("--no-pabutools", action="store_true")
    parser.add_argument("--no-large", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if not args.no_large:
        large_part(args)
    if not args.no_pabutools:
        versus_part(args)


if __name__ == "__main__":
    main()
