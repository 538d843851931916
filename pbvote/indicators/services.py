"""The charter's section 13 indicators, one function per indicator.

Each ``measure_*`` function returns the rows of one indicator for one period:
``(key, label, value, unit)``. :func:`dashboard` runs them for the period and
the one before and adds each indicator's definition. Values are numbers, None
("no data yet": a share of nothing is never a division) or :data:`SUPPRESSED`
when a cell counts fewer than :data:`MIN_CELL` people.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from statistics import median

from flask_babel import lazy_gettext as _l

from pbvote.accountability.reports import figures_by_period
from pbvote.core.i18n import current_language
from pbvote.indicators import consultation, periods, queries
from pbvote.indicators.definitions import DEFINITIONS, TITLES

# Look-ups shared by the measures while one dashboard is computed: the same
# period's participants, voters, attendance or execution figures are needed by
# several indicators (and by the period after), and are fetched once.
_SHARED: ContextVar[dict | None] = ContextVar("indicator_lookups", default=None)


@contextmanager
def shared_lookups():
    """Within this block, :func:`_once` computes each look-up once (a block
    inside another shares the outer one's look-ups)."""
    if _SHARED.get() is not None:
        yield
        return
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def _for_period(function, commune_id, period, *args):
    """``function(commune_id, periods, *args)[period]``: one statement serves
    every period the dashboard reads (its period, the one before, and those a
    year earlier), computed once per :func:`shared_lookups` block."""
    shared = _SHARED.get()
    wanted = shared.get(_PERIODS, ()) if shared is not None else ()
    if period not in wanted:
        wanted = (period,)
    return _once(function, commune_id, wanted, *args)[period]


_PERIODS = "periods"  # the shared dict's key for the periods the dashboard reads


def _previous(commune_id, period):
    return _once(periods.previous, commune_id, period)


def _year_before(commune_id, period):
    return _once(periods.year_before, commune_id, period)


def districts(commune_id: int) -> list:
    """The commune's active districts, read once per :func:`shared_lookups`."""
    return _once(queries.districts, commune_id)


def _spans(function, commune_id, periods) -> dict:
    """A domain's ``function(commune_id, [(start, end), ...])`` by period."""
    figures = function(commune_id, [(p.start, p.end) for p in periods])
    return dict(zip(periods, figures, strict=True))


def _petitions(commune_id, periods) -> dict:
    from pbvote.petitions import queries as petitions

    return _spans(petitions.indicators_by_period, commune_id, periods)


def _information(commune_id, periods) -> dict:
    from pbvote.inforequests import queries as information

    return _spans(information.indicators_by_period, commune_id, periods)


def _complaints(commune_id, periods) -> dict:
    from pbvote.complaints import queries as complaints

    return _spans(complaints.indicators_by_period, commune_id, periods)


def _once(function, *args):
    """``function(*args)``, computed once per :func:`shared_lookups` block."""
    shared = _SHARED.get()
    if shared is None:
        return function(*args)
    key = (function, *args)
    if key not in shared:
        shared[key] = function(*args)
    return shared[key]


MIN_CELL = 5
SUPPRESSED = "<5"
AGE_BANDS = ("16-17", "18-29", "30-44", "45-59", "60+")
GENDERS = (("woman", _l("Women")), ("man", _l("Men")))
DISABILITY = (("yes", _l("With a disability")), ("no", _l("Without a disability")))


def people(count: int):
    """A count of people, or SUPPRESSED when 1 to 4 could single someone out."""
    return SUPPRESSED if 0 < count < MIN_CELL else count


def share(part: int, whole: int, *, of_people: bool = True):
    """``part / whole`` in percent (one decimal); None when ``whole`` is 0;
    suppressed when either side counts fewer than 5 people."""
    if not whole:
        return None
    if of_people and (people(part) == SUPPRESSED or people(whole) == SUPPRESSED):
        return SUPPRESSED
    return round(100 * part / whole, 1)


def _days(deltas) -> float | None:
    return round(median(deltas), 1) if deltas else None


def measure_petitions(commune_id, period, district_id=None):
    f = _for_period(_petitions, commune_id, period)
    return [
        ("filed", _l("Petitions filed"), f["filed"], "count"),
        ("citizens", _l("by citizens"), f["filed_by_citizens"], "count"),
        ("associations", _l("by associations"), f["filed_by_associations"], "count"),
        ("accepted", _l("Petitions accepted"), f["accepted"], "count"),
    ]


def measure_mechanisms(commune_id, period, district_id=None):
    meetings = _attendance(commune_id, period)["held"]
    return [
        ("channels", _l("Participation channels open"), len(CHANNELS), "count"),
        (
            "bodies",
            _l("Advisory bodies"),
            _once(queries.advisory_bodies, commune_id),
            "count",
        ),
        ("meetings", _l("Consultative meetings held"), meetings, "count"),
    ]


# The channels pbvote itself offers the residents of a commune (section 13 counts
# the mechanisms in place): all are open in every commune.
CHANNELS = (
    "proposals",
    "vote",
    "petitions",
    "information_requests",
    "complaints",
    "project_follow_up",
)


def participant_counts(commune_id, period, district_id=None) -> tuple[set, int]:
    return _once(_participant_counts, commune_id, period, district_id)


def _voters(commune_id, period) -> dict[int, int]:
    return _for_period(queries.voters_by_period, commune_id, period)


def _attendance(commune_id, period) -> dict[str, int]:
    return _for_period(consultation.attendance_by_period, commune_id, period)


def _figures(commune_id, period) -> dict:
    return _for_period(_execution_by_period, commune_id, period)


def _execution_by_period(commune_id, periods) -> dict:
    spans = [(p.first_day, p.last_day) for p in periods]
    return dict(zip(periods, figures_by_period(commune_id, spans), strict=True))


def _proposals(commune_id, period, district_id) -> dict:
    return _for_period(queries.proposals_by_period, commune_id, period, district_id)


def _participant_counts(commune_id, period, district_id) -> tuple[set, int]:
    authors = _proposals(commune_id, period, district_id)["authors"]
    accounts = authors | _for_period(
        queries.other_participants_by_period, commune_id, period, district_id
    )
    voters = _voters(commune_id, period)
    voted = voters.get(district_id, 0) if district_id else sum(voters.values())
    paper = _for_period(
        queries.paper_signatures_by_period, commune_id, period, district_id
    )
    if district_id is not None:  # meetings and surveys carry no district
        return accounts, voted + paper
    surveyed, anonymous = _for_period(
        consultation.respondents_by_period, commune_id, period
    )
    attended = _attendance(commune_id, period)["attended_total"]
    return accounts | surveyed, voted + paper + anonymous + attended


def measure_participants(commune_id, period, district_id=None):
    accounts, others = participant_counts(commune_id, period, district_id)
    total = len(accounts) + others
    before = _year_before(commune_id, period)
    growth = None
    if before is not None:
        past_accounts, past_others = participant_counts(commune_id, before, district_id)
        past = len(past_accounts) + past_others
        growth = share(total - past, past) if past >= MIN_CELL else None
        if growth is not None and total < MIN_CELL:
            growth = SUPPRESSED
    return [
        ("total", _l("Participating residents"), people(total), "count"),
        ("accounts", _l("with an account"), people(len(accounts)), "count"),
        (
            "others",
            _l("voters, paper signatures, anonymous answers, meeting attendance"),
            people(others),
            "count",
        ),
        ("growth", _l("Growth on a year earlier"), growth, "percent"),
    ]


def _rate_rows(prefix, counts: dict, labels, population: dict):
    """Per group: participants (suppressed under 5) and, where the census gives
    the group's population, participants per 1,000 inhabitants."""
    rows = []
    for key, label in labels:
        count = counts.get(key, 0)
        rows.append((f"{prefix}.{key}", label, people(count), "count"))
        if population.get(key):
            rate = round(1000 * count / population[key], 1)
            rows.append(
                (
                    f"{prefix}.{key}.rate",
                    _l("%(group)s per 1,000 inhabitants", group=label),
                    SUPPRESSED if people(count) == SUPPRESSED else rate,
                    "rate",
                )
            )
    return rows


def measure_diversity(commune_id, period, district_id=None):
    answers = _for_period(queries.profiles_by_period, commune_id, period)
    rows = []
    for index, prefix, labels in (
        (0, "age", [(band, band) for band in AGE_BANDS]),
        (1, "gender", GENDERS),
        (2, "disability", DISABILITY),
    ):
        counts: dict[str, int] = {}
        for answer in answers:
            counts[answer[index]] = counts.get(answer[index], 0) + 1
        dimension = ("age_band", "gender", "disability")[index]
        population = _once(queries.census_by_dimension, commune_id).get(dimension, {})
        rows += _rate_rows(prefix, counts, labels, population)
    rows += _meeting_rows(_attendance(commune_id, period))
    voters = _voters(commune_id, period)
    for district in districts(commune_id):
        if district_id and district.id != district_id:
            continue
        label = district.name_fr
        population = {"d": district.population} if district.population else {}
        counts = {"d": voters.get(district.id, 0)}
        for key, lab, value, unit in _rate_rows(
            "district", counts, [("d", label)], population
        ):
            rows.append((key.replace(".d", f".{district.id}"), lab, value, unit))
    return rows


MEETING_GROUPS = (
    ("attended_women", _l("Meeting attendance: women")),
    ("attended_men", _l("Meeting attendance: men")),
    ("attended_with_disability", _l("Meeting attendance: with a disability")),
    ("age_under_18", _l("Meeting attendance: under 18")),
    ("age_18_35", _l("Meeting attendance: 18 to 35")),
    ("age_36_60", _l("Meeting attendance: 36 to 60")),
    ("age_over_60", _l("Meeting attendance: over 60")),
)


def _meeting_rows(sums: dict) -> list:
    """Consultative meetings count attendance by group (aggregates only)."""
    return [
        (f"meetings.{key}", label, people(sums[key]), "count")
        for key, label in MEETING_GROUPS
    ]


def measure_information(commune_id, period, district_id=None):
    f = _for_period(_information, commune_id, period)
    closed = f["answered"] + f["refused"]
    return [
        ("received", _l("Information requests received"), f["received"], "count"),
        (
            "answered",
            _l("Share answered"),
            share(closed, f["received"], of_people=False),
            "percent",
        ),
        (
            "in_time",
            _l("Share answered within the legal deadline"),
            _pct(f["on_time_rate"]),
            "percent",
        ),
        ("median", _l("Median delay (working days)"), f["median_working_days"], "days"),
    ]


def _pct(rate):
    return None if rate is None else round(100 * rate, 1)


def measure_proposals(commune_id, period, district_id=None):
    f = _proposals(commune_id, period, district_id)
    delays = f["delays"]
    return [
        ("proposed", _l("Projects and initiatives proposed"), f["proposed"], "count"),
        ("associations", _l("by associations"), f["associations"], "count"),
        (
            "answered",
            _l("Share answered"),
            share(len(delays), f["proposed"], of_people=False),
            "percent",
        ),
        ("median", _l("Median time to answer (days)"), _days(delays), "days"),
    ]


def measure_repetition(commune_id, period, district_id=None):
    earlier = _previous(commune_id, period)
    now_ids, _others = participant_counts(commune_id, period, district_id)
    if earlier is None:
        return [("again", _l("Took part in the previous period too"), None, "percent")]
    then_ids, _others = participant_counts(commune_id, earlier, district_id)
    again = len(now_ids & then_ids)
    return [
        ("returning", _l("Participants who came back"), people(again), "count"),
        (
            "again",
            _l("Took part in the previous period too"),
            share(again, len(now_ids)),
            "percent",
        ),
    ]


def measure_satisfaction(commune_id, period, district_id=None):
    figures = _figures(commune_id, period)
    ratings = figures["satisfaction"]["ratings"]
    answers = _for_period(_complaints, commune_id, period)
    survey = _for_period(consultation.satisfaction_by_period, commune_id, period)
    overall, response, again = (survey.get(i, []) for i in range(3))
    return [
        (
            "respondents",
            _l("Satisfaction survey respondents"),
            people(len(overall)),
            "count",
        ),
        (
            "survey",
            _l("Overall satisfaction (survey, out of 5)"),
            _mean(overall),
            "score",
        ),
        (
            "survey_answers",
            _l("Satisfaction with the commune's answers (survey, out of 5)"),
            _mean(response),
            "score",
        ),
        (
            "survey_again",
            _l("Would take part again (survey)"),
            share(again.count(0), len(again)),
            "percent",
        ),
        ("ratings", _l("Project ratings"), people(ratings), "count"),
        (
            "projects",
            _l("Satisfaction with the projects (out of 5)"),
            _suppress_score(figures["satisfaction"]["average"], ratings),
            "score",
        ),
        (
            "complaints",
            _l("Satisfaction with the answers to complaints (out of 5)"),
            _suppress_score(answers["average_rating"], answers["rated"]),
            "score",
        ),
        (
            "again",
            _l("Willing to take part again (project ratings)"),
            share(figures["take_part_again"]["yes"], ratings),
            "percent",
        ),
    ]


def _mean(choices: list[int]):
    return (
        _suppress_score(sum(choices) / len(choices), len(choices)) if choices else None
    )


def _suppress_score(score, count):
    if score is None:
        return None
    return SUPPRESSED if count < MIN_CELL else round(score, 2)


def measure_execution(commune_id, period, district_id=None):
    figures = _figures(commune_id, period)
    rows = [("projects", _l("Winning projects followed"), figures["records"], "count")]
    for key, count in figures["per_status"].items():
        labels = figures["status_labels"].get(key, {})
        label = labels.get(current_language().code, key)
        rows.append((f"status.{key}", label, count, "count"))
    rows += [
        ("allocated", _l("Money allocated"), figures["allocated"], "mad"),
        ("committed", _l("Money committed"), figures["committed"], "mad"),
        ("spent", _l("Money spent"), figures["spent"], "mad"),
        ("late", _l("Projects late or suspended"), len(figures["delayed"]), "count"),
    ]
    return rows


MEASURES = {
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


def dashboard(
    commune_id: int, period, district_id: int | None = None, progress=None
) -> dict:
    """Every indicator for ``period`` next to the previous period, with its
    definition. Plain values only, ready for the page, the CSV and the JSON.
    ``progress(done, total)`` is called after each indicator (report jobs)."""
    with shared_lookups():
        return _dashboard(commune_id, period, district_id, progress)


def _dashboard(commune_id, period, district_id, progress) -> dict:
    earlier = _previous(commune_id, period)
    # The periods the measures read (participants: a year earlier; repetition:
    # the period before each), fetched together by the look-ups.
    wanted = [period, earlier, _year_before(commune_id, period)]
    if earlier is not None:
        wanted += [_year_before(commune_id, earlier), _previous(commune_id, earlier)]
    _SHARED.get()[_PERIODS] = tuple(dict.fromkeys(p for p in wanted if p is not None))
    indicators = []
    for done, (key, measure) in enumerate(MEASURES.items(), start=1):
        if progress is not None:
            progress(done - 1, len(MEASURES))
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
                    {
                        "key": row_key,
                        "label": str(label),
                        "value": value,
                        "previous": before.get(row_key),
                        "unit": unit,
                    }
                    for row_key, label, value, unit in current
                ],
            }
        )
    return {
        "period": period.code,
        "previous": earlier.code if earlier else None,
        "district_id": district_id,
        "indicators": indicators,
    }
