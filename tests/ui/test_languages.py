"""Languages: a catalogue added under the translations folder is a language of
the site, named in its own script, without any change to the code."""

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

from tests.conftest import test_config


def add_catalogue(folder, code: str, translations: dict) -> None:
    catalog = Catalog(locale=code)
    for msgid, msgstr in translations.items():
        catalog.add(msgid, msgstr)
    target = folder / code / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "messages.po", "wb") as po:
        write_po(po, catalog)
    with open(target / "messages.mo", "wb") as mo:
        write_mo(mo, catalog)


def test_a_tamazight_catalogue_is_a_language_without_code_changes(
    app, tmp_path, tmp_path_factory, commune
):
    from pbvote import create_app
    from pbvote.core.i18n import LANGUAGES

    add_catalogue(tmp_path, "zgh", {"Home": "ⴰⵙⵏⵓⴱⴳ"})
    directories = f"{app.config['BABEL_TRANSLATION_DIRECTORIES']};{tmp_path}"
    config = test_config(
        tmp_path_factory,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        BABEL_TRANSLATION_DIRECTORIES=directories,
    )
    try:
        client = create_app(config).test_client()
        client.set_cookie("lang", "zgh")
        page = client.get("/").get_data(as_text=True)
        assert '<html lang="zgh" dir="ltr">' in page
        assert "ⴰⵙⵏⵓⴱⴳ" in page  # the catalogue's own words
        assert 'lang="zgh" hreflang="zgh"' in page and ">ⵜⴰⵎⴰⵣⵉⵖⵜ</a>" in page
        assert ">العربية</a>" in page and ">Français</a>" in page
    finally:
        LANGUAGES.pop("zgh", None)  # the other tests' site has three languages


def test_the_language_choices_are_marked_in_their_own_language(app, client, commune):
    """On /notifications, "Français" is read in French on an Arabic page and
    "العربية" in Arabic on a French one."""
    from tests.helpers import login_resident

    login_resident(client, app)
    for language in ("ar", "fr"):
        client.set_cookie("lang", language)
        page = client.get("/notifications").get_data(as_text=True)
        assert '<label for="language-0" lang="ar">العربية</label>' in page
        assert '<label for="language-1" lang="fr">Français</label>' in page
