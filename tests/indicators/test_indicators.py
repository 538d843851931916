"""Each indicator computed on hand-built activity with known answers."""

from datetime import date

from pbvote.indicators import periods, services
from pbvote.indicators.services import SUPPRESSED
from tests.indicators.factories import (
    Activity,
    census,
    meeting,
    satisfaction_answers,
)

Q1_2024, Q4_2024, Q1_2025 = date(2024, 2, 1), date(2024, 11, 10), date(2025, 2, 10)


def rows(commune_id, key, period, district_id=None) -> dict:
    measure = services.MEASURES[key]
    return {r[0]: r[2] for r in measure(commune_id, period, district_id)}


def build(commune) -> None:
    activity = Activity(commune)
    activity.support(range(20, 26), Q1_2024)  # 6 people a year earlier
    activity.support(range(6), Q4_2024)  # 6 people the quarter before
    activity.support(range(2, 8), Q1_2025)  # 9 people this quarter, 5 back
    activity.comment([1, 8, 9], Q1_2025)
    activity.votes(commune["district_ids"][0], 6, date(2025, 3, 1))
    activity.votes(commune["district_ids"][1], 3, date(2025, 3, 1), first=100)


def test_participants_and_their_growth_on_a_year_earlier(app, committed, commune):
    with committed():
        build(commune)
    with app.app_context():
        figures = rows(commune["id"], "participants", periods.quarter(2025, 1))
    # 9 accounts and 9 voters this quarter; 6 accounts in Q1 2024: (18 - 6) / 6.
    assert figures["accounts"] == 9
    assert figures["others"] == 9
    assert figures["total"] == 18
    assert figures["growth"] == 200.0


def test_repetition_is_the_share_who_took_part_the_period_before(
    app, committed, commune
):
    with committed():
        build(commune)
    with app.app_context():
        figures = rows(commune["id"], "repetition", periods.quarter(2025, 1))
    # Residents 1 to 5 took part in Q4 2024 and again in Q1 2025: 5 of 9.
    assert figures["returning"] == 5
    assert figures["again"] == 55.6


def test_fewer_than_five_people_are_suppressed(app, committed, commune):
    with committed():
        build(commune)
    with app.app_context():
        district = rows(
            commune["id"],
            "participants",
            periods.quarter(2025, 1),
            commune["district_ids"][1],
        )
        repetition = rows(commune["id"], "repetition", periods.quarter(2024, 4))
    # Only 3 voted in the second district and no one has an account there.
    assert district["others"] == SUPPRESSED
    assert district["total"] == SUPPRESSED
    assert repetition["returning"] == 0


def test_diversity_against_the_census(app, committed, commune):
    with committed() as session:
        activity = Activity(commune)
        answers = [("18-29", "woman", "no")] * 5 + [("60+", "man", "yes")] * 2
        activity.profiles(answers, Q1_2025)
        activity.votes(commune["district_ids"][0], 6, Q1_2025)
        census(commune["id"], "gender", "woman", 2000)
        census(commune["id"], "gender", "man", 1900)
        census(commune["id"], "age_band", "18-29", 1000)
        from pbvote.communes.models import District

        session.get(District, commune["district_ids"][0]).population = 3000
    with app.app_context():
        figures = rows(commune["id"], "diversity", periods.quarter(2025, 1))
    first = commune["district_ids"][0]
    assert figures["gender.woman"] == 5
    assert figures["gender.woman.rate"] == 2.5  # 5 per 2,000 = 2.5 per 1,000
    assert figures["gender.man"] == SUPPRESSED
    assert figures["gender.man.rate"] == SUPPRESSED
    assert figures["age.18-29.rate"] == 5.0
    assert "age.60+.rate" not in figures  # no census figure, no rate
    assert figures["disability.yes"] == SUPPRESSED
    assert figures["disability.no"] == 5
    assert figures[f"district.{first}"] == 6
    assert figures[f"district.{first}.rate"] == 2.0


def test_a_period_without_data_says_no_data_yet(app, commune):
    with app.app_context():
        data = services.dashboard(commune["id"], periods.year(2019))
    values = {
        (i["key"], r["key"]): r["value"] for i in data["indicators"] for r in i["rows"]
    }
    assert values[("information", "answered")] is None
    assert values[("information", "median")] is None
    assert values[("proposals", "answered")] is None
    assert values[("repetition", "again")] is None
    assert values[("satisfaction", "again")] is None
    assert values[("participants", "growth")] is None
    assert values[("participants", "total")] == 0
    assert all(i["definition"] for i in data["indicators"])


def test_meetings_count_as_mechanisms_participants_and_diversity(
    app, committed, commune
):
    with committed():
        meeting(commune["id"], date(2025, 2, 3), women=4, men=6, disabled=2)
        meeting(commune["id"], date(2025, 3, 3), women=3, men=2, disabled=0)
        meeting(
            commune["id"], date(2025, 3, 9), women=0, men=0, disabled=0, taken=False
        )
    with app.app_context():
        period = periods.quarter(2025, 1)
        mechanisms = rows(commune["id"], "mechanisms", period)
        participants = rows(commune["id"], "participants", period)
        diversity = rows(commune["id"], "diversity", period)
    assert mechanisms["meetings"] == 2  # the third has no attendance taken
    assert participants["others"] == 15
    assert diversity["meetings.attended_women"] == 7
    assert diversity["meetings.attended_men"] == 8
    assert diversity["meetings.attended_with_disability"] == SUPPRESSED


def test_the_satisfaction_survey(app, committed, commune):
    with committed():
        answers = [(5, 4, 0), (4, 4, 0), (4, 2, 1), (3, 3, 0), (4, 2, 2), (4, 3, 0)]
        answers.append((4, 3, 0))
        satisfaction_answers(commune["id"], answers, date(2025, 5, 5))
    with app.app_context():
        figures = rows(commune["id"], "satisfaction", periods.quarter(2025, 2))
        earlier = rows(commune["id"], "satisfaction", periods.quarter(2025, 1))
    assert figures["respondents"] == 7
    assert figures["survey"] == 4.0  # 28 / 7
    assert figures["survey_answers"] == 3.0  # 21 / 7
    assert figures["survey_again"] == 71.4  # 5 "yes" of 7
    assert earlier["survey"] is None


def test_the_previous_period_is_shown_next_to_each_value(app, committed, commune):
    with committed():
        build(commune)
    with app.app_context():
        data = services.dashboard(commune["id"], periods.quarter(2025, 1))
    participants = next(i for i in data["indicators"] if i["key"] == "participants")
    accounts = next(r for r in participants["rows"] if r["key"] == "accounts")
    assert data["previous"] == "2024-Q4"
    assert (accounts["value"], accounts["previous"]) == (9, 6)
