class CommuneError(Exception):
    """A domain rule about communes or districts was broken; str() is user-facing."""


class DistrictNameTaken(CommuneError):
    pass


class CommuneNotConfigured(CommuneError):
    pass
