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
