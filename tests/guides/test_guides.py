"""Audio guides: uploaded by an administrator per language, checked by content
and size, played on the ballot with visible controls."""

import io

import pytest

from tests.factories import create_staff
from tests.helpers import csrf_token, login_staff
from tests.voting.factories import create_voting_cycle

MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 600


@pytest.fixture
def admin_client(app, client, committed, commune):
    with committed():
        _user, secret = create_staff(commune["id"], "admin1", ["admin"])
    login_staff(client, "admin1", secret)
    return client


def upload(client, data: bytes, language="ar", project_id=""):
    return client.post(
        "/staff/audio-guides",
        data={
            "csrf_token": csrf_token(client, "/staff/audio-guides"),
            "language": language,
            "project_id": project_id,
            "recording": (io.BytesIO(data), "guide.mp3"),
        },
        content_type="multipart/form-data",
    )


def test_an_admin_uploads_a_guide_that_is_audited_and_served(app, admin_client):
    from pbvote.audit.models import AuditEntry
    from pbvote.extensions import db
    from pbvote.guides.models import AudioGuide

    assert upload(admin_client, MP3, "ary").status_code == 302
    with app.app_context():
        guide = db.session.scalars(db.select(AudioGuide)).one()
        assert (guide.language, guide.subject, guide.size) == (
            "ary",
            "ballot",
            len(MP3),
        )
        actions = db.session.scalars(db.select(AuditEntry.action)).all()
        assert "guide.upload" in actions
    served = admin_client.get(f"/audio-guides/{guide.id}")
    assert served.status_code == 200 and served.mimetype == "audio/mpeg"
    assert served.data == MP3


def test_a_new_upload_replaces_the_guide_in_that_language(app, admin_client):
    from pbvote.extensions import db
    from pbvote.guides.models import AudioGuide

    upload(admin_client, MP3, "fr")
    upload(admin_client, b"OggS" + b"\x00" * 2000, "fr")
    with app.app_context():
        guides = db.session.scalars(db.select(AudioGuide)).all()
    assert [(g.language, g.content_type) for g in guides] == [("fr", "audio/ogg")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html>not a sound</html>" * 100, "not a sound recording"),
        (b"ID3", "not a sound recording"),  # too short to hold any speech
        (b"ID3" + b"\x00" * (8 * 1024 * 1024), "too large"),
    ],
)
def test_a_file_that_is_not_a_short_recording_is_refused(
    app, admin_client, data, message
):
    from pbvote.extensions import db
    from pbvote.guides.models import AudioGuide

    response = upload(admin_client, data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(db.select(AudioGuide)).all() == []


def test_a_project_number_past_postgres_integers_is_a_clear_error(admin_client):
    response = upload(admin_client, MP3, project_id=str(2**31))
    assert response.status_code == 422
    assert "Number must be between" in response.get_data(as_text=True)


def test_a_project_of_no_commune_is_refused(admin_client):
    response = upload(admin_client, MP3, project_id="999")
    assert response.status_code == 422
    assert "no project with this number" in response.get_data(as_text=True)


def test_the_ballot_plays_the_guides_with_visible_controls(
    app, admin_client, committed, commune
):
    from tests.voting.helpers import verify

    with committed():
        election = create_voting_cycle(commune)
    project = election["projects"]["commune"][0]
    upload(admin_client, MP3, "zgh")
    upload(admin_client, MP3, "ar", project_id=str(project))
    voter = app.test_client()
    cin, birth = election["residents"][0]
    verify(voter, app, election["cycle_id"], cin, birth)
    page = voter.get(f"/cycles/{election['cycle_id']}/vote/ballot").get_data(
        as_text=True
    )
    assert page.count("<audio controls") == 2
    assert 'lang="zgh"' in page and "ⵜⴰⵎⴰⵣⵉⵖⵜ" in page


def test_residents_and_other_staff_cannot_manage_guides(
    app, client, committed, commune
):
    with committed():
        _user, secret = create_staff(commune["id"], "clerk1", ["clerk"])
    assert client.get("/staff/audio-guides").status_code == 302  # to sign-in
    login_staff(client, "clerk1", secret)
    assert client.get("/staff/audio-guides").status_code == 403


@pytest.mark.commits
def test_the_ballots_guides_are_cached_and_an_upload_or_deletion_shows_at_once(
    app, admin_client, committed, commune, process_caches
):
    from tests.voting.helpers import verify

    with committed():
        election = create_voting_cycle(commune)
    voter = app.test_client()
    cin, birth = election["residents"][0]
    verify(voter, app, election["cycle_id"], cin, birth)
    ballot = f"/cycles/{election['cycle_id']}/vote/ballot"

    def players():
        return voter.get(ballot).get_data(as_text=True).count("<audio controls")

    assert players() == 0  # cached: no guide
    upload(admin_client, MP3, "fr")  # committed in this process: the cache empties
    assert players() == 1
    with app.app_context():
        from sqlalchemy import select

        from pbvote.extensions import db
        from pbvote.guides.models import AudioGuide

        guide_id = db.session.scalar(select(AudioGuide.id))
    response = admin_client.post(
        f"/staff/audio-guides/{guide_id}/delete",
        data={"csrf_token": csrf_token(admin_client, "/staff/audio-guides")},
    )
    assert response.status_code in (200, 302)
    assert players() == 0
