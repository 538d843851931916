"""The identity and code pages' empty fields are rendered once per language and
process (pbvote.voting.forms.kept_field, issue 13): the page must be the same as
when every field is rendered, and nothing a voter typed may be kept."""

import re

import pytest

from pbvote.voting.forms import _KEPT_FIELDS
from tests.helpers import csrf_token, submit

CSRF_VALUE = re.compile(r'(name="csrf_token" type="hidden" value=")[^"]*"')


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return CSRF_VALUE.sub(r'\1"', response.get_data(as_text=True))


def _rendered_each_time(app, client, url):
    """The page with every field rendered by the macro (templates reloading)."""
    app.jinja_env.auto_reload = True
    try:
        return _page(client, url)
    finally:
        app.jinja_env.auto_reload = False


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_kept_identity_fields_render_as_the_macro_does(app, election, lang):
    app.jinja_env.auto_reload = False
    app.extensions.pop(_KEPT_FIELDS, None)
    url = f"/cycles/{election['cycle_id']}/vote"
    client = app.test_client()
    client.set_cookie("lang", lang)
    expected = _rendered_each_time(app, client, url)
    assert not app.extensions.get(_KEPT_FIELDS)
    first = _page(client, url)
    kept = app.extensions[_KEPT_FIELDS]
    assert {key[1] for key in kept} == {"cin", "birth_date", "phone"}
    assert {key[2] for key in kept} == {lang}
    assert first == expected
    assert _page(client, url) == expected
    # The CSRF field is still each visitor's own.
    assert 'name="csrf_token" type="hidden" value=""' in expected


def test_a_typed_value_or_an_error_is_never_kept(app, election):
    app.jinja_env.auto_reload = False
    app.extensions.pop(_KEPT_FIELDS, None)
    url = f"/cycles/{election['cycle_id']}/vote"
    client = app.test_client()
    client.set_cookie("lang", "en")
    token = csrf_token(client, url)
    app.extensions.pop(_KEPT_FIELDS, None)  # filled by the empty form's page
    data = {"cin": "ZZ999999", "birth_date": "31/02/1990", "phone": ""}
    response = client.post(url, data={"csrf_token": token, **data})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'value="ZZ999999"' in page
    assert 'id="birth_date-error"' in page
    assert 'aria-invalid="true"' in page
    assert 'id="phone-error"' in page
    assert not app.extensions.get(_KEPT_FIELDS)


def test_kept_code_field_renders_as_the_macro_does(app, election):

    cycle_id = election["cycle_id"]
    cin, birth = election["residents"][0]
    client = app.test_client()
    client.set_cookie("lang", "ar")
    submit(
        client,
        f"/cycles/{cycle_id}/vote",
        {"cin": cin, "birth_date": birth, "phone": "+212612345678"},
    )
    app.jinja_env.auto_reload = False
    app.extensions.pop(_KEPT_FIELDS, None)
    url = f"/cycles/{cycle_id}/vote/code"
    expected = _rendered_each_time(app, client, url)
    assert _page(client, url) == expected
    assert _page(client, url) == expected
    assert [key[1] for key in app.extensions[_KEPT_FIELDS]] == ["code"]
