"""The session cookie is sent only when the session changes, and Flask-Login's
strong session protection still signs out a stolen sign-in (issue 13:
pbvote.extensions.SignInProtection)."""

import hashlib
import time
from datetime import UTC, datetime

import pytest
from flask.sessions import SecureCookieSessionInterface, session_json_serializer
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from markupsafe import Markup

from tests.helpers import login_resident


def test_a_page_read_without_signing_in_sends_no_cookie(client, commune):
    first = client.get("/login")  # the form's CSRF token opens a session
    assert any(c.startswith("session=") for c in first.headers.getlist("Set-Cookie"))
    again = client.get("/login")
    assert again.headers.getlist("Set-Cookie") == []
    assert client.get("/cycles").headers.getlist("Set-Cookie") == []


def test_a_sign_in_used_from_another_browser_is_cleared(app, client, commune):
    login_resident(client, app)
    assert 'action="/logout"' in client.get("/").get_data(as_text=True)
    client.environ_base["HTTP_USER_AGENT"] = "another browser"
    page = client.get("/").get_data(as_text=True)
    assert 'action="/logout"' not in page and 'href="/login"' in page


# The session cookie is Flask's own, byte for byte, read and written with less
# CPU (pbvote.core.session_cookie, issue 13).

SESSIONS = [
    {  # what a voter's session holds: JSON values only
        "csrf_token": "ab" * 20,
        "vote_attempt": {"7": 12},
        "vote_phone_masked": "+212 6•• ••• •12",
        "_fresh": False,
        "session_seen": 1700000000,
        "list": [1.5, None, True, {"k": []}],
    },
    {"_flashes": [("success", Markup("<bdi>N° 1</bdi>")), ("error", "plain")]},
    {
        "looks_tagged": {" t": ["a list"]},
        "when": datetime(2026, 1, 1, 12, tzinfo=UTC),
        "pair": (1, 2),
        "raw": b"\x00\xff",
    },
    {"long": "z" * 600},  # long enough to be compressed
]


def flasks_serializer(app, signer=TimestampSigner):
    return URLSafeTimedSerializer(
        [*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key],
        salt="cookie-session",
        serializer=session_json_serializer,
        signer=signer,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )


def signed_in_one_second(sign):
    while True:
        second = int(time.time())
        signed = sign()
        if int(time.time()) == second:
            return signed


@pytest.mark.parametrize("data", SESSIONS)
def test_the_session_cookie_is_flasks_own(app, data):
    ours = app.session_interface.get_signing_serializer(app)
    flasks = SecureCookieSessionInterface().get_signing_serializer(app)
    with app.app_context():  # Flask's tagged JSON writes with the app's provider
        mine, theirs = signed_in_one_second(
            lambda: (ours.dumps(data), flasks.dumps(data))
        )
        assert mine == theirs
        read = ours.loads(theirs, max_age=60)
        assert read == flasks.loads(mine, max_age=60) == data
    for category, message in read.get("_flashes", []):  # tuples and Markup kept
        assert type(message) is type(dict(data["_flashes"])[category])
    if "pair" in data:
        assert isinstance(read["pair"], tuple)


def test_a_cookie_flask_signed_is_read(app, client, commune):
    with app.app_context():
        cookie = flasks_serializer(app).dumps({"_flashes": [("success", "Kept.")]})
    client.set_cookie("session", cookie)
    assert "Kept." in client.get("/privacy").get_data(as_text=True)


class SignedLongAgo(TimestampSigner):
    def get_timestamp(self):
        return int(time.time()) - 11 * 3600  # PERMANENT_SESSION_LIFETIME: 10 hours


def test_a_forged_expired_or_broken_cookie_is_an_empty_session(app, client, commune):
    with app.app_context():
        good = flasks_serializer(app).dumps({"_flashes": [("success", "Kept.")]})
        expired = flasks_serializer(app, SignedLongAgo).dumps(
            {"_flashes": [("success", "Kept.")]}
        )
    forged = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    for cookie in (expired, forged, "garbage", "a.b.c", "", "é.é.é"):
        client.set_cookie("session", cookie)
        response = client.get("/privacy")
        assert response.status_code == 200
        assert "Kept." not in response.get_data(as_text=True)


def test_a_cookie_signed_with_an_older_secret_key_is_read(app, client, commune):
    with app.app_context():
        cookie = flasks_serializer(app).dumps({"_flashes": [("success", "Kept.")]})
    old_key = app.secret_key
    with app.app_context():
        app.config["SECRET_KEY"] = "the next secret key, rotated in"
        app.config["SECRET_KEY_FALLBACKS"] = [old_key]
        try:
            client.set_cookie("session", cookie)
            assert "Kept." in client.get("/privacy").get_data(as_text=True)
            written = app.session_interface.get_signing_serializer(app).dumps({"a": 1})
            assert flasks_serializer(app).loads(written) == {"a": 1}
            app.config["SECRET_KEY_FALLBACKS"] = []
            client.set_cookie("session", cookie)
            assert "Kept." not in client.get("/privacy").get_data(as_text=True)
        finally:
            app.config["SECRET_KEY"] = old_key
            app.config["SECRET_KEY_FALLBACKS"] = None
