"""Legal thresholds and deadlines of petitions: settings with the law's defaults
(docs/petitions.md)."""

from flask import current_app

DEFAULTS = {
    "PETITION_SIGNATURE_THRESHOLD": 200,
    "PETITION_DECISION_MONTHS": 3,
    "PETITION_WARNING_DAYS": 15,
    "PETITION_ASSOCIATION_MIN_YEARS": 3,
}


def setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))
