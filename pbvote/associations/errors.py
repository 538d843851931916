"""Association errors. ``str(error)`` is a translated sentence the person can act on."""


class AssociationError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class RegistrationTaken(AssociationError):
    pass


class InvalidAssociation(AssociationError):
    pass


class NotRepresentative(AssociationError):
    pass
