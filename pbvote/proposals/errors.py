"""Proposal errors. ``str(error)`` is a translated sentence the person can act on.

``field`` names the form field the message belongs to, when there is one.
"""


class ProposalError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class InvalidProposal(ProposalError):
    pass


class NotAllowed(ProposalError):
    """The person may not do this to this proposal (not the author, wrong state)."""


class LimitReached(ProposalError):
    pass


class DuplicateProposal(ProposalError):
    pass


class InvalidUpload(ProposalError):
    pass


class AlreadyDone(ProposalError):
    """A support or a flag given twice."""
