"""Holiday errors. ``str(error)`` is a translated sentence the person can act on."""


class HolidayError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class HolidayTaken(HolidayError):
    pass
