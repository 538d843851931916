"""Translated words for results pages: decisions, tie order, run states."""

from flask_babel import lazy_gettext as _l

# The engine's deterministic tie order (pbvote.engine.ties.TIE_ORDER), in words
# that can be translated.
TIE_ORDER_TEXT = _l(
    "When projects are tied, the cheaper project comes first; if their costs are "
    "equal, the project with more votes comes first; if still equal, the project "
    "with the lower number comes first."
)

REASON_LABELS = {
    "most_votes_fits": _l("Selected: next by votes and it fits in the money left"),
    "does_not_fit": _l("Not selected: it cost more than the money left at its turn"),
    "stopped_earlier": _l(
        "Not selected: the count stopped at an earlier project that did not fit"
    ),
    "exceeds_budget": _l("Not selected: it costs more than the whole budget"),
    "no_votes": _l("Not selected: no votes"),
    "below_threshold": _l("Not selected: fewer votes than the minimum to be funded"),
    "lowest_rho": _l("Selected: its supporters could pay for it at the lowest price"),
    "not_affordable": _l("Not selected: its supporters did not have enough money left"),
    "greedy_fill": _l("Selected afterwards: the money left was filled by votes"),
}

RULE_EXPLANATIONS = {
    "greedy": _l(
        "Projects are taken in order of votes, most votes first. A project "
        "that no longer fits in the money left is skipped and the next one "
        "is tried."
    ),
    "greedy-no-skip": _l(
        "Projects are taken in order of votes, most votes first. "
        "The count stops at the first project that does not fit in "
        "the money left."
    ),
    "mes": _l(
        "Method of Equal Shares: the budget is divided equally between the "
        "voters, and each project is paid for by the voters who chose it. "
        "Projects whose supporters can pay for them at the lowest price per "
        "dirham of benefit are chosen first, so that every group of voters "
        "gets projects in proportion to its size."
    ),
    "mes-card": _l(
        "Method of Equal Shares: the budget is divided equally between "
        "the voters, and each project is paid for by the voters who chose "
        "it. Each chosen project counts the same for its supporters, "
        "whatever its cost; projects their supporters can pay for at the "
        "lowest price are chosen first."
    ),
}
GREEDY_FILL_TEXT = _l(
    "After that, the money left was used for the projects with "
    "the most votes that still fit."
)

RUN_STATUS_LABELS = {
    "running": _l("Counting"),
    "failed": _l("Stopped"),
    "published": _l("Published"),
}
