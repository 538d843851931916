"""Resident sign-in by SMS code and staff sign-in by password and TOTP."""

from datetime import timedelta

from sqlalchemy import select

from pbvote.accounts.models import OtpChallenge, User
from pbvote.core.time import utcnow
from pbvote.extensions import db
from tests.factories import create_staff
from tests.helpers import (
    last_code,
    login_staff,
    outbox,
    run_jobs,
    submit,
)

PHONE = "+212612345678"


def test_resident_signs_in_with_a_code_sent_by_sms(app, client, commune):
    response = submit(client, "/login", {"phone": "06 12 34 56 78"})
    assert response.status_code == 302 and "/login/code" in response.location
    code = last_code(app, PHONE)
    response = submit(client, "/login/code", {"code": code})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.phone == PHONE))
        assert user.kind == "resident"
        challenge = db.session.scalar(select(OtpChallenge))
        assert code not in challenge.code_hash and len(challenge.code_hash) == 64


def test_code_in_arabic_digits_is_accepted(app, client, commune):
    submit(client, "/login", {"phone": PHONE})
    code = last_code(app, PHONE).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert submit(client, "/login/code", {"code": code}).status_code == 302


def test_invalid_number_gets_a_clear_message(client, commune):
    page = submit(client, "/login", {"phone": "12345"}).get_data(as_text=True)
    assert "This is not a valid mobile number. Example: 06 12 34 56 78." in page
    assert 'value="12345"' in page  # what was typed is kept


def test_text_that_is_no_number_gets_a_clear_message(client, commune):
    page = submit(client, "/login", {"phone": "ahmed"}).get_data(as_text=True)
    assert "This is not a phone number. Example: 06 12 34 56 78." in page
    assert 'value="ahmed"' in page


def test_expired_code_is_refused(app, client, commune):
    submit(client, "/login", {"phone": PHONE})
    code = last_code(app, PHONE)
    with app.app_context():
        challenge = db.session.scalar(select(OtpChallenge))
        challenge.expires_at_dt = utcnow() - timedelta(seconds=1)
        db.session.commit()
    page = submit(client, "/login/code", {"code": code}).get_data(as_text=True)
    assert "expired" in page


def test_used_code_cannot_sign_in_again(app, client, commune):
    submit(client, "/login", {"phone": PHONE})
    code = last_code(app, PHONE)
    with app.app_context():
        challenge_id = db.session.scalar(select(OtpChallenge.id))
    assert submit(client, "/login/code", {"code": code}).status_code == 302
    other = app.test_client()
    with other.session_transaction() as session:
        session["login_challenge_id"] = challenge_id
    page = submit(other, "/login/code", {"code": code}).get_data(as_text=True)
    assert "already used" in page


def test_sixth_wrong_try_is_locked_even_with_the_right_code(app, client, commune):
    submit(client, "/login", {"phone": PHONE})
    code = last_code(app, PHONE)
    wrong = "000000" if code != "000000" else "111111"
    for tries_left in (4, 3, 2, 1):
        page = submit(client, "/login/code", {"code": wrong}).get_data(as_text=True)
        assert f"{tries_left} tr" in page
    page = submit(client, "/login/code", {"code": wrong}).get_data(as_text=True)
    assert "Too many wrong codes" in page
    page = submit(client, "/login/code", {"code": code}).get_data(as_text=True)
    assert "Too many wrong codes" in page


def test_unknown_and_known_numbers_get_the_same_answer(app, client, commune, committed):
    from tests.factories import create_resident

    with committed():
        create_resident(commune["id"], PHONE)
    known = submit(client, "/login", {"phone": PHONE})
    other = app.test_client()
    unknown = submit(other, "/login", {"phone": "+212612349999"})
    assert known.status_code == unknown.status_code == 302
    assert known.location == unknown.location
    page_known = client.get(known.location).get_data(as_text=True)
    page_unknown = other.get(unknown.location).get_data(as_text=True)
    strip = lambda page: (
        page.split('name="csrf_token"')[0]
        .replace("+212 6•• ••• •78", "X")
        .replace("+212 6•• ••• •99", "X")
    )
    assert strip(page_known) == strip(page_unknown)


def test_resend_cooldown(app, client, commune):
    submit(client, "/login", {"phone": PHONE})
    page = submit(client, "/login", {"phone": PHONE}).get_data(as_text=True)
    assert "Please wait 1 minute" in page
    run_jobs(app, "sms")
    assert len(outbox(app)) == 1


def test_per_ip_send_limit(app, client, commune):
    limit = app.config["OTP_SENDS_PER_IP_PER_HOUR"]
    for index in range(limit):
        assert (
            submit(client, "/login", {"phone": f"+2126123{index:05d}"}).status_code
            == 302
        )
    page = submit(client, "/login", {"phone": "+212699999999"}).get_data(as_text=True)
    assert "Please wait" in page


def test_staff_sign_in_needs_password_and_totp(app, client, commune, committed):
    with committed():
        _, secret = create_staff(commune["id"], "amina", ["admin"])
    login_staff(client, "amina", secret)
    assert client.get("/staff/users").status_code == 200


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(
    client, commune, committed
):
    with committed():
        create_staff(commune["id"], "amina", ["admin"])
    page = submit(client, "/staff/login", {"username": "amina", "password": "nope"})
    assert "Wrong username or password" in page.get_data(as_text=True)
    page = submit(client, "/staff/login", {"username": "nobody", "password": "nope"})
    assert "Wrong username or password" in page.get_data(as_text=True)


def test_totp_code_is_accepted_once(app, client, commune, committed):
    with committed():
        _, secret = create_staff(commune["id"], "amina", ["admin"])
    code = login_staff(client, "amina", secret)  # the code it used
    other = app.test_client()
    from tests.factories import STAFF_PASSWORD

    submit(other, "/staff/login", {"username": "amina", "password": STAFF_PASSWORD})
    page = submit(other, "/staff/login/code", {"code": code}).get_data(as_text=True)
    assert "already used" in page
    assert other.get("/staff/users").status_code == 302


def test_new_staff_enrols_totp_with_a_local_qr_code(app, client, commune, committed):
    import pyotp

    from pbvote.accounts.services import TOTP_SEAL
    from pbvote.core.security import open_secret
    from tests.factories import STAFF_PASSWORD

    with committed():
        create_staff(commune["id"], "youssef", ["reviewer"], enrolled=False)
    response = submit(
        client, "/staff/login", {"username": "youssef", "password": STAFF_PASSWORD}
    )
    assert "/staff/enrol" in response.location
    page = client.get("/staff/enrol").get_data(as_text=True)
    assert "<svg" in page and "http" not in page.split("<svg")[1].split("</svg>")[
        0
    ].replace("http://www.w3.org", "")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "youssef"))
        secret = open_secret(TOTP_SEAL, user.totp_pending_enc)
    response = submit(client, "/staff/enrol", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200


def test_admin_creates_staff_and_it_is_audited(app, client, commune, committed):
    with committed():
        _, secret = create_staff(commune["id"], "amina", ["admin"])
    login_staff(client, "amina", secret)
    page = submit(
        client,
        "/staff/users/new",
        {
            "username": "Fatima",
            "display_name": "Fatima F",
            "roles": ["finance"],
            "active": "y",
        },
    ).get_data(as_text=True)
    assert "shown only once" in page
    page = submit(
        client,
        "/staff/users/new",
        {"username": "fatima", "display_name": "Again", "roles": ["finance"]},
    )
    assert "already taken" in page.get_data(as_text=True)
    page = submit(
        client, "/staff/users/new", {"username": "nobody", "display_name": "No role"}
    ).get_data(as_text=True)
    assert "Choose at least one role" in page
    log = client.get("/staff/audit?action=staff.").get_data(as_text=True)
    assert "staff.create" in log and "amina" in log


def test_a_handed_over_password_is_changed_at_first_sign_in(
    app, client, commune, committed
):
    import pyotp

    from pbvote.accounts.services import TOTP_SEAL
    from pbvote.accounts.services import create_staff as make_staff
    from pbvote.core.security import open_secret

    with committed():
        _, password = make_staff(
            None, commune["id"], "karim", "Karim", ["clerk"], utcnow()
        )
    response = submit(
        client, "/staff/login", {"username": "karim", "password": password}
    )
    client.get(response.location)  # the enrolment page makes the secret
    with app.app_context():
        pending = db.session.scalar(select(User).where(User.username == "karim"))
        secret = open_secret(TOTP_SEAL, pending.totp_pending_enc)
    response = submit(client, "/staff/enrol", {"code": pyotp.TOTP(secret).now()})
    assert "/staff/password" in response.location
    url = "/staff/password"
    for data, message in (
        (
            {
                "current": "wrong",
                "new": "a long new password",
                "repeated": "a long new password",
            },
            "current password is not right",
        ),
        ({"current": password, "new": "short", "repeated": "short"}, "at least 12"),
        (
            {
                "current": password,
                "new": "a long new password",
                "repeated": "another one!!",
            },
            "not the same",
        ),
    ):
        page = submit(client, url, data).get_data(as_text=True)
        assert message in page
    response = submit(
        client,
        url,
        {
            "current": password,
            "new": "a long new password",
            "repeated": "a long new password",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        changed = db.session.scalar(select(User).where(User.username == "karim"))
        assert not changed.password_must_change


def test_the_staff_list_names_roles_in_words_not_keys(app, client, commune, committed):
    """The roles column showed "clerk", "admin": untranslated keys on Arabic pages."""
    with committed():
        _, secret = create_staff(commune["id"], "amina", ["admin"])
        create_staff(commune["id"], "karim", ["clerk", "reviewer"])
    login_staff(client, "amina", secret)
    page = client.get("/staff/users").get_data(as_text=True)
    assert "Citizen-office clerk, Advisory-body reviewer" in page
    assert "<td>clerk" not in page and "<td>admin</td>" not in page
