"""Account errors. ``str(error)`` is a translated sentence the person can act on."""


class AccountError(Exception):
    pass


class InvalidPhone(AccountError):
    pass


class CodeRejected(AccountError):
    """Wrong, expired, used or locked code (the message says which)."""


class TooSoon(AccountError):
    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class InvalidCredentials(AccountError):
    pass


class UsernameTaken(AccountError):
    pass


class InvalidRoles(AccountError):
    pass
