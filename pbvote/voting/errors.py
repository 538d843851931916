"""Voting errors. ``str(error)`` is a translated sentence the person can act on."""


class VotingError(Exception):
    pass


class RegistryLocked(VotingError):
    """The registry cannot change any more (voting has opened)."""


class ImportRefused(VotingError):
    """The uploaded file cannot be imported at all (empty, not CSV, no columns)."""


class NotVerified(VotingError):
    """No valid verification for this cycle in this session."""


class VerificationExpired(NotVerified):
    """A right code older than the verified window: verify again."""


class PhoneLimitReached(VotingError):
    pass


class AlreadyVoted(VotingError):
    pass


class BallotInvalid(VotingError):
    """The choice breaks the scope's ballot rule or the form was tampered with."""


class KioskPassInvalid(VotingError):
    pass


class ResidentNotFound(VotingError):
    """Only for the clerk, who checked the ID card in person."""


class ProfileInvalid(VotingError):
    pass
