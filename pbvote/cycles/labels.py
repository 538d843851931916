"""Translated names of phases and rules, for pages and messages."""

from flask_babel import lazy_gettext as _l

PHASE_LABELS = {
    "preparation": _l("Preparation"),
    "proposals": _l("Proposals"),
    "review": _l("Feasibility review"),
    "voting": _l("Voting"),
    "tally": _l("Counting"),
    "execution": _l("Execution"),
    "evaluation": _l("Evaluation"),
    "closed": _l("Closed"),
    None: _l("Not started"),
}
PHASE_HELP = {
    "preparation": _l("The commune sets the budget and the rules."),
    "proposals": _l("Residents and associations submit project proposals."),
    "review": _l("Advisory bodies check each proposal and answer its author."),
    "voting": _l("Residents vote for the feasible projects."),
    "tally": _l("The votes are counted and the results published."),
    "execution": _l("The commune carries out the winning projects."),
    "evaluation": _l("Residents and the commune evaluate the results."),
}
BALLOT_RULE_LABELS = {
    "knapsack": _l("Choose projects up to the scope's budget"),
    "approval_k": _l("Choose up to a number of projects"),
    "approval_min_share": _l("Choose projects worth at least a share of the budget"),
}
TALLY_RULE_LABELS = {
    "greedy": _l("Most votes first, skipping projects that no longer fit"),
    "greedy-no-skip": _l("Most votes first, stopping at the first that does not fit"),
    "mes": _l("Method of Equal Shares (proportional, by cost)"),
    "mes-card": _l("Method of Equal Shares (proportional, one unit per project)"),
}
