class GuideError(Exception):
    """A refused audio guide; the message is for the staff member."""


class InvalidAudio(GuideError):
    pass
