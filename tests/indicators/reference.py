"""The indicators as computed before the dashboard was made fast (issue 13): one
query per source and period, each measure run twice, nothing shared. The tests
compare the fast dashboard with this slow one, figure by figure."""

from sqlalchemy import func, select

from pbvote.accountability.models import Rating
from pbvote.accountability.reports import compute_figures
from pbvote.complaints import services as complaints
from pbvote.cycles.models import Cycle
from pbvote.extensions import db
from pbvote.indicators import periods, queries, services
from pbvote.indicators.consultation import ATTENDANCE
from pbvote.indicators.definitions import DEFINITIONS, TITLES
from pbvote.meetings.models import Meeting
from pbvote.petitions.models import Petition, PetitionSignature
from pbvote.proposals.models import Comment, Proposal, Support
from pbvote.reviews.models import Review
from pbvote.surveys.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from pbvote.surveys.ready import SATISFACTION_KEY
from pbvote.voting.models import ParticipationProfile, VoterEntry, VoterMark

# -- the look-ups, one statement per period -------------------------------------------


def _signers(commune_id, start, end, district_id):
    query = (
        select(PetitionSignature.user_id)
        .join(Petition, Petition.id == PetitionSignature.petition_id)
        .where(
            Petition.commune_id == commune_id,
            PetitionSignature.signed_at_dt >= start,
            PetitionSignature.signed_at_dt < end,
        )
    )
    if district_id is not None:
        query = query.where(PetitionSignature.district_id == district_id)
    return query


def paper_signatures(commune_id, start, end, district_id=None) -> int:
    query = _signers(commune_id, start, end, district_id).where(
        PetitionSignature.user_id.is_(None)
    )
    return len(db.session.scalars(query).all())


def voters_by_district(commune_id, first_day, last_day) -> dict[int, int]:
    rows = db.session.execute(
        select(VoterEntry.district_id, func.count())
        .select_from(VoterMark)
        .join(VoterEntry, VoterEntry.id == VoterMark.registry_entry_id)
        .join(Cycle, Cycle.id == VoterMark.cycle_id)
        .where(
            Cycle.commune_id == commune_id,
            VoterMark.voted_on >= first_day,
            VoterMark.voted_on <= last_day,
        )
        .group_by(VoterEntry.district_id)
    ).all()
    return {district_id: count for district_id, count in rows}


def profiles(commune_id, first_day, last_day) -> list[tuple[str, str, str]]:
    return db.session.execute(
        select(
            ParticipationProfile.age_band,
            ParticipationProfile.gender,
            ParticipationProfile.disability,
        )
        .join(Cycle, Cycle.id == ParticipationProfile.cycle_id)
        .where(
            Cycle.commune_id == commune_id,
            ParticipationProfile.given_on >= first_day,
            ParticipationProfile.given_on <= last_day,
        )
    ).all()


def _held(commune_id, period):
    return (
        Meeting.commune_id == commune_id,
        Meeting.cancelled_at_dt.is_(None),
        Meeting.attended_total.is_not(None),
        Meeting.starts_at_dt >= period.start,
        Meeting.starts_at_dt < period.end,
    )


def meetings_held(commune_id, period) -> int:
    return db.session.scalar(
        select(func.count(Meeting.id)).where(*_held(commune_id, period))
    )


def attendance(commune_id, period) -> dict[str, int]:
    sums = db.session.execute(
        select(
            *(func.coalesce(func.sum(getattr(Meeting, f)), 0) for f in ATTENDANCE)
        ).where(*_held(commune_id, period))
    ).one()
    return dict(zip(ATTENDANCE, (int(s) for s in sums), strict=True))


def respondents(commune_id, period) -> tuple[set[int], int]:
    rows = db.session.scalars(
        select(SurveyResponse.user_id)
        .join(Survey, Survey.id == SurveyResponse.survey_id)
        .where(
            Survey.commune_id == commune_id,
            SurveyResponse.created_at_dt >= period.start,
            SurveyResponse.created_at_dt < period.end,
        )
    ).all()
    return {r for r in rows if r is not None}, sum(1 for r in rows if r is None)


def satisfaction(commune_id, period) -> dict:
    rows = db.session.execute(
        select(SurveyQuestion.position, SurveyAnswer.choice)
        .join(SurveyAnswer, SurveyAnswer.question_id == SurveyQuestion.id)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(Survey, Survey.id == SurveyQuestion.survey_id)
        .where(
            Survey.commune_id == commune_id,
            Survey.key == SATISFACTION_KEY,
            SurveyAnswer.choice.is_not(None),
            SurveyResponse.created_at_dt >= period.start,
            SurveyResponse.created_at_dt < period.end,
        )
    ).all()
    by_position: dict[int, list[int]] = {}
    for position, choice in rows:
        by_position.setdefault(position, []).append(choice)
    return by_position


# -- the measures ---------------------------------------------------------------------


def account_participants(commune_id, start, end, district_id=None) -> set[int]:
    ours = queries._ours(select(Proposal.id), commune_id, district_id).scalar_subquery()
    selects = [
        select(Proposal.author_id).where(
            Proposal.id.in_(ours),
            Proposal.submitted_at_dt >= start,
            Proposal.submitted_at_dt < end,
        ),
        select(Support.user_id).where(
            Support.proposal_id.in_(ours),
            Support.created_at_dt >= start,
            Support.created_at_dt < end,
        ),
        select(Comment.author_id).where(
            Comment.proposal_id.in_(ours),
            Comment.created_at_dt >= start,
            Comment.created_at_dt < end,
        ),
        _signers(commune_id, start, end, district_id).where(
            PetitionSignature.user_id.is_not(None)
        ),
    ]
    if district_id is None:
        selects.append(
            select(Rating.user_id).where(
                Rating.created_at_dt >= start, Rating.created_at_dt < end
            )
        )
    ids: set[int] = set()
    for query in selects:
        ids.update(db.session.scalars(query).all())
    return ids


def proposals(commune_id, start, end, district_id=None) -> list[dict]:
    ours = queries._ours(select(Proposal.id), commune_id, district_id).scalar_subquery()
    answered = (
        select(Review.proposal_id, func.min(Review.published_at_dt).label("at"))
        .where(Review.published_at_dt.is_not(None))
        .group_by(Review.proposal_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Proposal.association_id, Proposal.submitted_at_dt, answered.c.at)
        .outerjoin(answered, answered.c.proposal_id == Proposal.id)
        .where(
            Proposal.id.in_(ours),
            Proposal.submitted_at_dt >= start,
            Proposal.submitted_at_dt < end,
        )
    ).all()
    return [
        {"association": a is not None, "submitted": s, "answered": at}
        for a, s, at in rows
    ]


def participant_counts(commune_id, period, district_id=None):
    accounts = account_participants(commune_id, period.start, period.end, district_id)
    voters = voters_by_district(commune_id, period.first_day, period.last_day)
    voted = voters.get(district_id, 0) if district_id else sum(voters.values())
    paper = paper_signatures(commune_id, period.start, period.end, district_id)
    if district_id is not None:
        return accounts, voted + paper
    surveyed, anonymous = respondents(commune_id, period)
    attended = attendance(commune_id, period)["attended_total"]
    return accounts | surveyed, voted + paper + anonymous + attended


def measure_participants(commune_id, period, district_id=None):
    accounts, others = participant_counts(commune_id, period, district_id)
    total = len(accounts) + others
    before = periods.year_before(commune_id, period)
    growth = None
    if before is not None:
        past_accounts, past_others = participant_counts(commune_id, before, district_id)
        past = len(past_accounts) + past_others
        growth = services.share(total - past, past) if past >= 5 else None
        if growth is not None and total < 5:
            growth = services.SUPPRESSED
    people = services.people
    return [
        ("total", None, people(total), "count"),
        ("accounts", None, people(len(accounts)), "count"),
        ("others", None, people(others), "count"),
        ("growth", None, growth, "percent"),
    ]


def measure_proposals(commune_id, period, district_id=None):
    rows = proposals(commune_id, period.start, period.end, district_id)
    answered = [r for r in rows if r["answered"]]
    delays = [
        (r["answered"] - r["submitted"]).total_seconds() / 86400 for r in answered
    ]
    return [
        ("proposed", None, len(rows), "count"),
        ("associations", None, sum(r["association"] for r in rows), "count"),
        (
            "answered",
            None,
            services.share(len(answered), len(rows), of_people=False),
            "percent",
        ),
        ("median", None, services._days(delays), "days"),
    ]


def measure_repetition(commune_id, period, district_id=None):
    earlier = periods.previous(commune_id, period)
    now_ids, _others = participant_counts(commune_id, period, district_id)
    if earlier is None:
        return [("again", None, None, "percent")]
    then_ids, _others = participant_counts(commune_id, earlier, district_id)
    again = len(now_ids & then_ids)
    return [
        ("returning", None, services.people(again), "count"),
        ("again", None, services.share(again, len(now_ids)), "percent"),
    ]


def measure_petitions(commune_id, period, district_id=None):
    from pbvote.petitions import services as petitions

    f = petitions.indicators(commune_id, period.start, period.end)
    return [
        ("filed", None, f["filed"], "count"),
        ("citizens", None, f["filed_by_citizens"], "count"),
        ("associations", None, f["filed_by_associations"], "count"),
        ("accepted", None, f["accepted"], "count"),
    ]


def measure_information(commune_id, period, district_id=None):
    from pbvote.inforequests import queries as info

    f = info.indicators(commune_id, period.start, period.end)
    closed = f["answered"] + f["refused"]
    return [
        ("received", None, f["received"], "count"),
        (
            "answered",
            None,
            services.share(closed, f["received"], of_people=False),
            "percent",
        ),
        ("in_time", None, services._pct(f["on_time_rate"]), "percent"),
        ("median", None, f["median_working_days"], "days"),
    ]


def measure_mechanisms(commune_id, period, district_id=None):
    return [
        ("channels", None, len(services.CHANNELS), "count"),
        ("bodies", None, queries.advisory_bodies(commune_id), "count"),
        ("meetings", None, meetings_held(commune_id, period), "count"),
    ]


def measure_diversity(commune_id, period, district_id=None):
    answers = profiles(commune_id, period.first_day, period.last_day)
    rows = []
    for index, prefix, labels in (
        (0, "age", [(band, band) for band in services.AGE_BANDS]),
        (1, "gender", services.GENDERS),
        (2, "disability", services.DISABILITY),
    ):
        counts: dict[str, int] = {}
        for answer in answers:
            counts[answer[index]] = counts.get(answer[index], 0) + 1
        dimension = ("age_band", "gender", "disability")[index]
        population = queries.census_by_dimension(commune_id).get(dimension, {})
        rows += services._rate_rows(prefix, counts, labels, population)
    rows += services._meeting_rows(attendance(commune_id, period))
    voters = voters_by_district(commune_id, period.first_day, period.last_day)
    for district in queries.districts(commune_id):
        if district_id and district.id != district_id:
            continue
        population = {"d": district.population} if district.population else {}
        counts = {"d": voters.get(district.id, 0)}
        for key, lab, value, unit in services._rate_rows(
            "district", counts, [("d", district.name_fr)], population
        ):
            rows.append((key.replace(".d", f".{district.id}"), lab, value, unit))
    return rows


def measure_satisfaction(commune_id, period, district_id=None):
    figures = compute_figures(commune_id, period.first_day, period.last_day)
    ratings = figures["satisfaction"]["ratings"]
    answers = complaints.indicators(commune_id, period.start, period.end)
    survey = satisfaction(commune_id, period)
    overall, response, again = (survey.get(i, []) for i in range(3))
    score = services._suppress_score
    return [
        ("respondents", None, services.people(len(overall)), "count"),
        ("survey", None, services._mean(overall), "score"),
        ("survey_answers", None, services._mean(response), "score"),
        ("survey_again", None, services.share(again.count(0), len(again)), "percent"),
        ("ratings", None, services.people(ratings), "count"),
        ("projects", None, score(figures["satisfaction"]["average"], ratings), "score"),
        (
            "complaints",
            None,
            score(answers["average_rating"], answers["rated"]),
            "score",
        ),
        (
            "again",
            None,
            services.share(figures["take_part_again"]["yes"], ratings),
            "percent",
        ),
    ]


def measure_execution(commune_id, period, district_id=None):
    figures = compute_figures(commune_id, period.first_day, period.last_day)
    rows = [("projects", None, figures["records"], "count")]
    for key, count in figures["per_status"].items():
        rows.append((f"status.{key}", None, count, "count"))
    rows += [
        ("allocated", None, figures["allocated"], "mad"),
        ("committed", None, figures["committed"], "mad"),
        ("spent", None, figures["spent"], "mad"),
        ("late", None, len(figures["delayed"]), "count"),
    ]
    return rows


def measures() -> dict:
    """The measures as they were, each period's figures read on their own
    (the domains' one-period indicators functions and the look-ups above)."""
    return {
        "petitions": measure_petitions,
        "mechanisms": measure_mechanisms,
        "participants": measure_participants,
        "diversity": measure_diversity,
        "information": measure_information,
        "proposals": measure_proposals,
        "repetition": measure_repetition,
        "satisfaction": measure_satisfaction,
        "execution": measure_execution,
    }


def dashboard(commune_id, period, district_id=None) -> dict:
    """The old loop: every measure for the period, then again for the one before."""
    earlier = periods.previous(commune_id, period)
    indicators = []
    for key, measure in measures().items():
        current = measure(commune_id, period, district_id)
        before = {}
        if earlier is not None:
            before = {
                row[0]: row[2] for row in measure(commune_id, earlier, district_id)
            }
        indicators.append(
            {
                "key": key,
                "title": str(TITLES[key]),
                "definition": str(DEFINITIONS[key]),
                "rows": [
                    {"key": k, "value": v, "previous": before.get(k), "unit": u}
                    for k, _label, v, u in current
                ],
            }
        )
    return {
        "period": period.code,
        "previous": earlier.code if earlier else None,
        "district_id": district_id,
        "indicators": indicators,
    }
