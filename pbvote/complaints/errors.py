"""Complaint errors. ``str(error)`` is a translated sentence the person can act
on; ``field`` names the form field it belongs to, when there is one."""


class ComplaintError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class InvalidComplaint(ComplaintError):
    pass


class NotAllowed(ComplaintError):
    pass


class InvalidUpload(ComplaintError):
    pass
