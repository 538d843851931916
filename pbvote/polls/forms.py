"""Staff forms: the survey's fields (titles, introductions, period; question
texts and options), with a poll's own registry choice and kinds of question."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from pbvote.surveys.forms import QuestionForm as SurveyQuestionForm
from pbvote.surveys.forms import SurveyForm

KIND_LABELS = {
    "yesno": _l("Yes or no"),
    "choice": _l("One option among several"),
}


class PollForm(SurveyForm):
    audience = None  # who may vote is the registry below
    registry_cycle_id = SelectField(
        _l("Who may vote: the residents on the voter registry of"),
        coerce=int,
        validate_choice=False,  # the service says which registries are allowed
    )


class QuestionForm(SurveyQuestionForm):
    kind = SelectField(_l("Kind of question"), choices=list(KIND_LABELS.items()))
    required = None  # every question is answered, or explicitly left blank
