"""Mobile numbers, validated and normalised with ``phonenumbers``."""

import phonenumbers
from flask_babel import gettext as _

from pbvote.accounts.errors import InvalidPhone

MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def normalise_mobile(raw: str, region: str = "MA") -> str:
    """``06 12 34 56 78`` or ``+212612345678`` -> ``+212612345678``.

    Raises InvalidPhone when the text is not a valid mobile number.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidPhone(_("Enter your mobile number."))
    if len(text) > 30:
        raise InvalidPhone(_("This mobile number is too long."))
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidPhone(_("This is not a phone number. Example: 06 12 34 56 78."))
    # number_type is UNKNOWN for a number is_valid_number refuses (both look up
    # the same region's patterns): one look-up instead of two.
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise InvalidPhone(
            _("This is not a valid mobile number. Example: 06 12 34 56 78.")
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def masked(phone: str) -> str:
    """``+212612345678`` -> ``+212 6•• ••• •78``, to confirm without revealing."""
    return f"{phone[:4]} {phone[4]}•• ••• •{phone[-2:]}" if len(phone) > 7 else "•••"
