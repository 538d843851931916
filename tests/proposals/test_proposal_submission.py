"""Submitting, editing and withdrawing proposals through the web forms."""

from sqlalchemy import select

from pbvote.extensions import db
from pbvote.proposals.models import Proposal
from tests.factories import create_cycle, create_resident
from tests.helpers import login_resident, submit
from tests.proposals.factories import DESCRIPTION, create_proposal, setup_cycle

PHONE = "+212612345678"


def form_data(setup, **changes) -> dict:
    data = {
        "title": "Éclairage du terrain de Rmel",
        "description": DESCRIPTION,
        "scope_id": str(setup["commune_scope"]),
        "category_id": str(setup["categories"]["roads"]),
        "beneficiaries": ["youth", "women"],
        "location_text": "Terrain de Rmel",
        "latitude": "34.7971",
        "longitude": "-5.5834",
        "estimated_cost": "250 000",
        "association_id": "0",
        "submit": "1",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def new_url(setup) -> str:
    return f"/cycles/{setup['cycle_id']}/proposals/new"


def test_resident_submits_a_proposal(client, app, committed, commune):
    with committed():
        setup = setup_cycle(commune)
    login_resident(client, app, PHONE)
    response = submit(client, new_url(setup), form_data(setup))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Éclairage du terrain de Rmel" in page
    assert "Submitted, waiting for review" in page
    with app.app_context():
        proposal = db.session.scalar(select(Proposal))
        assert proposal.status == "submitted"
        assert proposal.estimated_cost == 250_000
        assert proposal.beneficiary_keys == ["women", "youth"]
        assert proposal.latitude == 34.7971
        assert [e.status for e in proposal.events] == ["draft", "submitted"]


def test_a_draft_is_private_until_submitted(client, app, committed, commune):
    with committed():
        setup = setup_cycle(commune)
    login_resident(client, app, PHONE)
    response = submit(
        client, new_url(setup), form_data(setup, submit=None, save_draft="1")
    )
    assert response.status_code == 302
    url = response.headers["Location"]
    assert "only you can see it" in client.get(url).get_data(as_text=True)
    listing = client.get(f"/cycles/{setup['cycle_id']}/proposals").get_data(
        as_text=True
    )
    assert "Éclairage du terrain de Rmel" not in listing  # drafts are never listed
    other = app.test_client()
    assert other.get(url).status_code == 404
    assert "Éclairage du terrain" not in other.get(
        f"/cycles/{setup['cycle_id']}/proposals"
    ).get_data(as_text=True)


def test_submission_after_the_deadline_is_refused_with_the_date(
    client, app, committed, commune
):
    with committed():
        setup = setup_cycle(commune, phase="review")
    login_resident(client, app, PHONE)
    page = client.get(new_url(setup))
    assert page.status_code == 403
    assert "The deadline for proposals was" in page.get_data(as_text=True)
    with committed():
        open_setup = setup_cycle(commune, phase="proposals", year=2099)
    token_page = new_url(open_setup)
    response = submit(client, new_url(setup), form_data(setup), form_url=token_page)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The deadline for proposals was" in text
    assert 'value="Éclairage du terrain de Rmel"' in text  # nothing typed is lost


def test_proposals_not_open_yet(client, app, committed, commune):
    with committed():
        setup = setup_cycle(commune, phase="preparation")
    login_resident(client, app, PHONE)
    page = client.get(new_url(setup))
    assert page.status_code == 403
    assert "Proposals open on" in page.get_data(as_text=True)


def test_empty_form_lists_every_problem_and_keeps_what_was_typed(
    client, app, committed, commune
):
    with committed():
        setup = setup_cycle(commune)
    login_resident(client, app, PHONE)
    response = submit(
        client,
        new_url(setup),
        form_data(
            setup, title="", description="court", location_text="Près de la mosquée"
        ),
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Give your proposal a title." in text
    assert "The description needs between 30 and 10000 characters." in text
    assert "Près de la mosquée" in text and "court</textarea>" in text


def test_oversized_title_is_refused(client, app, committed, commune):
    with committed():
        setup = setup_cycle(commune)
    login_resident(client, app, PHONE)
    text = submit(client, new_url(setup), form_data(setup, title="x" * 151)).get_data(
        as_text=True
    )
    assert "The title needs between 5 and 150 characters." in text


def test_negative_and_absurd_costs_are_refused(client, app, committed, commune):
    with committed():
        setup = setup_cycle(commune)
    login_resident(client, app, PHONE)
    text = submit(
        client, new_url(setup), form_data(setup, estimated_cost="-5000")
    ).get_data(as_text=True)
    assert "Enter an amount between 0 and" in text
    text = submit(
        client, new_url(setup), form_data(setup, estimated_cost="0")
    ).get_data(as_text=True)
    assert "Give an estimated cost of more than 0 MAD" in text
    text = submit(
        client, new_url(setup), form_data(setup, estimated_cost="90000000")
    ).get_data(as_text=True)
    assert "is more than the whole budget of the chosen scope" in text
    text = submit(
        client, new_url(setup), form_data(setup, estimated_cost="beaucoup")
    ).get_data(as_text=True)
    assert "Enter a whole number of dirhams" in text
    with app.app_context():
        assert db.session.scalar(select(Proposal)) is None


def test_scope_of_another_commune_or_cycle_is_refused(client, app, committed, commune):
    with committed():
        setup = setup_cycle(commune)
        from tests.factories import create_commune

        other = create_commune(slug="chefchaouen", districts=("Souika",))
        other_cycle = create_cycle(other.id, district_ids=[other.districts[0].id])
        foreign_scope = other_cycle.scopes[1].id
    login_resident(client, app, PHONE)
    text = submit(
        client, new_url(setup), form_data(setup, scope_id=str(foreign_scope))
    ).get_data(as_text=True)
    assert "Choose the whole commune or one of its districts from the list." in text
    text = submit(client, new_url(setup), form_data(setup, scope_id="abc")).get_data(
        as_text=True
    )
    assert "Choose the whole commune or one of its districts from the list." in text


def test_coordinates_outside_morocco_or_half_given(client, app, committed, commune):
    with committed():
        setup = setup_cycle(commune)
    login_resident(client, app, PHONE)
    text = submit(
        client, new_url(setup), form_data(setup, latitude="48.85", longitude="2.35")
    ).get_data(as_text=True)
    assert "These coordinates are outside Morocco" in text
    text = submit(client, new_url(setup), form_data(setup, longitude="")).get_data(
        as_text=True
    )
    assert "Give both the latitude and the longitude, or neither." in text
    text = submit(client, new_url(setup), form_data(setup, latitude="nord")).get_data(
        as_text=True
    )
    assert "Enter a number with a dot" in text


def test_double_submission_is_refused(client, app, committed, commune):
    with committed():
        setup = setup_cycle(commune)
    login_resident(client, app, PHONE)
    assert submit(client, new_url(setup), form_data(setup)).status_code == 302
    response = submit(
        client,
        new_url(setup),
        form_data(setup, title="  ÉCLAIRAGE du terrain de RMEL "),
    )
    assert response.status_code == 200
    assert "You already have a proposal with this title" in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert len(db.session.scalars(select(Proposal)).all()) == 1


def test_per_resident_limit_comes_from_the_cycle_setting(
    client, app, committed, commune
):
    with committed():
        setup = setup_cycle(commune)
        from pbvote.cycles.models import Cycle

        cycle = db.session.get(Cycle, setup["cycle_id"])
        cycle.settings = {"proposals_per_resident": 1}
    login_resident(client, app, PHONE)
    assert submit(client, new_url(setup), form_data(setup)).status_code == 302
    response = submit(
        client, new_url(setup), form_data(setup, title="Un second projet")
    )
    text = response.get_data(as_text=True)
    assert "You have already submitted 1 proposal in this cycle" in text
    assert 'value="Un second projet"' in text
    # Kept as a draft instead, it is accepted.
    response = submit(
        client,
        new_url(setup),
        form_data(setup, title="Un second projet", submit=None, save_draft="1"),
    )
    assert response.status_code == 302


def test_editing_someone_elses_proposal_is_refused(client, app, committed, commune):
    with committed():
        setup = setup_cycle(commune)
        owner = create_resident(commune["id"], phone="+212612000001")
        proposal_id = create_proposal(setup, owner.id).id
    login_resident(client, app, PHONE)
    page = client.get(f"/proposals/{proposal_id}/edit")
    assert page.status_code == 403
    assert "belongs to someone else" in page.get_data(as_text=True)
    response = submit(
        client,
        f"/proposals/{proposal_id}/edit",
        form_data(setup, title="Piraté"),
        form_url=new_url(setup),
    )
    assert response.status_code == 403
    withdraw = submit(client, f"/proposals/{proposal_id}/withdraw", {})
    assert withdraw.status_code == 403
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        assert proposal.title == "Éclairage de la rue"
        assert proposal.status == "submitted"


def test_author_edits_then_withdraws_before_the_deadline(
    client, app, committed, commune
):
    with committed():
        setup = setup_cycle(commune)
    login_resident(client, app, PHONE)
    url = submit(client, new_url(setup), form_data(setup)).headers["Location"]
    proposal_id = int(url.rsplit("/", 1)[1])
    edit = f"/proposals/{proposal_id}/edit"
    assert 'value="Éclairage du terrain de Rmel"' in client.get(edit).get_data(
        as_text=True
    )
    response = submit(client, edit, form_data(setup, title="Éclairage solaire de Rmel"))
    assert response.status_code == 302
    confirm = client.get(f"/proposals/{proposal_id}/withdraw")
    assert "Withdraw" in confirm.get_data(as_text=True)
    assert submit(client, f"/proposals/{proposal_id}/withdraw", {}).status_code == 302
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        assert proposal.title == "Éclairage solaire de Rmel"
        assert proposal.status == "withdrawn"
        statuses = [e.status for e in proposal.events]
        assert statuses == ["draft", "submitted", "withdrawn"]


def test_withdrawing_after_the_deadline_is_refused(client, app, committed, commune):
    with committed():
        setup = setup_cycle(commune, phase="review")
        resident = create_resident(commune["id"], phone=PHONE)
        proposal_id = create_proposal(setup, resident.id).id
    login_resident(client, app, PHONE)
    response = submit(client, f"/proposals/{proposal_id}/withdraw", {})
    assert response.status_code == 403
    assert "The deadline for proposals was" in response.get_data(as_text=True)


def test_malicious_description_is_shown_as_text(client, app, committed, commune):
    evil = (
        "Projet <script>alert('x')</script> et <img src=x onerror=alert(1)> "
        "[clic](javascript:alert(1)) **important** [site](https://ouazzane.ma)"
    )
    with committed():
        setup = setup_cycle(commune)
        resident = create_resident(commune["id"])
        proposal_id = create_proposal(
            setup, resident.id, description=evil, title="<b>Titre</b>"
        ).id
    page = client.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page or (
        "&lt;script&gt;" in page
    )
    assert 'href="javascript:' not in page
    assert "<strong>important</strong>" in page
    assert 'href="https://ouazzane.ma" rel="nofollow ugc noopener"' in page
    assert "&lt;b&gt;Titre&lt;/b&gt;" in page


def test_signed_out_visitor_is_sent_to_sign_in(client, committed, commune):
    with committed():
        setup = setup_cycle(commune)
    response = client.get(new_url(setup))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_categories_are_seeded_on_a_fresh_installation(client, app, committed, commune):
    with committed():
        cycle_id = create_cycle(commune["id"], district_ids=commune["district_ids"]).id
    login_resident(client, app, PHONE)
    page = client.get(f"/cycles/{cycle_id}/proposals/new").get_data(as_text=True)
    # An English reader gets the categories' French names.
    assert "Espaces verts" in page and "المساحات الخضراء" not in page
