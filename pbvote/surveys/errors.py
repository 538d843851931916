"""Survey errors. ``str(error)`` is a translated sentence the person can act on;
``field`` names the form field it belongs to, when there is one."""


class SurveyError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class InvalidSurvey(SurveyError):
    pass


class SurveyLocked(SurveyError):
    """Questions cannot change once someone has answered."""


class SurveyClosed(SurveyError):
    pass


class ResidentsOnly(SurveyError):
    pass


class AlreadyAnswered(SurveyError):
    pass


class InvalidAnswers(SurveyError):
    """Some answers are missing or invalid: ``problems`` maps question ids to a
    sentence, so the form can show each beside its question."""

    def __init__(self, message: str, problems: dict[int, str]):
        super().__init__(message)
        self.problems = problems
