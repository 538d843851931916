"""Review errors. ``str(error)`` is a translated sentence the person can act on.

``field`` names the form field the message belongs to, when there is one.
"""


class ReviewError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class InvalidReview(ReviewError):
    pass


class ConflictOfInterest(ReviewError):
    pass


class NotMember(ReviewError):
    pass


class NotReadyForVoting(ReviewError):
    """Some proposals still lack a published answer (or nothing is feasible)."""

    def __init__(self, message: str, unanswered: list | None = None):
        super().__init__(message)
        self.unanswered = unanswered or []


class InvalidAssignment(ReviewError):
    pass
