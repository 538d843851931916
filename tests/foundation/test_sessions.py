"""Sessions end on the server: sign-out, reset, disabling, role and password
changes, idle and maximum times, and another commune's site."""

import time

import pytest

from pbvote.accounts import services
from pbvote.accounts.models import User
from pbvote.accounts.sessions import SEEN, STARTED
from pbvote.core.time import utcnow
from pbvote.extensions import db
from tests.conftest import test_config
from tests.factories import STAFF_PASSWORD, create_commune, create_staff
from tests.helpers import login_resident, login_staff, submit


def copy_of(app, client):
    """A second browser holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def is_signed_in_as_admin(client) -> bool:
    return client.get("/staff/users").status_code == 200


@pytest.fixture
def admin(committed, commune):
    with committed():
        user, secret = create_staff(commune["id"], "admin", ["admin"])
        return {"id": user.id, "secret": secret}


@pytest.fixture
def signed_in(app, client, admin):
    login_staff(client, "admin", admin["secret"])
    assert is_signed_in_as_admin(client)
    return client


def test_a_copied_cookie_dies_with_sign_out(app, signed_in):
    thief = copy_of(app, signed_in)
    assert is_signed_in_as_admin(thief)
    submit(signed_in, "/logout", {}, form_url="/")
    assert not is_signed_in_as_admin(thief)
    assert "/staff/login" in thief.get("/staff/users").location


def test_sign_out_ends_the_sessions_on_other_devices(app, client, admin, signed_in):
    other = app.test_client()
    login_staff(other, "admin", admin["secret"], step_offset=1)
    submit(signed_in, "/logout", {}, form_url="/")
    assert not is_signed_in_as_admin(other)


@pytest.mark.parametrize(
    "change",
    [
        lambda actor, user: services.reset_staff_credentials(actor, user, utcnow()),
        lambda actor, user: services.update_staff(
            actor, user, "Clerk", ["clerk", "finance"], True, utcnow()
        ),
        lambda actor, user: services.update_staff(
            actor, user, "Clerk", ["clerk"], False, utcnow()
        ),
    ],
    ids=["reset", "role-change", "disabled"],
)
def test_an_administrators_change_ends_the_persons_sessions(
    app, committed, commune, admin, change
):
    with committed():
        clerk, secret = create_staff(commune["id"], "clerk", ["clerk"])
        clerk_id = clerk.id
    browser = app.test_client()
    login_staff(browser, "clerk", secret)
    assert browser.get("/staff/password").status_code == 200
    with committed() as session:
        change(session.get(User, admin["id"]), session.get(User, clerk_id))
    assert "/staff/login" in browser.get("/staff/password").location


def test_a_re_enabled_account_does_not_revive_old_cookies(
    app, committed, commune, admin
):
    with committed():
        clerk, secret = create_staff(commune["id"], "clerk", ["clerk"])
        clerk_id = clerk.id
    browser = app.test_client()
    login_staff(browser, "clerk", secret)
    for active in (False, True):
        with committed() as session:
            services.update_staff(
                session.get(User, admin["id"]),
                session.get(User, clerk_id),
                "Clerk",
                ["clerk"],
                active,
                utcnow(),
            )
    assert "/staff/login" in browser.get("/staff/password").location


def test_a_password_change_keeps_this_session_and_ends_the_others(
    app, client, admin, signed_in
):
    other = app.test_client()
    login_staff(other, "admin", admin["secret"], step_offset=1)
    new = "a brand new long password"
    response = submit(
        signed_in,
        "/staff/password",
        {"current": STAFF_PASSWORD, "new": new, "repeated": new},
    )
    assert response.status_code == 302
    assert is_signed_in_as_admin(signed_in)
    assert not is_signed_in_as_admin(other)


def age_session(client, *, idle_minutes=0, started_minutes=0):
    now = int(time.time())
    with client.session_transaction() as session:
        session[SEEN] = now - idle_minutes * 60
        session[STARTED] = now - started_minutes * 60


def test_staff_sessions_end_after_the_idle_time(app, signed_in):
    idle = app.config["STAFF_SESSION_IDLE_MINUTES"]
    age_session(signed_in, idle_minutes=idle - 1, started_minutes=idle)
    assert is_signed_in_as_admin(signed_in)
    age_session(signed_in, idle_minutes=idle + 1, started_minutes=idle + 1)
    assert not is_signed_in_as_admin(signed_in)


def test_staff_sessions_end_after_a_working_day_even_when_used(app, signed_in):
    hours = app.config["STAFF_SESSION_MAX_HOURS"]
    age_session(signed_in, started_minutes=hours * 60 - 5)
    assert is_signed_in_as_admin(signed_in)
    age_session(signed_in, started_minutes=hours * 60 + 1)
    assert not is_signed_in_as_admin(signed_in)


def test_residents_sessions_are_shorter(app, client, commune):
    login_resident(client, app)
    idle = app.config["RESIDENT_SESSION_IDLE_MINUTES"]
    assert idle < app.config["STAFF_SESSION_IDLE_MINUTES"]
    assert app.config["RESIDENT_SESSION_MAX_MINUTES"] < (
        app.config["STAFF_SESSION_MAX_HOURS"] * 60
    )
    assert client.get("/proposals/mine").status_code == 200
    age_session(client, idle_minutes=idle + 1, started_minutes=idle + 1)
    assert "/login" in client.get("/proposals/mine").location


def test_the_signed_cookie_is_not_accepted_for_weeks(app):
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() <= 12 * 3600


def test_a_session_from_one_commune_is_refused_by_another(
    app, tmp_path_factory, committed, signed_in
):
    from pbvote import create_app

    with committed():
        other = create_commune(slug="chefchaouen", districts=("Souika",))
        create_staff(other.id, "other-admin", ["admin"])
    other_site = create_app(
        test_config(
            tmp_path_factory,
            COMMUNE_SLUG="chefchaouen",
            SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        )
    )
    thief = copy_of(other_site, signed_in)
    for url in ("/staff/users", "/staff/audit"):
        response = thief.get(url)
        assert response.status_code == 302 and "/staff/login" in response.location
    assert "other-admin" not in thief.get("/staff/users").get_data(as_text=True)
    with other_site.app_context():
        db.engine.dispose()
