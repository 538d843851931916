"""Information request errors. ``str(error)`` is a translated sentence the person
can act on; ``field`` names the form field it belongs to, when there is one."""


class InfoRequestError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class MissingContact(InfoRequestError):
    pass


class NotAllowed(InfoRequestError):
    pass


class ExtensionRefused(InfoRequestError):
    pass


class MissingGrounds(InfoRequestError):
    pass


class InvalidUpload(InfoRequestError):
    pass


class TooManyRequests(InfoRequestError):
    pass
