"""Every staff route is refused to anonymous visitors and to each wrong role."""

import re

import pytest

from pbvote.accounts.models import ROLES
from tests.factories import create_resident, create_staff
from tests.helpers import csrf_token, login_resident, login_staff


def staff_routes(app):
    """(rule, endpoint, roles) for every /staff/ route, with sample ids."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff/") or rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, "pbvote_roles", None)
        url = re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)
        method = "GET" if "GET" in rule.methods else "POST"
        routes.append((url, method, rule.endpoint, roles))
    return routes


def open_with_token(client, url, method):
    """POSTs carry a real CSRF token, so that the role check is what answers."""
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": csrf_token(client, "/login")})


PUBLIC_STAFF_ROUTES = {
    "accounts.staff_login",
    "accounts.staff_code",
    "accounts.staff_enrol",
}


def test_every_staff_route_declares_its_roles(app):
    missing = [
        endpoint
        for _, _, endpoint, roles in staff_routes(app)
        if roles is None and endpoint not in PUBLIC_STAFF_ROUTES
    ]
    assert missing == []


def test_anonymous_visitors_are_sent_to_the_staff_sign_in(app, client, commune):
    for url, method, endpoint, roles in staff_routes(app):
        if roles is None:
            continue
        response = open_with_token(client, url, method)
        assert response.status_code == 302, (url, response.status_code)
        assert "/staff/login" in response.location, url


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_refused_where_it_is_not_allowed(
    app, client, commune, committed, role
):
    with committed():
        _, secret = create_staff(commune["id"], f"user-{role}", [role])
    login_staff(client, f"user-{role}", secret)
    checked = 0
    for url, method, endpoint, roles in staff_routes(app):
        if roles is None or role in roles:
            continue
        response = open_with_token(client, url, method)
        assert response.status_code == 403, (role, url, response.status_code)
        checked += 1
    assert checked > 0 or role == "admin"  # admins may see every foundation page


def test_residents_are_refused_every_staff_route(app, client, commune, committed):
    with committed():
        create_resident(commune["id"])
    login_resident(client, app)
    for url, method, endpoint, roles in staff_routes(app):
        if roles is None:
            continue
        assert open_with_token(client, url, method).status_code == 403, url
