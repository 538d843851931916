"""Indicators from the domains that are not part of pbvote yet (consultative
meetings, surveys): their rows say "not yet available" rather than a number."""

from importlib import util

NOT_AVAILABLE = "unavailable"


def _present(name: str) -> bool:
    return util.find_spec(f"pbvote.{name}") is not None


def meetings_held(commune_id: int, period):
    if not _present("meetings"):
        return NOT_AVAILABLE
    from pbvote.meetings import services

    if not hasattr(services, "indicators"):
        return NOT_AVAILABLE
    return services.indicators(commune_id, period.start, period.end)["held"]


def survey_satisfaction(commune_id: int, period):
    if not _present("surveys"):
        return NOT_AVAILABLE
    from pbvote.surveys import services

    if not hasattr(services, "indicators"):
        return NOT_AVAILABLE
    return services.indicators(commune_id, period.start, period.end)["satisfaction"]
