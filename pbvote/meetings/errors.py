"""Meeting errors. ``str(error)`` is a translated sentence the person can act on;
``field`` names the form field it belongs to, when there is one."""


class MeetingError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class InvalidMeeting(MeetingError):
    pass


class RegistrationClosed(MeetingError):
    """The meeting has started, ended or was cancelled."""


class AlreadyRegistered(MeetingError):
    pass


class AttendanceDoesNotAddUp(MeetingError):
    pass


class NotYetHeld(MeetingError):
    """Attendance and minutes come after the meeting starts."""
