"""Each indicator's title and definition, shown next to its value (section 13)."""

from flask_babel import lazy_gettext as _l

TITLES = {
    "petitions": _l("Petitions"),
    "mechanisms": _l("Participatory mechanisms"),
    "participants": _l("Participating residents"),
    "diversity": _l("Diversity of participation"),
    "information": _l("Right to information"),
    "proposals": _l("Projects and initiatives proposed"),
    "repetition": _l("Repetition"),
    "satisfaction": _l("Satisfaction"),
    "execution": _l("Execution of the winning projects"),
}

DEFINITIONS = {
    "petitions": _l(
        "Petitions filed with the commune in the period, by citizens and by "
        "associations, and how many of them the council accepted."
    ),
    "mechanisms": _l(
        "The participation channels open on the platform, the active advisory "
        "bodies, and the consultative meetings held in the period."
    ),
    "participants": _l(
        "Distinct residents who proposed, supported, commented, signed, rated a "
        "project, answered a survey, attended a consultative meeting or voted in "
        "the period. Accounts are counted once; voters (from the register, which "
        "the secret ballot keeps apart from accounts), paper signatures, anonymous "
        "survey answers and meeting attendance (recorded as totals) are added, so "
        "one person active in two of these ways counts twice. The growth compares "
        "with the same period a year earlier."
    ),
    "diversity": _l(
        "Participants by age band, gender and disability, from the profile voters "
        "chose to give, the attendance of consultative meetings by group, and "
        "voters by district; where the census gives the group's population, "
        "participants per 1,000 inhabitants."
    ),
    "information": _l(
        "Information requests received in the period; the share closed (answered "
        "or refused with reasons), the share closed within the legal deadline, and "
        "the median delay in working days."
    ),
    "proposals": _l(
        "Project proposals submitted in the period; the share that received a "
        "published answer from the commune, and the median days to that answer."
    ),
    "repetition": _l(
        "Of the residents with an account who took part in the period, the share "
        "who also took part in the previous period."
    ),
    "satisfaction": _l(
        "The periodic satisfaction survey (overall, with the commune's answers, "
        "taking part again); residents' ratings of completed projects (1 to 5) and "
        "of the commune's answers to complaints, and the share of raters willing "
        "to take part again."
    ),
    "execution": _l(
        "The winning projects as they stand at the end of the period: by status, "
        "the money allocated, committed and spent, and the projects late or "
        "suspended."
    ),
}
