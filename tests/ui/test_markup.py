"""Markup every page must respect, checked on the whole demo with the test client:
no attribute rendered from a Python None, no untouched field announced as invalid,
readable names instead of codes."""

import re
from pathlib import Path

import pytest

from tests.helpers import submit, totp_code
from tests.ui.test_axe import STAFF_PASSWORD, public_pages, staff_pages

NONE_ATTRIBUTE = re.compile(r'="None"')


def sign_in_admin(client, demo) -> None:
    data = {"username": "admin", "password": STAFF_PASSWORD}
    assert submit(client, "/staff/login", data).status_code == 302
    code = {"code": totp_code(demo["admin_secret"])}
    assert submit(client, "/staff/login/code", code).status_code == 302


def rendered(client, path: str) -> str:
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200, f"{path}: {response.status_code}"
    return response.get_data(as_text=True)


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_no_page_renders_none_or_marks_untouched_fields_invalid(client, demo, language):
    client.set_cookie("lang", language)
    pages = public_pages(demo) + [f"/cycles/{demo['current']}/vote"]
    for path in pages:
        html = rendered(client, path)
        assert not NONE_ATTRIBUTE.search(html), path
        assert "aria-invalid" not in html, path
    sign_in_admin(client, demo)
    for path in staff_pages(demo):
        assert not NONE_ATTRIBUTE.search(rendered(client, path)), path


def test_a_failed_submit_marks_only_the_wrong_fields(client, demo):
    cin, _birth = demo["voter"]
    response = submit(
        client,
        f"/cycles/{demo['current']}/vote",
        {"cin": cin, "birth_date": "", "phone": ""},
    )
    html = response.get_data(as_text=True)
    assert not NONE_ATTRIBUTE.search(html)
    assert re.search(r'id="birth_date"[^>]*aria-invalid="true"', html) or re.search(
        r'aria-invalid="true"[^>]*id="birth_date"', html
    )
    cin_input = re.search(r"<input[^>]*id=\"cin\"[^>]*>", html).group(0)
    assert "aria-invalid" not in cin_input and "cin-error" not in cin_input


def test_staff_pages_name_audit_actions(client, demo):
    client.set_cookie("lang", "fr")
    sign_in_admin(client, demo)
    audit = rendered(client, "/staff/audit")
    assert "Results published" in audit or "Résultats publiés" in audit


def source_codes(pattern: str) -> set[str]:
    root = Path(__file__).resolve().parents[2] / "pbvote"
    found = set()
    for path in root.rglob("*.py"):
        found |= set(re.findall(pattern, path.read_text(encoding="utf-8")))
    return found


def test_every_audit_action_and_sms_purpose_in_the_code_has_a_name():
    from pbvote.core.labels import ACTION_LABELS, EMAIL_PURPOSES, SMS_PURPOSES

    actions = source_codes(r'record_action\(\s*[^,]+,\s*"([a-z_]+\.[a-z_.]+)"')
    # SMS codes are sent as "otp-<purpose>" (pbvote.accounts.otp.issue_code).
    purposes = {
        code if code in SMS_PURPOSES else f"otp-{code}"
        for code in source_codes(r'purpose="([a-z_-]+)"') | {"login"}
    }
    assert actions and actions <= set(ACTION_LABELS), actions - set(ACTION_LABELS)
    # E-mail purposes (the same purpose= keyword) are named in EMAIL_PURPOSES.
    named = set(SMS_PURPOSES) | {f"otp-{code}" for code in EMAIL_PURPOSES}
    assert purposes <= named, purposes - named
