"""``pbvote tally-file`` (also ``python -m pbvote.engine``): tally a pabulib file.

Prints the result as JSON. Without ``--rule`` the file's declared rule is used,
with the file's ``min_project_score_threshold``; where the file publishes its
winners (a ``selected`` column) the output says whether the tally matches them
and which projects differ. A malformed file prints its line-numbered error on
stderr and exits with status 2. Needs no configuration, secrets or database.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import click

from pbvote.engine.errors import EngineError
from pbvote.engine.pabulib import (
    declared_rule,
    declared_threshold,
    read_pb,
    selected_projects,
)
from pbvote.engine.result import to_json
from pbvote.engine.tally import KNOWN_RULES, tally

EXIT_BAD_INPUT = 2


def tally_file(
    path,
    rule: str | None = None,
    greedy_fill: bool = False,
    comparison: bool = False,
    min_score: Fraction | None = None,
) -> dict:
    """Read ``path``, tally it and return the JSON-safe result.

    ``rule`` None means the rule the file declares; ``min_score`` None means the
    file's threshold (if any). The dict is :meth:`Result.to_dict` plus ``file``,
    ``file_rule`` and, when the file has a ``selected`` column,
    ``published_winners``, ``matches_published`` (same set of winners) and
    ``differences``. Raises ``PabulibError`` or another ``EngineError``.
    """
    instance = read_pb(path)
    chosen = rule or declared_rule(instance, KNOWN_RULES)
    if min_score is None:
        min_score = declared_threshold(instance)
    if isinstance(min_score, Fraction) and min_score.denominator == 1:
        min_score = int(min_score)  # shown as 50, not as a fraction
    result = tally(
        instance,
        chosen,
        greedy_fill=greedy_fill,
        comparison=comparison,
        min_score=min_score,
    )
    data = {"file": str(path), "file_rule": instance.meta.get("rule")}
    data.update(result.to_dict())
    data["details"]["min_score"] = to_json(min_score)  # None: no minimum
    published = selected_projects(instance)
    if published is not None:
        data.update(compare_published(published, result.winners))
    return data


def compare_published(published: list[str], winners: list[str]) -> dict:
    """Whether the tally funds exactly the published winners, and the differences."""
    return {
        "published_winners": published,
        "matches_published": set(published) == set(winners),
        "differences": {
            "funded_not_published": [w for w in winners if w not in published],
            "published_not_funded": [p for p in published if p not in winners],
        },
    }


def _min_score(ctx, param, value: str | None) -> Fraction | None:
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number < 0:
        raise click.BadParameter(f"expected a number >= 0, got {value!r}")
    return Fraction(number)


@click.command("tally-file")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--rule",
    type=click.Choice(KNOWN_RULES),
    help="Override the rule the file declares.",
)
@click.option(
    "--min-score",
    callback=_min_score,
    help="Minimum votes (or points) to win; default: the file's threshold.",
)
@click.option(
    "--greedy-fill", is_flag=True, help="MES only: afterwards fill greedily by votes."
)
@click.option(
    "--comparison", is_flag=True, help="MES only: keep greedy if more voters prefer it."
)
def tally_file_command(
    file: str,
    rule: str | None,
    min_score: Fraction | None,
    greedy_fill: bool,
    comparison: bool,
) -> None:
    """Tally a pabulib FILE (its own rule, or --rule) and print the result as JSON."""
    try:
        data = tally_file(file, rule, greedy_fill, comparison, min_score)
    except (EngineError, OSError) as error:
        click.echo(f"error: {file}: {error}", err=True)
        raise SystemExit(EXIT_BAD_INPUT) from None
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m pbvote.engine``; returns the exit status."""
    try:
        tally_file_command.main(
            argv, prog_name="python -m pbvote.engine", standalone_mode=False
        )
    except SystemExit as stop:
        return int(stop.code or 0)
    except click.ClickException as error:
        error.show()
        return error.exit_code
    return 0
