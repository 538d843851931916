"""The optional participation profile: consent, stored apart, shown in aggregate."""

from sqlalchemy import inspect, select

from pbvote.extensions import db
from pbvote.voting.models import ParticipationProfile
from tests.factories import create_staff
from tests.helpers import login_staff, submit
from tests.voting.helpers import cast, verify


def _vote(app, election, index):
    client = app.test_client()
    cin, birth = election["residents"][index]
    verify(client, app, election["cycle_id"], cin, birth, phone=f"+21261234560{index}")
    cast(client, election)
    return client


def _answer(client, election, **data):
    return submit(
        client,
        f"/cycles/{election['cycle_id']}/vote/profile",
        {"age_band": "18-29", "gender": "woman", "disability": "no", **data},
    )


def test_a_profile_needs_consent_and_is_stored_without_a_link(app, election):
    client = _vote(app, election, 0)
    refused = _answer(client, election)
    assert "Tick the consent box" in refused.get_data(as_text=True)
    assert _answer(client, election, consent="y").status_code == 302
    again = _answer(client, election, consent="y")
    assert "already answered" in again.get_data(as_text=True)
    with app.app_context():
        profile = db.session.scalars(select(ParticipationProfile)).one()
        columns = {c.key for c in inspect(ParticipationProfile).columns}
        assert columns == {
            "id",
            "cycle_id",
            "age_band",
            "gender",
            "disability",
            "given_on",
        }
        assert len(profile.id) == 32  # random, not a sequence


def test_a_profile_before_voting_is_refused(client, app, election):
    cin, birth = election["residents"][0]
    verify(client, app, election["cycle_id"], cin, birth)
    refused = _answer(client, election, consent="y")
    assert "only be given after voting" in refused.get_data(as_text=True)


def test_the_aggregate_page_hides_groups_under_five(app, committed, commune, election):
    from datetime import date

    with committed():
        for index in range(6):
            db.session.add(
                ParticipationProfile(
                    id=f"{index:032x}",
                    cycle_id=election["cycle_id"],
                    age_band="18-29",
                    gender="woman" if index < 5 else "man",
                    disability="no",
                    given_on=date.today(),
                )
            )
        _user, secret = create_staff(commune["id"], "admin", ["admin"])
    client = app.test_client()
    login_staff(client, "admin", secret)
    page = client.get(f"/staff/cycles/{election['cycle_id']}/participation")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<td class="num">5</td>' in text and '<td class="num">6</td>' in text
    assert "fewer than 5" in text  # the one man, and every empty answer
