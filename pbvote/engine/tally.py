"""The single entry point of the engine: :func:`tally`."""

from __future__ import annotations

from pbvote.engine.errors import UnsupportedRuleError
from pbvote.engine.gcpause import gc_paused
from pbvote.engine.greedy import greedy
from pbvote.engine.mes_rule import equal_shares_rule
from pbvote.engine.model import Instance
from pbvote.engine.profile import build_profile
from pbvote.engine.result import Result

GREEDY_RULES = ("greedy", "greedy-no-skip")
MES_RULES = ("mes", "mes-card")
RULES = GREEDY_RULES + MES_RULES

# The rules pabulib files declare in META, as (engine rule, comparison). Each
# honours the file's min_project_score_threshold when it has one, so
# "greedy-threshold" is greedy with that minimum.
PABULIB_RULES = {
    "greedy": ("greedy", False),
    "greedy-threshold": ("greedy", False),
    "greedy-no-skip": ("greedy-no-skip", False),
    "equalshares/add1": ("mes", False),
    "equalshares/add1-comparison": ("mes", True),
}
KNOWN_RULES = RULES + tuple(name for name in PABULIB_RULES if name not in RULES)


@gc_paused
def tally(
    instance: Instance,
    rule: str,
    *,
    greedy_fill: bool = False,
    comparison: bool = False,
    min_score=None,
) -> Result:
    """Tally ``instance`` with ``rule`` (one of :data:`KNOWN_RULES`).

    ``min_score`` (votes, or points for point ballots; an int or Fraction) keeps
    projects below it from winning under any rule. ``greedy_fill`` and
    ``comparison`` apply to the MES rules only. Raises
    :class:`~pbvote.engine.errors.UnsupportedRuleError` for an unknown rule, an
    option on a greedy rule, or MES on cumulative/scoring ballots, and
    :class:`~pbvote.engine.errors.InstanceError` for inconsistent ballots. The
    same instance and rule always give the same result.
    """
    rule, comparison = resolve_rule(rule, comparison)
    _check_options(rule, greedy_fill or comparison)
    profile = build_profile(instance)
    if rule in GREEDY_RULES:
        return greedy(instance, profile, skip=rule == "greedy", min_score=min_score)
    if profile.uses_points:
        raise UnsupportedRuleError(
            f"rule {rule!r} needs approval (or ranked) ballots; "
            f"{profile.vote_type} ballots can only be tallied with greedy rules"
        )
    return equal_shares_rule(
        instance,
        profile,
        rule,
        greedy_fill=greedy_fill,
        comparison=comparison,
        min_score=min_score,
    )


def resolve_rule(rule: str, comparison: bool = False) -> tuple[str, bool]:
    """The engine rule for an engine or pabulib rule name, and its comparison flag.

    Raises :class:`UnsupportedRuleError` naming every known rule.
    """
    if rule in RULES:
        return rule, comparison
    if rule in PABULIB_RULES:
        engine_rule, compare = PABULIB_RULES[rule]
        return engine_rule, comparison or compare
    raise UnsupportedRuleError(
        f"unknown rule {rule!r}; the engine knows {', '.join(KNOWN_RULES)}"
    )


def _check_options(rule: str, has_mes_option: bool) -> None:
    if has_mes_option and rule not in MES_RULES:
        raise UnsupportedRuleError(
            f"greedy_fill and comparison apply to MES rules only, not {rule!r}"
        )
