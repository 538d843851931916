"""The session cookie is sent only when the session changes, and Flask-Login's
strong session protection still signs out a stolen sign-in (issue 13:
pbvote.extensions.SignInProtection)."""

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
