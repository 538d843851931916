"""Hand-built activity for the indicators: residents who support or comment on
a given day, voters with their marks, consented profiles, census figures."""

from datetime import UTC, date, datetime

from pbvote.extensions import db
from pbvote.indicators.models import CensusCell
from pbvote.proposals.models import Comment, Support
from pbvote.voting.models import ParticipationProfile, VoterEntry, VoterMark
from tests.factories import create_resident
from tests.proposals.factories import create_proposal, setup_cycle


def moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


class Activity:
    """One cycle and one proposal that residents support and comment on."""

    def __init__(self, commune: dict):
        self.commune = commune
        self.setup = setup_cycle(commune)
        self.author = create_resident(commune["id"], phone="+212600000000")
        self.proposal = self.new_proposal()
        self.residents: dict[int, int] = {}

    def new_proposal(self):
        """A proposal submitted long ago: its author is not in the periods."""
        return create_proposal(
            self.setup, self.author.id, submitted_at=moment(date(2020, 1, 1))
        )

    def resident(self, number: int) -> int:
        if number not in self.residents:
            phone = f"+2126{10000000 + number}"
            self.residents[number] = create_resident(self.commune["id"], phone).id
        return self.residents[number]

    def support(self, numbers, day: date) -> None:
        """Each call supports a new proposal (one support per proposal)."""
        self.proposal = self.new_proposal()
        for number in numbers:
            db.session.add(
                Support(
                    proposal_id=self.proposal.id,
                    user_id=self.resident(number),
                    created_at_dt=moment(day),
                )
            )
        db.session.flush()

    def comment(self, numbers, day: date) -> None:
        for number in numbers:
            db.session.add(
                Comment(
                    proposal_id=self.proposal.id,
                    author_id=self.resident(number),
                    body="Bonne idée",
                    created_at_dt=moment(day),
                )
            )
        db.session.flush()

    def votes(self, district_id: int, count: int, day: date, first: int = 0) -> None:
        for index in range(first, first + count):
            entry = VoterEntry(
                cycle_id=self.setup["cycle_id"],
                cin_hash=f"{index:064d}",
                birth_date=date(1990, 1, 1),
                district_id=district_id,
            )
            db.session.add(entry)
            db.session.flush()  # the mark needs the entry's id
            db.session.add(
                VoterMark(
                    cycle_id=self.setup["cycle_id"],
                    registry_entry_id=entry.id,
                    voted_on=day,
                )
            )
        db.session.flush()

    def profiles(self, answers, day: date) -> None:
        for index, (age, gender, disability) in enumerate(answers):
            db.session.add(
                ParticipationProfile(
                    id=f"{day.isoformat()}-{index}".ljust(32, "x")[:32],
                    cycle_id=self.setup["cycle_id"],
                    age_band=age,
                    gender=gender,
                    disability=disability,
                    given_on=day,
                )
            )
        db.session.flush()


def census(commune_id: int, dimension: str, value: str, population: int, **kw):
    db.session.add(
        CensusCell(
            commune_id=commune_id,
            dimension=dimension,
            value=value,
            population=population,
            **kw,
        )
    )
    db.session.flush()


def meeting(commune_id, day: date, *, women, men, disabled, taken=True):
    """A consultative meeting; its attendance (ages all 18-35) if ``taken``."""
    from datetime import timedelta

    from pbvote.meetings.models import Meeting

    total = women + men
    attendance = (
        {
            "attended_total": total,
            "attended_women": women,
            "attended_men": men,
            "attended_with_disability": disabled,
            "age_under_18": 0,
            "age_18_35": total,
            "age_36_60": 0,
            "age_over_60": 0,
        }
        if taken
        else {}
    )
    db.session.add(
        Meeting(
            commune_id=commune_id,
            kind="consultative",
            title="Réunion de quartier",
            starts_at_dt=moment(day),
            ends_at_dt=moment(day) + timedelta(hours=2),
            place="Salle communale",
            organiser="Commune",
            created_at_dt=moment(day),
            **attendance,
        )
    )
    db.session.flush()


def satisfaction_answers(commune_id: int, answers, day: date) -> None:
    """Responses to the ready-made satisfaction survey: (overall, answers, again)."""
    from pbvote.surveys.models import SurveyAnswer, SurveyResponse
    from pbvote.surveys.ready import ensure_satisfaction_survey

    survey = ensure_satisfaction_survey(None, commune_id, moment(day))
    db.session.flush()  # the questions need ids
    questions = sorted(survey.questions, key=lambda q: q.position)
    for index, choices in enumerate(answers):
        response = SurveyResponse(
            survey_id=survey.id,
            anon_key_hash=f"{index:064d}",
            created_at_dt=moment(day),
        )
        db.session.add(response)
        db.session.flush()  # the answers need its id
        for question, choice in zip(questions, choices, strict=False):
            db.session.add(
                SurveyAnswer(
                    response_id=response.id, question_id=question.id, choice=choice
                )
            )
    db.session.flush()
