"""Tally errors. ``str(error)`` is a translated sentence the person can act on."""


class TallyError(Exception):
    """A tally cannot start or continue; ``code`` is stable for logs and tests."""

    code = "tally_error"


class VotingNotClosed(TallyError):
    code = "voting_not_closed"


class NoElectionKey(TallyError):
    code = "no_election_key"


class TallyAlreadyRunning(TallyError):
    code = "already_running"


class TallyAlreadyPublished(TallyError):
    code = "already_published"


class ChainBroken(TallyError):
    """The hash chain of the ballot box does not verify: publication stops."""

    code = "chain_broken"


class KeyUnavailable(TallyError):
    """The cycle's private keys cannot be unwrapped (wrong ELECTION_KEY_WRAP)."""

    code = "key_unavailable"
