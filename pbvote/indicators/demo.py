"""Demo census figures for the diversity indicators. They are DEMO DATA, shaped
like Ouazzane's population (about 57,700 inhabitants) but not official figures:
a real commune enters its census (HCP) through ``pbvote indicators census``."""

from pbvote.extensions import db
from pbvote.indicators.models import CensusCell

DEMO_SOURCE = "Demo data (not official census figures)"
DEMO_CENSUS = {
    "gender": {"woman": 29_600, "man": 28_100},
    "age_band": {
        "16-17": 2_300,
        "18-29": 12_100,
        "30-44": 11_800,
        "45-59": 8_900,
        "60+": 6_400,
    },
    "disability": {"yes": 2_900, "no": 54_800},
}


def seed(ctx) -> None:
    from pbvote.indicators import demo_activity

    demo_activity.seed(ctx)
    commune = ctx["commune"]
    for dimension, values in DEMO_CENSUS.items():
        for value, population in values.items():
            db.session.add(
                CensusCell(
                    commune_id=commune.id,
                    dimension=dimension,
                    value=value,
                    population=population,
                    source=DEMO_SOURCE,
                )
            )
    # Demo district populations: the commune's total shared by a fixed pattern.
    districts = sorted(commune.districts, key=lambda d: d.name_fr)
    weights = [3 + (index * 7) % 5 for index in range(len(districts))]
    for district, weight in zip(districts, weights, strict=True):
        if district.population is None:
            district.population = commune.population * weight // sum(weights)
    ctx["lines"].append(
        "Indicators: /indicators (census figures are demo data); charter reports "
        "at /staff/indicators/reports."
    )
