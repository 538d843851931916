"""The public dashboard: Arabic rendering, filters, downloads, API, bad input."""

import json

from tests.indicators.test_indicators import build


def test_the_dashboard_renders_in_arabic_with_charts_and_tables(
    app, client, committed, commune
):
    with committed():
        build(commune)
    client.set_cookie("lang", "ar")
    page = client.get("/indicators?period=2025-Q1")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'lang="ar"' in html and 'dir="rtl"' in html
    assert html.count('role="img"') >= 5  # a chart per indicator with numbers
    assert html.count("<table>") == 9  # every chart has its data table
    assert "2024-Q4" in html  # the previous period is shown
    assert ">18<" in html  # the participating residents


def test_json_api_and_csv_carry_the_same_figures(app, client, committed, commune):
    with committed():
        build(commune)
    api = client.get("/api/v1/indicators?period=2025-Q1").get_json()
    download = json.loads(client.get("/indicators.json?period=2025-Q1").data)
    assert api == download
    participants = next(i for i in api["indicators"] if i["key"] == "participants")
    assert {r["key"]: r["value"] for r in participants["rows"]}["total"] == 18
    csv_text = client.get("/indicators.csv?period=2025-Q1").get_data(as_text=True)
    assert "participants,total,Participating residents,count,18,6" in csv_text


def test_the_district_filter(app, client, committed, commune):
    with committed():
        build(commune)
    second = commune["district_ids"][1]
    data = client.get(f"/api/v1/indicators?period=2025-Q1&district={second}")
    participants = next(
        i for i in data.get_json()["indicators"] if i["key"] == "participants"
    )
    assert {r["key"]: r["value"] for r in participants["rows"]}["total"] == "<5"


def test_bad_periods_and_districts_get_a_clear_error(app, client, commune):
    for query in (
        "period=2025-Q7",
        "period=banana",
        "period=cycle-99999999999",
        "period=cycle-77",
        "district=2147483648",
        "district=abc",
    ):
        page = client.get(f"/indicators?{query}")
        assert page.status_code == 400, query
        assert 'role="alert"' in page.get_data(as_text=True)
        api = client.get(f"/api/v1/indicators?{query}")
        assert api.status_code == 400 and api.get_json()["message"]


def test_a_cycle_period(app, client, committed, commune):
    with committed():
        build(commune)
    from pbvote.cycles.models import Cycle
    from pbvote.extensions import db

    with app.app_context():
        cycle_id = db.session.scalar(db.select(Cycle.id))
    data = client.get(f"/api/v1/indicators?period=cycle-{cycle_id}").get_json()
    assert data["period"] == f"cycle-{cycle_id}"
    assert data["previous"] is None
