"""What the results pages show, computed once in Python: the SVG bar chart's
geometry (mirrored for right-to-left), plain-language rules and MES explanations.
Called inside requests (translated strings use ``gettext``)."""

from dataclasses import dataclass
from fractions import Fraction

from flask_babel import gettext as _

from pbvote.core.i18n import format_mad, format_number, localized
from pbvote.cycles.labels import TALLY_RULE_LABELS
from pbvote.results.labels import (
    GREEDY_FILL_TEXT,
    REASON_LABELS,
    RULE_EXPLANATIONS,
    TIE_ORDER_TEXT,
)
from pbvote.results.models import ScopeResult

ROW_HEIGHT = 48  # px per project in the chart: a label line, then the bar
LABEL_MAX = 60  # characters of a title shown in the chart (the table has it all)
INSIDE_FROM = 72  # % of the longest bar from which the number sits inside the bar


@dataclass
class ChartRow:
    title: str
    label: str
    votes: int
    votes_text: str
    winner: bool
    label_y: int
    bar_y: int
    value_y: int
    bar_x: str
    bar_width: str
    label_x: str
    value_x: str
    value_dx: int
    value_anchor: str
    value_inside: bool


def chart(items: list[dict], rtl: bool) -> dict:
    """Rows of an SVG bar chart with percentage geometry, so it scales to any
    width while the text keeps its size. In right-to-left pages bars grow from
    the right and labels start at the right edge."""
    top = max((item["votes"] for item in items), default=0) or 1
    rows = []
    for index, item in enumerate(items):
        pct = round(100 * item["votes"] / top, 2)
        if item["votes"] and pct < 0.5:
            pct = 0.5
        inside = pct > INSIDE_FROM
        end = 100 - pct if rtl else pct  # where the bar ends, from the left
        outward = -1 if rtl else 1
        y = index * ROW_HEIGHT
        title = item["title"]
        rows.append(
            ChartRow(
                title=title,
                label=title
                if len(title) <= LABEL_MAX
                else title[: LABEL_MAX - 1] + "…",
                votes=item["votes"],
                votes_text=format_number(item["votes"]),
                winner=item["winner"],
                label_y=y + 17,
                bar_y=y + 24,
                value_y=y + 37,
                bar_x=f"{100 - pct if rtl else 0}%",
                bar_width=f"{pct}%",
                label_x="100%" if rtl else "0",
                value_x=f"{end}%",
                value_dx=(-6 if inside else 6) * outward,
                value_anchor=("end" if inside else "start")
                if not rtl
                else ("start" if inside else "end"),
                value_inside=inside,
            )
        )
    return {"rows": rows, "height": max(ROW_HEIGHT, len(rows) * ROW_HEIGHT + 4)}


def scope_name(scope) -> str:
    return localized(scope.district, "name") if scope.district else _("Whole commune")


def rule_text(result: ScopeResult) -> dict:
    return {
        "name": TALLY_RULE_LABELS.get(result.rule, result.rule),
        "explanation": RULE_EXPLANATIONS.get(result.rule, ""),
        "greedy_fill": GREEDY_FILL_TEXT if result.greedy_fill else "",
        "min_votes": (result.engine_result.get("details") or {}).get("min_score"),
        "tie_order": TIE_ORDER_TEXT,
    }


def _mad(value) -> str:
    """A share of money from the engine's JSON (int, or exact fraction), shown
    to the centime: shares are fractions of dirhams."""
    if value is None:
        return ""
    if isinstance(value, dict):
        value = Fraction(value.get("exact", "0"))
    return format_mad(float(value), centimes=True)


def mes_explanation(project_result, cost: int) -> str:
    """One sentence on why MES funded this winner, from the engine's numbers."""
    decision = project_result.decision
    if project_result.reason == "greedy_fill":
        return _(
            "Added after the equal shares: among the projects left it had the "
            "most votes and still fitted in the money left (%(left)s).",
            left=format_mad(decision.get("remaining_budget_before") or 0),
        )
    if project_result.reason != "lowest_rho":
        return str(REASON_LABELS.get(project_result.reason, ""))
    return _(
        "Chosen in round %(step)s: its %(supporters)s supporters paid its cost of "
        "%(cost)s together from their equal shares, each at most %(payment)s. "
        "No other project left could be paid at a lower price for what it gave "
        "its supporters.",
        step=decision.get("step") or "?",
        supporters=format_number(decision.get("supporters") or 0),
        cost=format_mad(cost),
        payment=_mad(decision.get("payment_per_supporter")),
    )


def mes_shares(result: ScopeResult) -> str:
    """How much money each voter had, after the completion raised it."""
    completion = (result.engine_result.get("details") or {}).get("completion") or {}
    if not completion or completion.get("stopped_because") == "no_voters":
        return ""
    start = _mad(completion.get("initial_per_voter_budget"))
    final = _mad(completion.get("per_voter_budget"))
    if start == final:
        return _("Each voter's equal share was %(share)s.", share=start)
    return _(
        "Each voter's equal share was %(start)s; to use as much of the budget as "
        "possible it was raised step by step to %(final)s, the largest share whose "
        "outcome still fits in the budget.",
        start=start,
        final=final,
    )


def reason_label(reason: str) -> str:
    return str(REASON_LABELS.get(reason, reason))


def scope_view(result: ScopeResult, rtl: bool) -> dict:
    """Everything one scope's section of the results page needs."""
    rows = [
        {
            "title": localized(pr.project, "title") or str(pr.project_id),
            "votes": pr.votes,
            "winner": pr.selected,
        }
        for pr in result.projects
    ]
    winners = sorted(
        (pr for pr in result.projects if pr.selected),
        key=lambda pr: (
            result.winners.index(pr.project_id)
            if pr.project_id in result.winners
            else 0
        ),
    )
    is_mes = result.rule in ("mes", "mes-card")
    return {
        "result": result,
        "name": scope_name(result.scope),
        "chart": chart(rows, rtl),
        "rule": rule_text(result),
        "projects": result.projects,
        "winners": winners,
        "is_mes": is_mes,
        "shares": mes_shares(result) if is_mes else "",
        "explanations": {
            pr.project_id: mes_explanation(pr, pr.project.cost) for pr in winners
        }
        if is_mes
        else {},
    }
