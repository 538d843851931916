"""Demo holidays: the shipped list of Moroccan public holidays for 2025-2027."""

from pbvote.holidays.services import load_shipped_holidays


def seed(ctx) -> None:
    added = load_shipped_holidays()
    ctx["lines"] += [
        "",
        (
            f"Holidays: {added} Moroccan public holidays (2025-2027) at "
            "/staff/holidays; Islamic dates are estimates to confirm."
        ),
    ]
