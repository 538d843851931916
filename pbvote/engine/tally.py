"""The single entry point of the engine: :func:`tally`."""

from __future__ import annotations

from pbvote.engine.errors import UnsupportedRuleError
from pbvote.engine.greedy import greedy
from pbvote.engine.mes_rule import equal_shares_rule
from pbvote.engine.model import Instance
from pbvote.engine.profile import build_profile
from pbvote.engine.result import Result

GREEDY_RULES = ("greedy", "greedy-no-skip")
MES_RULES = ("mes", "mes-card")
RULES = GREEDY_RULES + MES_RULES


def tally(
    instance: Instance,
    rule: str,
    *,
    greedy_fill: bool = False,
    comparison: bool = False,
) -> Result:
    """Tally ``instance`` with ``rule`` (one of :data:`RULES`).

    ``greedy_fill`` and ``comparison`` apply to the MES rules only. Raises
    :class:`~pbvote.engine.errors.UnsupportedRuleError` for an unknown rule, an
    option on a greedy rule, or MES on cumulative/scoring ballots, and
    :class:`~pbvote.engine.errors.InstanceError` for inconsistent ballots. The
    same instance and rule always give the same result.
    """
    _check_rule(rule, greedy_fill or comparison)
    profile = build_profile(instance)
    if rule in GREEDY_RULES:
        return greedy(instance, profile, skip=rule == "greedy")
    if profile.uses_points:
        raise UnsupportedRuleError(
            f"rule {rule!r} needs approval (or ranked) ballots; "
            f"{profile.vote_type} ballots can only be tallied with greedy rules"
        )
    return equal_shares_rule(
        instance, profile, rule, greedy_fill=greedy_fill, comparison=comparison
    )


def _check_rule(rule: str, has_mes_option: bool) -> None:
    if rule not in RULES:
        raise UnsupportedRuleError(
            f"unknown rule {rule!r}; expected one of {', '.join(RULES)}"
        )
    if has_mes_option and rule not in MES_RULES:
        raise UnsupportedRuleError(
            f"greedy_fill and comparison apply to MES rules only, not {rule!r}"
        )
