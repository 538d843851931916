"""Poll errors. ``str(error)`` is a translated sentence the person can act on;
``field`` names the form field it belongs to, when there is one."""


class PollError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class InvalidPoll(PollError):
    pass


class PollLocked(PollError):
    """The poll has opened: its questions and dates can no longer change."""


class PollClosed(PollError):
    """Votes are not accepted now (before the period, after it, or closed)."""


class InvalidBallot(PollError):
    """Answers missing or not among the options: ``problems`` maps question ids
    to a sentence shown beside each question."""

    def __init__(self, message: str, problems: dict[int, str]):
        super().__init__(message)
        self.problems = problems


class CountRefused(PollError):
    """The count cannot run (not closed yet, already published, broken chain)."""
