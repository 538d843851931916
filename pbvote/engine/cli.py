"""Tally a pabulib file from the command line and print the result as JSON.

``python -m pbvote.engine FILE.pb --rule RULE [--greedy-fill] [--comparison]``;
the web app exposes the same as ``pbvote tally-file`` via
:data:`tally_file_command`. A malformed file prints its line-numbered error on
stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys

import click

from pbvote.engine.errors import EngineError
from pbvote.engine.pabulib import read_pb, selected_projects
from pbvote.engine.tally import RULES, tally

EXIT_BAD_INPUT = 2


def tally_file(
    path, rule: str, greedy_fill: bool = False, comparison: bool = False
) -> dict:
    """Read ``path``, tally it with ``rule`` and return the JSON-safe result.

    The dict is :meth:`Result.to_dict` (``winners``, ``votes``, ``decisions``,
    ``rule``, ``budget``, ``budget_used``, ...) plus ``file`` and, when the file
    has a ``selected`` column, ``published_winners`` and ``matches_published``
    (same set of winners). Raises ``PabulibError`` or another ``EngineError``.
    """
    instance = read_pb(path)
    result = tally(instance, rule, greedy_fill=greedy_fill, comparison=comparison)
    data = {"file": str(path), **result.to_dict()}
    published = selected_projects(instance)
    if published is not None:
        data["published_winners"] = published
        data["matches_published"] = set(published) == set(result.winners)
    return data


def _report(path, rule: str, greedy_fill: bool, comparison: bool) -> int:
    """Print the tally as JSON on stdout, or the error on stderr; return the status."""
    try:
        data = tally_file(path, rule, greedy_fill, comparison)
    except (EngineError, OSError) as error:
        print(f"error: {path}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(json.dumps(data, indent=2, ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m pbvote.engine``; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m pbvote.engine", description="Tally a pabulib .pb file."
    )
    parser.add_argument("file", help="the .pb file")
    parser.add_argument("--rule", required=True, choices=RULES)
    parser.add_argument(
        "--greedy-fill",
        action="store_true",
        help="MES only: afterwards fill greedily by votes",
    )
    parser.add_argument(
        "--comparison",
        action="store_true",
        help="MES only: keep greedy if more voters prefer it",
    )
    args = parser.parse_args(argv)
    return _report(args.file, args.rule, args.greedy_fill, args.comparison)


@click.command("tally-file")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--rule", required=True, type=click.Choice(RULES))
@click.option(
    "--greedy-fill", is_flag=True, help="MES only: afterwards fill greedily by votes."
)
@click.option(
    "--comparison", is_flag=True, help="MES only: keep greedy if more voters prefer it."
)
def tally_file_command(
    file: str, rule: str, greedy_fill: bool, comparison: bool
) -> None:
    """Tally a pabulib FILE with RULE and print the result as JSON."""
    status = _report(file, rule, greedy_fill, comparison)
    if status:
        raise SystemExit(status)
