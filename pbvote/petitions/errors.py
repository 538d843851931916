"""Petition errors. ``str(error)`` is a translated sentence the person can act on.

``field`` names the form field the message belongs to, when there is one.
"""


class PetitionError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotAllowed(PetitionError):
    """Not the author, or the petition is not in a state that allows this."""


class IneligibleAssociation(PetitionError):
    pass


class NotInRegistry(PetitionError):
    pass


class AlreadySigned(PetitionError):
    pass


class SigningClosed(PetitionError):
    pass


class ThresholdNotReached(PetitionError):
    pass


class MissingGrounds(PetitionError):
    pass


class TooManyAttempts(PetitionError):
    pass
