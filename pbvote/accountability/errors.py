"""Domain errors of the accountability domain; ``str()`` is a translated sentence."""


class AccountabilityError(Exception):
    """Base class: the message is shown to the person who acted."""


class InvalidUpdate(AccountabilityError):
    """An update that would break a rule (progress, dates, money, status, reason).

    ``field`` names the form field the message belongs to, when there is one.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class InvalidUpdateSet(AccountabilityError):
    """Several problems at once (a CSV row): ``errors`` is a list of InvalidUpdate."""

    def __init__(self, errors: list):
        super().__init__(" ".join(str(error) for error in errors))
        self.errors = errors


class NotEditable(AccountabilityError):
    """A published entry cannot be changed: corrections are new entries."""


class InvalidFile(AccountabilityError):
    """An attachment or import file that is not what it claims, or too large."""


class NotAllowed(AccountabilityError):
    """A resident action that is not open for this project (e.g. rating early)."""


class InvalidRecord(AccountabilityError):
    """Bad record details (planned dates, sub-project cost...)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field
