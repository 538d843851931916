class CycleError(Exception):
    """A cycle rule was broken; ``str()`` is a translated sentence."""


class PhaseClosed(CycleError):
    """The action is not allowed in the cycle's current phase."""

    def __init__(self, message: str, current: str | None):
        super().__init__(message)
        self.current = current


class ScopeAmountsMismatch(CycleError):
    pass


class InvalidPhaseDates(CycleError):
    pass


class CycleYearTaken(CycleError):
    pass


class InvalidBallotRule(CycleError):
    pass


class DateChangeNeedsConfirmation(CycleError):
    """The running phase's dates change: a confirmation and a public reason are
    needed."""

    field = "change_reason"


class VotingDatesLocked(CycleError):
    """Once voting has opened its dates may only be extended."""
