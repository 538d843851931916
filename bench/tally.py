"""Benchmark of the tally engine, with pabutools beside it on a size it can finish.

    .venv/bin/python bench/tally.py                       # defaults (~5 minutes)
    .venv/bin/python bench/tally.py --voters 200000 --projects 100 --no-pabutools

Three parts:

* files: city MES (``mes`` with the add1 completion) on real pabulib files
  (``--files``, default the MES files in ../shared/pabulib plus Warszawa 2026),
  the engine and pabutools side by side in one run: parsing and the rule timed
  apart, process CPU time (``time.process_time``: the machine is shared), in
  milliseconds. The engine's rule is called ``--engine-repeat`` times (default
  7, fewer past ``--engine-budget`` seconds) in this warm process and the
  fastest call kept (the slowest is shown too); pabutools' rule is timed once
  (up to five times, fastest kept, if it takes under half a second). The
  winners are compared and the ratio printed. ``--pabutools-max-voters`` and
  ``--pabutools-max-steps`` skip pabutools where its add1 runs would take it
  hours (shown as "skipped").

The other two on seeded random elections (pbvote.engine.generate):

* large: every rule on ``--voters`` x ``--projects`` (default 1,000,000 x 200),
  engine only;
* versus: ``--versus-voters`` x ``--versus-projects`` (default 5,000 x 40), the
  engine and pabutools on the same instance in the same run: greedy, one MES run
  at B/n, and the add1 completion. The winners must agree (pabutools is given the
  engine's tie order); the bench stops with an error if they do not.

Prints one Markdown table per part: the files part in CPU milliseconds, the
others in CPU seconds of this process.
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
from pbvote.engine.model import split_ballot
from pbvote.engine.profile import build_profile
from pbvote.engine.ties import tie_key

RULES = ("greedy", "greedy-no-skip", "mes", "mes-card")


def timed(function, *args, **kwargs):
    """(CPU seconds of this process, result) of one call."""
    start = time.process_time()
    result = function(*args, **kwargs)
    return time.process_time() - start, result


def best_of(function, *args, **kwargs):
    """:func:`timed`, repeated while it is short (under half a second, at most
    five calls or two seconds in all): the fastest call, so that one-time costs
    in a process (first calls, caches) do not weigh on either side."""
    best, result = timed(function, *args, **kwargs)
    spent, calls = best, 1
    while best < 0.5 and calls < 5 and spent < 2.0:
        seconds, result = timed(function, *args, **kwargs)
        best, spent, calls = min(best, seconds), spent + seconds, calls + 1
    return best, result


def engine_times(function, *args, repeat: int, budget: float, **kwargs):
    """The engine's CPU seconds over ``repeat`` calls in this (warm) process,
    stopping early once ``budget`` seconds are spent: (fastest, slowest,
    calls, result). The fastest is the rule time; the other helpers' load on
    a shared machine only ever adds to a call."""
    times, result = [], None
    while len(times) < max(repeat, 1) and (not times or sum(times) < budget):
        seconds, result = timed(function, *args, **kwargs)
        times.append(seconds)
    return min(times), max(times), len(times), result


def city_mes_times(instance, args):
    """The engine's city MES on ``instance``: (fastest, slowest, result)."""
    fastest, slowest, _calls, result = engine_times(
        tally, instance, "mes", repeat=args.engine_repeat, budget=args.engine_budget
    )
    return fastest, slowest, result


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


SHARED = Path(__file__).resolve().parents[2] / "shared" / "pabulib"
MES_FILES = (
    "Netherlands_Assen_2024.pb",
    "Poland_Swiecie_2023.pb",
    "Poland_Wieliczka_2023_Green_Budget.pb",
    "Hungary_Veszprem_2025.pb",
    "Poland_Warszawa_2026_Srodmiescie.pb",
    "Poland_Warszawa_2026.pb",
)


def files_part(args) -> None:
    from pbvote.engine import read_pb

    print(
        "\n### city MES (mes + add1 completion) on real files, CPU milliseconds"
        f" (engine: fastest of {args.engine_repeat} calls before and as many after pabutools, slowest in brackets)\n"
    )
    print(
        "| file | voters x projects | engine parse ms | engine rule ms | MES runs "
        "(add1 steps) | pabutools parse ms | pabutools rule ms | rule ratio | "
        "same winners |"
    )
    print("| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | --- |")
    for path in args.files:
        parse_seconds, instance = timed(read_pb, path)
        seconds, slowest, result = city_mes_times(instance, args)
        completion = result.details["completion"]
        profile = build_profile(instance)
        cells = [
            Path(path).name,
            f"{profile.voter_count:,} x {len(instance.projects)}",
            milliseconds(parse_seconds),
            f"{milliseconds(seconds)} ({milliseconds(slowest)})",
            f"{completion['runs']} ({completion['increments']:,})",
        ]
        too_long = (
            profile.voter_count > args.pabutools_max_voters
            or completion["increments"] > args.pabutools_max_steps
        )
        if args.no_pabutools or too_long:
            cells += ["skipped"] * 4
        else:
            parse_theirs, theirs, winners = pabutools_times(path, instance, profile)
            # The engine's calls again, after pabutools' run: a burst of load from
            # elsewhere on a shared machine must last the whole minute to weigh.
            again, slowest_again, _ = city_mes_times(instance, args)
            seconds, slowest = min(seconds, again), max(slowest, slowest_again)
            cells[3] = f"{milliseconds(seconds)} ({milliseconds(slowest)})"
            cells += [
                milliseconds(parse_theirs),
                milliseconds(theirs),
                f"{theirs / max(seconds, 1e-9):.1f}x",
                "yes" if sorted(winners) == sorted(result.winners) else "NO",
            ]
        print("| " + " | ".join(cells) + " |", flush=True)


def pabutools_times(path, instance, profile):
    """pabutools' parse and its MES with the same completion: (parse seconds,
    rule seconds, winners)."""
    from pabutools.election import parse_pabulib

    parse_seconds, _ = timed(parse_pabulib, str(path))
    pabu = Pabutools(instance, profile.votes)
    votes = profile.votes
    order = lambda p: tie_key(int(p.cost), votes[p.name], p.name)
    step = profile.voter_count * instance.currency_unit  # one unit per voter
    theirs, winners = best_of(pabu.mes_add1, order, "cost", step)
    return parse_seconds, theirs, winners


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
        ballots = []
        for ballot in instance.ballots:
            choice, weight = split_ballot(ballot)
            for _ in range(weight):
                chosen = [projects[i] for i in choice if i in projects]
                ballots.append(election.ApprovalBallot(chosen))
        self.profile = election.ApprovalProfile(ballots)

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
    parser.add_argument(
        "--files", nargs="*", default=[str(SHARED / name) for name in MES_FILES]
    )
    parser.add_argument(
        "--engine-repeat",
        type=int,
        default=7,
        help="calls of the engine's rule per file (the fastest is kept)",
    )
    parser.add_argument(
        "--engine-budget",
        type=float,
        default=10.0,
        help="CPU seconds after which no more engine calls are made on a file",
    )
    parser.add_argument("--pabutools-max-voters", type=int, default=10_000)
    parser.add_argument("--pabutools-max-steps", type=int, default=1_000)
    parser.add_argument("--no-files", action="store_true")
    parser.add_argument("--no-versus", action="store_true")
    args = parser.parse_args(argv)
    if not args.no_files:
        files_part(args)
    if not args.no_large:
        large_part(args)
    if not (args.no_pabutools or args.no_versus):
        versus_part(args)


if __name__ == "__main__":
    main()
