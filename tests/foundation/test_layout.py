"""The layout's header and footer, kept per language for signed-out visitors
(pbvote.core.layout, issue 13), and the templates' faster gettext
(pbvote.core.i18n): the pages they make are those of a fresh rendering."""

import re

import pytest
from flask import render_template, render_template_string, request, url_for
from flask_babel import force_locale

from pbvote.core import layout
from pbvote.core.i18n import current_language
from tests.helpers import login_resident

ADDRESS = '/cycles?q=a&b="<é>"&c=1%202'


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
def test_kept_header_and_footer_are_a_fresh_rendering(app, commune, language):
    layout.clear(app)
    for path in ("/", ADDRESS, "/cycles/7/vote"):  # the first fills the cache
        with app.test_request_context(path, headers={"Cookie": f"lang={language}"}):
            fresh = render_template("base_header.html", switch_next=request.full_path)
            assert str(layout.header()) == fresh
            assert str(layout.footer()) == render_template("base_footer.html")


def test_each_page_links_the_languages_to_itself(client, commune):
    client.get("/")  # fills the cache with the home page's address
    page = client.get("/cycles?status=open&x=%3Cb%3E").get_data(as_text=True)
    links = re.findall(r'href="(/lang/\w+\?next=[^"]*)"', page)
    assert len(links) == 3
    assert all(
        link.endswith("next=/cycles?status%3Dopen%26x%3D%253Cb%253E") for link in links
    ), links
    assert 'aria-current="true">English' in page  # the tests' default language


def test_a_signed_in_header_is_never_kept_nor_shown_to_others(app, client, commune):
    layout.clear(app)
    login_resident(client, app)
    page = client.get("/").get_data(as_text=True)
    assert 'action="/logout"' in page and 'name="csrf_token"' in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    stranger = app.test_client()
    other = stranger.get("/").get_data(as_text=True)
    assert token not in other and 'action="/logout"' not in other
    assert 'href="/login"' in other
    # Back to the resident: still their own header, not the signed-out one.
    assert 'action="/logout"' in client.get("/cycles").get_data(as_text=True)


def test_template_gettext_formats_escapes_and_follows_the_locale(app):
    with app.test_request_context("/", headers={"Cookie": "lang=fr"}):
        source = (
            '{{ _("Home") }}|{{ _("Vote: %(title)s", title="<b>") }}|'
            '{{ ngettext("%(num)d unread", "%(num)d unread", 3) }}|'
            '{{ _("100 %% sure") }}'
        )
        french = render_template_string(source)
        assert french.startswith("Accueil|")
        assert "&lt;b&gt;" in french and "<b>" not in french
        assert french.endswith("|3 non lues|100 % sure")
        assert render_template_string(source) == french  # kept constants
        with force_locale("ar_MA"):
            arabic = render_template_string('{{ _("Home") }}')
        assert arabic != "Accueil" and arabic
        assert render_template_string('{{ _("Home") }}') == "Accueil"


@pytest.mark.parametrize(
    "address",
    [
        "/",
        ADDRESS,
        "/a b/c+d?x=+&y=%2B&z=~_.-",
        "/cycles?q=مرحبا&r=ü&s=!$'()*,/:;?@[]{}|^`",
        "/x?next=https://e.example/?a=1;b=2#frag",
    ],
)
def test_the_language_links_quote_the_address_as_url_for_does(app, address):
    with app.test_request_context(address):
        link = url_for("pages.set_language", code="fr", next=request.full_path)
        assert link == "/lang/fr?next=" + layout._address_in_links()


@pytest.mark.parametrize("root", ["", "/ouazzane"])
def test_a_kept_static_url_is_url_fors(app, root):
    layout.clear(app)
    for _ in range(2):  # the second is the kept one
        with app.test_request_context("/", base_url=f"http://localhost{root}/"):
            assert layout.static_url("css/site.css") == url_for(
                "static", filename="css/site.css"
            )
            assert layout.static_url("css/site.css").startswith(f"{root}/static/")


def test_the_title_is_the_pages_then_the_sites(app, client, commune):
    page = client.get("/privacy").get_data(as_text=True)
    assert re.search(r"<title>[^<·]+ · Ouazzane participation</title>", page)
    with app.test_request_context("/"):
        untitled = render_template_string(
            '{% extends "base.html" %}{% block content %}x{% endblock %}'
        )
        titled = render_template_string(
            '{% extends "base.html" %}{% block title %}A &amp; {{ "<b>" }}'
            "{% endblock %}{% block content %}{{ self.title() }}{% endblock %}"
        )
    assert "<title>Ouazzane participation</title>" in untitled
    assert "<title>A &amp; &lt;b&gt; · Ouazzane participation</title>" in titled
    assert titled.count("A &amp; &lt;b&gt;") == 2  # self.title() still works


def test_the_layout_and_the_helpers_of_every_page_send_no_query(
    app, commune, count_statements
):
    page = '{% extends "base.html" %}{% block content %}x{% endblock %}'
    with app.test_request_context("/", headers={"Cookie": "lang=ar"}):
        render_template_string(page)  # the kept parts are rendered once
    with (
        app.test_request_context("/", headers={"Cookie": "lang=ar"}),
        count_statements() as log,
    ):
        html = render_template_string(page)
    assert 'lang="ar" dir="rtl"' in html and len(log) == 0, list(log)


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
def test_the_language_follows_the_locale_in_use(app, language):
    with app.test_request_context("/", headers={"Cookie": f"lang={language}"}):
        assert current_language().code == language
        assert current_language() is current_language()
        with force_locale("fr_MA" if language != "fr" else "ar_MA"):
            assert current_language().code == ("fr" if language != "fr" else "ar")
        assert current_language().code == language
