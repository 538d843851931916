"""Every SMS template fits one segment in each
language, with the longest values it can carry: 70 UCS-2 characters in Arabic,
160 GSM-7 characters in French. Translations are read from the catalogues and the
branches' pending PO files (i18n-pending/), so a longer translation fails here."""

import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from babel.messages.pofile import read_po
from sqlalchemy import select

from pbvote.sms.segments import is_gsm7, segments, units

ROOT = Path(__file__).resolve().parents[2]
LONGEST_ID = 2**31 - 1  # the largest id PostgreSQL stores
DECISIONS = (
    "Feasible",
    "Feasible with changes",
    "Not feasible",
    "Merged into another proposal",
)
NUMBER_KINDS = {
    "%(id)d": LONGEST_ID,
    "%(num)d": 9999,
    "{code}": "999999",
    "%(number)s": "DI-2026-ABCDEF",  # tracking numbers (inforequests, complaints)
    "%(day)s": "2026-12-31",
    # Two receipts of 16 hex digits in groups of four (commune, district).
    "%(codes)s": "abcd-ef01-2345-6789 abcd-ef01-2345-6789",
    "%(key)s": "abcd ef01 2345 6789 abcd ef01 2345 6789",  # 128-bit fingerprint
    "%(code)s": "abcd-ef01-2345-6789",  # a poll's one receipt
    "%(progress)d": 100,
    "%(year)s": 9999,
}
# A meeting's start as an SMS writes it (format_moment "short"), its longest.
LONGEST_MOMENT = datetime(2026, 12, 31, 23, 59, tzinfo=ZoneInfo("Africa/Casablanca"))
# (source file, msgid or (singular, plural)). The test below proves this list
# names every module that queues an SMS, except those still to be shortened.
TEMPLATES = [
    ("pbvote/voting/services.py", "Ouazzane: vote recorded. Receipts: %(codes)s"),
    ("pbvote/voting/services.py", "Ouazzane: results key %(key)s"),
    ("pbvote/polls/services.py", "Ouazzane poll: vote recorded. Receipt: %(code)s"),
    ("pbvote/polls/services.py", "Ouazzane: results key %(key)s"),
    (
        "pbvote/inforequests/services.py",
        "Ouazzane: information request %(number)s received; answer by %(day)s.",
    ),
    (
        "pbvote/inforequests/services.py",
        "Ouazzane: your request %(number)s has an answer. See the site.",
    ),
    (
        "pbvote/complaints/services.py",
        "Ouazzane: your complaint %(number)s has an answer. Rate it on the site.",
    ),
    (
        "pbvote/accounts/services.py",
        "Ouazzane: your code is {code}. Valid 10 minutes, never share it.",
    ),
    (
        "pbvote/notifications/author.py",
        "Ouazzane: your proposal %(id)d has its answer: %(decision)s.",
    ),
    (
        "pbvote/notifications/texts.py",
        "Ouazzane: proposal %(id)d has its answer. See the site.",
    ),
    (
        "pbvote/notifications/texts.py",
        "Ouazzane: a reply to your comment on proposal %(id)d.",
    ),
    (
        "pbvote/notifications/texts.py",
        "Ouazzane: the commune answered on proposal %(id)d.",
    ),
    ("pbvote/notifications/texts.py", "Ouazzane: news on the works of project %(id)d."),
    (
        "pbvote/accountability/followup.py",
        "Ouazzane: project %(id)d is %(progress)d %% done. See the site.",
    ),
    (
        "pbvote/accountability/followup.py",
        "Ouazzane: project %(id)d should have ended on %(day)s and is not completed.",
    ),
    (
        "pbvote/results/counting.py",
        "Ouazzane alert: the count of the %(year)s cycle stopped. See the site.",
    ),
    ("pbvote/meetings/services.py", "Ouazzane: the meeting of %(when)s is cancelled."),
    (
        "pbvote/meetings/services.py",
        "Ouazzane: a place became free: registered for the meeting of %(when)s.",
    ),
    # The reminder names the place only when the whole SMS still fits one segment
    # (checked when sent); this is the text it falls back to.
    (
        "pbvote/meetings/services.py",
        "Ouazzane: reminder, meeting on %(when)s. Place on the site.",
    ),
    ("pbvote/notifications/texts.py", "Ouazzane: the results of cycle %(id)d are out."),
    (
        "pbvote/notifications/texts.py",
        (
            "Ouazzane: %(num)d new update on what you follow.",
            "Ouazzane: %(num)d new updates on what you follow.",
        ),
    ),
]
OUT_OF_SCOPE = ("pbvote/sms/",)  # the SMS package sends what others write


@lru_cache(maxsize=2)
def catalogue(language: str) -> dict:
    found = {}
    files = [ROOT / f"pbvote/translations/{language}/LC_MESSAGES/messages.po"]
    files += sorted((ROOT / "i18n-pending").glob(f"*.{language}.po"))
    for path in files:
        with open(path, "rb") as handle:
            for message in read_po(handle, locale=language):
                if message.id and message.string:
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    strings = message.string
                    forms = [strings] if isinstance(strings, str) else strings
                    found[key] = [form for form in forms if form]  # unused forms
    return found


def fill(text: str, decision: str, language: str) -> str:
    for placeholder, value in NUMBER_KINDS.items():
        text = text.replace(placeholder, str(value))
    when = format_datetime(LONGEST_MOMENT, "short", locale=f"{language}_MA")
    text = text.replace("%(when)s", when)
    return text.replace("%(decision)s", decision).replace("%%", "%")


@pytest.mark.parametrize("language", ["ar", "fr"])
@pytest.mark.parametrize("source,msgid", TEMPLATES)
def test_each_template_fits_one_segment(language, source, msgid):
    strings = catalogue(language)
    key = msgid if isinstance(msgid, str) else msgid[0]
    assert key in strings, f"no {language} translation for {key!r}"
    decisions = [strings[d][0] for d in DECISIONS]
    for form in strings[key]:
        for decision in decisions if "%(decision)s" in form else [""]:
            text = fill(form, decision, language)
            encoding, length = units(text)
            assert segments(text) == 1, f"{text!r}: {length} {encoding} units"
            if language == "fr":
                assert is_gsm7(text), f"not GSM-7: {text!r}"


def test_the_list_names_every_module_that_sends_an_sms():
    senders = set()
    for path in (ROOT / "pbvote").rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(OUT_OF_SCOPE):
            continue
        # queue_sms, queue_messages, or message_rows for its own statement
        text = path.read_text(encoding="utf-8")
        if re.search(r"\b(queue_sms|queue_messages|message_rows)\(", text):
            senders.add(relative)
    # These send texts written elsewhere: the sign-in code, the notifications.
    written_in = {
        "pbvote/accounts/otp.py": "pbvote/accounts/services.py",
        "pbvote/notifications/services.py": "pbvote/notifications/texts.py",
    }
    senders = {written_in.get(sender, sender) for sender in senders}
    assert senders == {source for source, _ in TEMPLATES}
    for source, msgid in TEMPLATES:
        key = msgid if isinstance(msgid, str) else msgid[0]
        assert key.split("%")[0].split("{")[0] in (ROOT / source).read_text(
            encoding="utf-8"
        )


def test_receipts_and_a_64_bit_key_cannot_share_one_arabic_segment():
    """Why the receipt SMS and the key's SMS are two (docs/voting.md): the two
    receipts and a 64-bit fingerprint, as the pages show them, leave 11 UCS-2
    characters; the Arabic receipt text alone needs more than that."""
    values = fill("%(codes)s", "", "ar") + " " + NUMBER_KINDS["%(key)s"][:19]
    assert units(values) == ("gsm7", 59)
    receipt = catalogue("ar")["Ouazzane: vote recorded. Receipts: %(codes)s"][0]
    words = receipt.replace("%(codes)s", "").strip()
    assert len(words) > 70 - 59 - 1
    combined = fill(receipt, "", "ar") + " " + NUMBER_KINDS["%(key)s"][:19]
    assert segments(combined) == 2
    # French would fit (GSM-7, 160): the two SMS are kept for both languages alike.
    french = catalogue("fr")["Ouazzane: vote recorded. Receipts: %(codes)s"][0]
    key_fr = catalogue("fr")["Ouazzane: results key %(key)s"][0]
    assert segments(fill(french, "", "fr") + ". " + fill(key_fr, "", "fr")) == 1


def test_segment_counting():
    assert segments("a" * 160) == 1 and segments("a" * 161) == 2
    assert segments("€" * 80) == 1 and segments("€" * 81) == 2  # extension: two
    assert segments("ب" * 70) == 1 and segments("ب" * 71) == 2
    assert segments("ب" * 134) == 2 and segments("ب" * 135) == 3  # 67 per part
    assert units("ç")[0] == "ucs2" and units("Ç")[0] == "gsm7"
    assert segments("") == 0


def test_the_staff_sms_page_shows_segments_and_cost_per_month(
    client, app, committed, commune
):
    from datetime import timedelta

    from pbvote.core.time import utcnow
    from pbvote.extensions import db
    from pbvote.sms.models import SmsMessage
    from pbvote.sms.services import queue_sms
    from tests.factories import create_staff
    from tests.helpers import login_staff

    now = utcnow()
    with committed():
        _, secret = create_staff(commune["id"], "amina", ["admin"])
        queue_sms("+212612000001", "ب" * 70, now, purpose="t", commune_id=commune["id"])
        queue_sms("+212612000001", "ب" * 71, now, purpose="t", commune_id=commune["id"])
        old = db.session.get(
            SmsMessage, queue_sms("+212612000001", "a" * 200, now, purpose="t")
        )
        old.commune_id = commune["id"]
        old.created_at_dt = now - timedelta(days=62)
    with app.app_context():
        counts = sorted(db.session.scalars(select(SmsMessage.segments)))
        assert counts == [1, 2, 2]
    login_staff(client, "amina", secret)
    page = client.get("/staff/sms").get_data(as_text=True)
    table = page[page.index('id="sms-usage"') :]
    rows = re.findall(r"<tr><td>(\d{4}-\d{2})</td>(.*?)</tr>", table)
    cells = [re.findall(r'class="num">([^<]*)<', row) for _, row in rows]
    assert [c[:2] for c in cells] == [["2", "3"], ["1", "2"]]  # latest month first
    assert "0.90" in cells[0][2] and "0.60" in cells[1][2]  # 0.30 MAD a segment
