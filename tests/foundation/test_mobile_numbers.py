"""pbvote.accounts.phones.normalise_mobile accepts exactly the numbers that
``phonenumbers`` finds valid AND of a mobile type (it asks only for the type: the
type of a number is_valid_number refuses is UNKNOWN)."""

import random

import phonenumbers
import pytest

from pbvote.accounts.errors import InvalidPhone
from pbvote.accounts.phones import MOBILE_TYPES, normalise_mobile

PREFIXES = ("0", "05", "06", "07", "08", "+2126", "+2125", "+33 6", "+1", "+800", "+44")


def _typed(rng: random.Random) -> str:
    digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(5, 11)))
    return rng.choice(PREFIXES) + digits


def _accepted_before(text: str) -> str | None:
    """The check as it was: is_valid_number, then the type."""
    try:
        number = phonenumbers.parse(text, "MA")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def test_the_same_numbers_are_accepted_as_with_both_checks(app):
    rng = random.Random(13)
    typed = [_typed(rng) for _ in range(3000)]
    typed += ["06 12 34 56 78", "+212612345678", "0522123456", "+33612345678"]
    accepted = 0
    with app.test_request_context():
        for text in typed:
            expected = _accepted_before(text)
            if expected is None:
                with pytest.raises(InvalidPhone):
                    normalise_mobile(text)
            else:
                assert normalise_mobile(text) == expected, text
                accepted += 1
    assert 100 < accepted < len(typed) - 100  # both answers were exercised
