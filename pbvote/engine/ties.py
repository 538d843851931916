"""The one deterministic tie order every rule uses."""

from __future__ import annotations

TIE_ORDER = (
    "When projects are tied, the cheaper project comes first; if their costs are "
    "equal, the project with more votes comes first; if still equal, the project "
    "with the lower id comes first (ids that are whole numbers are compared as "
    "numbers and come before other ids, which are compared as text)."
)


def project_id_key(project_id: str) -> tuple:
    """Sort key for ids: whole numbers numerically, before any other id (as text).

    Comparing "numerically when both are integers, else as strings" pairwise is
    not a total order ("9" < "10" < "1a" < "9"), so integer ids form a block of
    their own; the text is the last key so that "7" and "007" still differ.
    """
    if project_id.isascii() and project_id.isdigit():
        return (0, int(project_id), project_id)
    return (1, 0, project_id)


def tie_key(cost: int, votes: int, project_id: str) -> tuple:
    """Sort key implementing :data:`TIE_ORDER` (smaller key wins the tie)."""
    return (cost, -votes, project_id_key(project_id))
