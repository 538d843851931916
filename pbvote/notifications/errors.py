"""Notification errors: ``str(error)`` is a sentence the person can act on."""


class NotificationError(Exception):
    pass


class NothingToFollow(NotificationError):
    """The target does not exist, is not public, or is in another commune."""


class EmailRefused(NotificationError):
    """An address that cannot be one, too many confirmations, or a bad link."""
