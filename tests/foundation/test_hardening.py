"""Redirects, hostile input, proxies, production defaults, forced password change
and the staff edit form."""

import re

import pytest
from sqlalchemy import select

from pbvote.accounts.models import ROLES, User
from pbvote.core.access import safe_next
from tests.conftest import test_config
from tests.factories import STAFF_PASSWORD, create_staff
from tests.foundation.test_access import staff_routes
from tests.helpers import csrf_token, login_staff, submit

ATTACKS = [
    "/\t/evil.example/",
    "/%09/evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/%5Cevil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/%252F%252Fevil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/\r\nSet-Cookie: a=b",
    "/%0d%0aSet-Cookie:%20a=b",
    "/\nevil",
    "/\x00",
    "/\x7f/evil.example",
    " //evil.example",
    "evil.example",
    "",
    None,
    "/" + "a" * 3000,
]
SAFE = ["/", "/cycles/3", "/staff/users?page=2", "/proposals?q=%D9%85%D8%A7%D8%A1"]


@pytest.mark.parametrize("target", ATTACKS)
def test_safe_next_refuses_every_way_off_this_site(target):
    assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize("target", SAFE)
def test_safe_next_keeps_paths_on_this_site(target):
    assert safe_next(target, "/home") == target


@pytest.mark.parametrize("target", ["/%09/evil.example/", "/%0d%0aX:%20y", "//e.x"])
def test_language_switch_never_leaves_the_site(client, commune, target):
    response = client.get(f"/lang/fr?next={target}")
    assert response.status_code == 302 and response.location == "/"


def test_staff_sign_in_never_leaves_the_site(client, commune, committed):
    with committed():
        _, _secret = create_staff(commune["id"], "admin", ["admin"])
    response = submit(
        client,
        "/staff/login?next=/%09/evil.example/",
        {"username": "admin", "password": STAFF_PASSWORD},
        form_url="/staff/login",
    )
    assert "evil" not in response.location
    response = client.get("/staff/login?next=/%0d%0aSet-Cookie:%20a=b")
    assert response.status_code == 200


def test_resident_sign_in_never_leaves_the_site(app, client, commune):
    from tests.helpers import last_code

    submit(
        client,
        "/login?next=/%09/evil.example/",
        {"phone": "0612345678"},
        form_url="/login",
    )
    response = submit(
        client,
        "/login/code?next=/%09/evil.example/",
        {"code": last_code(app, "+212612345678")},
        form_url="/login/code",
    )
    assert response.status_code == 302 and response.location == "/"


@pytest.mark.parametrize("number", [2**31, 2**63, 10**30])
def test_ids_past_the_database_integer_are_not_found(client, commune, number):
    assert client.get(f"/cycles/{number}").status_code == 404
    assert client.get(f"/cycles/{number - 2**31 + 1}").status_code == 404


def test_out_of_range_filters_are_not_found(app, client, commune, committed):
    with committed():
        _, secret = create_staff(commune["id"], "admin", ["admin"])
    login_staff(client, "admin", secret)
    for url in (f"/staff/audit?page={10**30}", f"/accountability?cycle={2**40}"):
        assert client.get(url).status_code in (200, 404), url


def test_a_nul_byte_in_the_username_is_a_clear_400(client, commune):
    response = submit(
        client, "/staff/login", {"username": "ad\x00min", "password": "x"}
    )
    assert response.status_code == 400
    assert "cannot be accepted" in response.get_data(as_text=True)


def test_a_nul_byte_in_a_query_or_address_is_a_clear_400(client, commune):
    assert client.get("/proposals?q=a%00b").status_code == 400
    assert client.get("/lang/f%00r").status_code == 400


def test_forwarded_addresses_count_for_rate_limits(app, tmp_path_factory, committed):
    """Behind one trusted proxy, a person failing sign-ins blocks only themself."""
    from pbvote import create_app

    with committed():
        from tests.factories import create_commune

        commune = create_commune()
        create_staff(commune.id, "admin", ["admin"])
    proxied = create_app(
        test_config(
            tmp_path_factory,
            SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
            TRUSTED_PROXIES=1,
            STAFF_LOGIN_FAILURES_PER_15_MIN=2,
        )
    )
    balancer = {"REMOTE_ADDR": "10.0.0.2"}

    def sign_in(client, address, username, password):
        client.environ_base.update(balancer, HTTP_X_FORWARDED_FOR=address)
        return submit(
            client, "/staff/login", {"username": username, "password": password}
        )

    attacker = proxied.test_client()
    for name in ("a", "b", "c"):
        sign_in(attacker, "spoofed, 198.51.100.7", name, "wrong")
    refused = sign_in(attacker, "198.51.100.7", "admin", STAFF_PASSWORD)
    assert "Too many failed sign-ins" in refused.get_data(as_text=True)
    resident = proxied.test_client()
    assert sign_in(resident, "203.0.113.9", "admin", STAFF_PASSWORD).status_code == 302
    with proxied.app_context():
        from pbvote.extensions import db

        db.engine.dispose()


def test_without_trusted_proxies_the_header_is_ignored(app, client, commune):
    assert app.config["TRUSTED_PROXIES"] == 0
    assert app.wsgi_app.__class__.__name__ != "ProxyFix"


def test_production_sends_secure_cookies_and_hsts(tmp_path_factory):
    from pbvote import create_app

    production = create_app(test_config(tmp_path_factory, ENV_NAME="production"))
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["REMEMBER_COOKIE_SECURE"] is True
    response = production.test_client().get("/privacy")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_production_defaults_can_be_turned_off(tmp_path_factory):
    from pbvote import create_app

    relaxed = create_app(
        test_config(
            tmp_path_factory,
            ENV_NAME="production",
            SESSION_COOKIE_SECURE=False,
            HSTS_SECONDS=0,
        )
    )
    assert relaxed.config["SESSION_COOKIE_SECURE"] is False
    assert (
        "Strict-Transport-Security" not in relaxed.test_client().get("/privacy").headers
    )


def test_development_does_not_send_hsts(client, commune):
    assert "Strict-Transport-Security" not in client.get("/privacy").headers


@pytest.mark.parametrize("role", ROLES)
def test_a_handed_over_password_opens_no_staff_page(
    app, client, commune, committed, role
):
    with committed() as session:
        user, secret = create_staff(commune["id"], "new", [role])
        session.get(User, user.id).password_must_change = True
    login_staff(client, "new", secret)
    opened = 0
    for url, method, endpoint, roles in staff_routes(app):
        if not roles or role not in roles or endpoint == "accounts.staff_password":
            continue
        if method == "GET":
            response = client.get(url)
        else:
            token = csrf_token(client, "/staff/password")
            response = client.post(url, data={"csrf_token": token})
        assert response.status_code == 302, (url, response.status_code)
        assert "/staff/password" in response.location, url
        opened += 1
    assert opened > 0
    assert client.get("/staff/password").status_code == 200


def ticked_roles(html: str) -> list[str]:
    inputs = re.findall(r'<input[^>]*name="roles"[^>]*>', html)
    return sorted(
        re.search(r'value="(\w+)"', tag).group(1) for tag in inputs if "checked" in tag
    )


def test_the_staff_edit_form_shows_the_roles_and_keeps_them(
    app, client, commune, committed
):
    with committed():
        _, secret = create_staff(commune["id"], "admin", ["admin"])
        clerk, _ = create_staff(commune["id"], "clerk", ["clerk", "finance"])
        clerk_id = clerk.id
    login_staff(client, "admin", secret)
    url = f"/staff/users/{clerk_id}"
    page = client.get(url).get_data(as_text=True)
    assert ticked_roles(page) == ["clerk", "finance"]
    assert 'value="Clerk"' in page
    assert re.search(r'<input[^>]*checked[^>]*name="active"', page)
    response = submit(
        client,
        url,
        {
            "username": "clerk",
            "display_name": "Clerk",
            "roles": ticked_roles(page),
            "active": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        from pbvote.extensions import db

        saved = db.session.scalar(select(User).where(User.username == "clerk"))
        assert saved.role_names == {"clerk", "finance"} and saved.active
