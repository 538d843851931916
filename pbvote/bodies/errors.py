"""Body page errors. ``str(error)`` is a translated sentence the person can act on;
``field`` names the form field it belongs to, when there is one."""


class BodyError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class InvalidOpinion(BodyError):
    pass
