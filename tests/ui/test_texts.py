"""How the newer pages write moments, lists, the other language's text and mixed
sentences; the holiday deletion asks first. Rendered without a browser."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

from pbvote.core.i18n import format_list, format_moment, localized_text
from tests.factories import create_staff
from tests.helpers import login_staff, submit


def test_a_moment_is_shown_to_the_minute_in_every_language(app):
    moment = datetime(2027, 10, 25, 23, 30, 45, tzinfo=UTC)
    for code in ("ar", "fr", "en"):
        with app.test_request_context("/", headers={"Cookie": f"lang={code}"}):
            for style in ("short", "medium", "long"):
                shown = format_moment(moment, style)
                assert ":45" not in shown and "30" in shown, (code, style, shown)


def test_lists_are_joined_as_each_language_joins_them(app):
    items = ["a", "b", "c"]
    with app.test_request_context("/", headers={"Cookie": "lang=ar"}):
        arabic = format_list(items)
    with app.test_request_context("/", headers={"Cookie": "lang=fr"}):
        french = format_list(items)
    assert "," not in arabic and " و" in arabic
    assert french == "a, b et c"


def test_the_other_languages_version_is_marked_with_its_language(app):
    only_french = SimpleNamespace(title_ar="", title_fr="Marché couvert")
    both = SimpleNamespace(title_ar="سوق مغطى", title_fr="Marché couvert")
    with app.test_request_context("/", headers={"Cookie": "lang=ar"}):
        assert localized_text(only_french, "title") == (
            '<bdi lang="fr">Marché couvert</bdi>'
        )
        assert localized_text(both, "title") == "سوق مغطى"
    with app.test_request_context("/", headers={"Cookie": "lang=fr"}):
        assert localized_text(both, "title") == "Marché couvert"
        hostile = SimpleNamespace(title_ar="<b>x</b>", title_fr="")
        assert "<b>" not in localized_text(hostile, "title")


def test_a_title_inside_a_notification_sentence_is_isolated(app):
    from pbvote.notifications.texts import page_text

    note = SimpleNamespace(
        kind="review", params={"title": "Aire de jeux", "decision": "feasible"}
    )
    with app.test_request_context("/", headers={"Cookie": "lang=ar"}):
        assert "\u2068Aire de jeux\u2069" in page_text(note)


def test_deleting_a_holiday_asks_first(app, client, committed, commune):
    from pbvote.extensions import db
    from pbvote.holidays.models import Holiday

    with committed() as session:
        _user, secret = create_staff(commune["id"], "admin", ["admin"])
        holiday = Holiday(
            day=date(2027, 1, 11),
            name_ar="ذكرى تقديم وثيقة الاستقلال",
            name_fr="Manifeste de l'indépendance",
            kind="fixed",
            confirmed=True,
        )
        session.add(holiday)
        session.flush()
        holiday_id = holiday.id
    login_staff(client, "admin", secret)
    url = f"/staff/holidays/{holiday_id}/delete"
    client.set_cookie("lang", "fr")
    asked = client.get(url)
    assert asked.status_code == 200 and "Manifeste" in asked.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Holiday, holiday_id) is not None
    assert submit(client, url, {}).status_code == 302
    with app.app_context():
        assert db.session.get(Holiday, holiday_id) is None
