"""pbvote's tally engine: pure Python, no web or database code.

Build an :class:`Instance` (or read one with :func:`read_pb`) and call
:func:`tally`::

    from pbvote.engine import Instance, Project, tally

    instance = Instance(
        projects=[Project("1", 60), Project("2", 50)],
        budget=100,
        ballots=[frozenset({"1"}), frozenset({"1", "2"})],
    )
    tally(instance, "greedy").winners  # ["1"]
"""

from pbvote.engine.errors import (
    EngineError,
    InstanceError,
    PabulibError,
    UnsupportedRuleError,
)
from pbvote.engine.model import VOTE_TYPES, Ballot, Instance, Project
from pbvote.engine.pabulib import read_pb, selected_projects, write_pb
from pbvote.engine.result import REASONS, Decision, Result
from pbvote.engine.tally import KNOWN_RULES, PABULIB_RULES, RULES, tally
from pbvote.engine.ties import TIE_ORDER

__all__ = [
    "KNOWN_RULES",
    "PABULIB_RULES",
    "REASONS",
    "RULES",
    "TIE_ORDER",
    "VOTE_TYPES",
    "Ballot",
    "Decision",
    "EngineError",
    "Instance",
    "InstanceError",
    "PabulibError",
    "Project",
    "Result",
    "UnsupportedRuleError",
    "read_pb",
    "selected_projects",
    "tally",
    "write_pb",
]
