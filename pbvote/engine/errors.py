"""Errors the engine raises; all are ``ValueError`` subclasses with clear messages."""

from __future__ import annotations


class EngineError(ValueError):
    """Base class of every error raised by the tally engine."""


class InstanceError(EngineError):
    """The projects, budget or ballots handed to the engine are inconsistent."""


class UnsupportedRuleError(EngineError):
    """The rule, its options or the ballot type do not go together."""


class PabulibError(EngineError):
    """A malformed pabulib file. ``line`` is the 1-based line number, if known."""

    def __init__(self, message: str, line: int | None = None):
        self.message = message
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)
