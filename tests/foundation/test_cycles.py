"""Cycles: phases enforced on the server, scope amounts that add up, public pages."""

from sqlalchemy import select

from pbvote.cycles.models import Cycle, Scope
from pbvote.extensions import db
from tests.factories import create_cycle, create_staff
from tests.helpers import login_staff, submit


def admin_client(client, commune, committed):
    with committed():
        _, secret = create_staff(commune["id"], "amina", ["admin"])
    login_staff(client, "amina", secret)
    return client


def scope_form(cycle_id, district_ids, commune_amount, district_amount):
    data = {"commune": str(commune_amount)}
    data.update({f"district_{d}": str(district_amount) for d in district_ids})
    return data


def test_scope_amounts_must_add_up_to_the_total(app, client, commune, committed):
    with committed():
        cycle_id = create_cycle(
            commune["id"], current_phase="preparation", total=1_000_000
        ).id
    admin_client(client, commune, committed)
    url = f"/staff/cycles/{cycle_id}/scopes"
    page = submit(
        client,
        url,
        scope_form(cycle_id, commune["district_ids"], 400_000, 100_000),
        follow_redirects=True,
    )
    assert "difference: -300,000\xa0MAD" in page.get_data(as_text=True)
    page = submit(
        client,
        url,
        scope_form(cycle_id, commune["district_ids"], 700_000, 100_000),
        follow_redirects=True,
    )
    assert "Budget split saved" in page.get_data(as_text=True)
    with app.app_context():
        amounts = sorted(
            db.session.scalars(select(Scope.amount).where(Scope.cycle_id == cycle_id))
        )
    assert amounts == [100_000, 100_000, 100_000, 700_000]


def test_amounts_accept_thousands_separators_and_refuse_negatives(
    app, client, commune, committed
):
    with committed():
        cycle_id = create_cycle(
            commune["id"], current_phase="preparation", total=1_000_000
        ).id
    admin_client(client, commune, committed)
    url = f"/staff/cycles/{cycle_id}/scopes"
    data = scope_form(cycle_id, commune["district_ids"], "-5", 0)
    page = submit(client, url, data).get_data(as_text=True)
    assert "between 0 and" in page
    data = scope_form(cycle_id, commune["district_ids"], "1 000 000", 0)
    assert submit(client, url, data).status_code == 302


def test_scopes_cannot_change_once_voting_has_opened(app, client, commune, committed):
    with committed():
        cycle_id = create_cycle(
            commune["id"], current_phase="voting", total=1_000_000
        ).id
    admin_client(client, commune, committed)
    page = submit(
        client,
        f"/staff/cycles/{cycle_id}/scopes",
        scope_form(cycle_id, commune["district_ids"], 1_000_000, 0),
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "This is not possible now" in page and "Voting" in page
    with app.app_context():
        scopes = db.session.scalars(
            select(Scope).where(Scope.cycle_id == cycle_id)
        ).all()
    assert [s.amount for s in scopes] == [1_000_000]


def test_admin_creates_a_cycle_with_ordered_phases(app, client, commune, committed):
    admin_client(client, commune, committed)
    data = {
        "year": "2027",
        "title_ar": "الميزانية",
        "title_fr": "Budget 2027",
        "total_budget": "2 000 000",
        "ends_at": "2027-12-31",
    }
    days = [
        "2027-01-01",
        "2027-02-01",
        "2027-03-01",
        "2027-04-01",
        "2027-05-01",
        "2027-06-01",
        "2027-09-01",
    ]
    from pbvote.cycles.models import PHASES

    wrong = dict(data, **{f"start_{k}": d for k, d in zip(PHASES, reversed(days))})
    page = submit(client, "/staff/cycles/new", wrong, follow_redirects=True)
    assert "must follow each other in order" in page.get_data(as_text=True)
    good = dict(data, **{f"start_{k}": d for k, d in zip(PHASES, days)})
    response = submit(client, "/staff/cycles/new", good)
    assert response.status_code == 302
    with app.app_context():
        cycle = db.session.scalar(select(Cycle).where(Cycle.year == 2027))
        assert cycle.total_budget == 2_000_000 and len(cycle.phases) == 7
    again = submit(client, "/staff/cycles/new", good, follow_redirects=True)
    assert "already a cycle for 2027" in again.get_data(as_text=True)


def test_public_cycle_page_shows_the_current_phase(app, client, commune, committed):
    with committed():
        cycle_id = create_cycle(
            commune["id"], current_phase="review", district_ids=commune["district_ids"]
        ).id
    client.set_cookie("lang", "en")
    page = client.get(f"/cycles/{cycle_id}").get_data(as_text=True)
    assert 'aria-current="step"' in page
    current = page.split('aria-current="step"')[1][:200]
    assert "Feasibility review" in current
    # An English reader gets the districts' French names, never the Arabic ones.
    assert "Adrou" in page and "حي Adrou" not in page


def test_unknown_cycle_is_a_clear_404(client, commune):
    page = client.get("/cycles/999")
    assert page.status_code == 404 and "Page not found" in page.get_data(as_text=True)


def test_admin_edits_a_district(app, client, commune, committed):
    admin_client(client, commune, committed)
    district_id = commune["district_ids"][0]
    page = submit(
        client,
        f"/staff/districts/{district_id}",
        {"name_ar": "حي الرمل", "name_fr": "Rmel", "active": "y"},
    )
    assert "already exists" in page.get_data(as_text=True)
    response = submit(
        client,
        f"/staff/districts/{district_id}",
        {
            "name_ar": "أدرو",
            "name_fr": "Adrou-Nord",
            "population": "4200",
            "active": "y",
        },
    )
    assert response.status_code == 302
    assert "district.update" in client.get("/staff/audit").get_data(as_text=True)


def test_long_lists_are_paginated(app, client, commune, committed):
    admin_client(client, commune, committed)
    for index in range(25):
        submit(
            client,
            "/staff/districts/new",
            {"name_ar": f"حي {index}", "name_fr": f"Quartier {index}", "active": "y"},
        )
    page = client.get("/staff/audit").get_data(as_text=True)
    assert "Page 1 of" not in page  # 25 entries fit in one page of 50
    for index in range(25, 60):
        submit(
            client,
            "/staff/districts/new",
            {"name_ar": f"حي {index}", "name_fr": f"Quartier {index}", "active": "y"},
        )
    page = client.get("/staff/audit?action=district").get_data(as_text=True)
    assert "Page 1 of 2" in page and 'rel="next"' in page
    second = client.get("/staff/audit?action=district&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and "action=district" in second
