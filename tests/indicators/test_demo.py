"""Issue 17's 'done when': in the demo every section-13 indicator has real
figures, and the last quarter's report is generated, edited and published."""

import io

from pypdf import PdfReader

from pbvote.accountability.reports import due_periods
from pbvote.core.time import to_local_day, utcnow
from tests.factories import create_staff
from tests.helpers import login_staff, run_jobs, submit


def _numbers(indicator) -> list:
    return [
        r["value"]
        for r in indicator["rows"]
        if isinstance(r["value"], int | float) and r["value"] > 0
    ]


def test_the_demo_dashboard_has_figures_for_every_indicator(app, client, seeded_demo):
    data = client.get("/api/v1/indicators").get_json()
    assert len(data["indicators"]) == 9
    for indicator in data["indicators"]:
        if indicator["key"] != "repetition":  # the demo's accounts start this year
            assert _numbers(indicator), indicator["key"]
    # Repetition: residents of the last quarter who had taken part the one before.
    _kind, year, quarter = due_periods(to_local_day(utcnow()))[0]
    last = client.get(f"/api/v1/indicators?period={year}-Q{quarter}").get_json()
    repetition = next(i for i in last["indicators"] if i["key"] == "repetition")
    assert _numbers(repetition)
    rows = {
        (i["key"], r["key"]): r["value"] for i in data["indicators"] for r in i["rows"]
    }
    assert rows[("mechanisms", "meetings")] >= 1
    assert rows[("satisfaction", "survey")] > 0
    assert rows[("diversity", "gender.woman.rate")] > 0
    assert rows[("participants", "growth")] is not None
    assert client.get("/indicators").status_code == 200


def test_the_demo_quarter_report_is_generated_edited_and_published(
    app, client, committed, seeded_demo
):
    with committed():
        from pbvote.communes.services import current_commune

        _user, secret = create_staff(current_commune().id, "auditor", ["admin"])
    login_staff(client, "auditor", secret)
    _kind, year, quarter = due_periods(to_local_day(utcnow()))[0]
    code = f"{year}-Q{quarter}"
    expected = client.get(f"/api/v1/indicators?period={code}").get_json()
    total = expected["indicators"][2]["rows"][0]["value"]
    assert submit(client, "/staff/indicators/reports", {"period": code}).status_code
    run_jobs(app, "default")
    listing = client.get("/staff/indicators/reports").get_data(as_text=True)
    report_id = int(listing.split("/staff/indicators/reports/")[1].split('"')[0])
    url = f"/staff/indicators/reports/{report_id}"
    submit(client, url, {"text_participants": "Une participation en hausse."})
    submit(client, f"{url}/publish", {}, form_url=url)
    pdf = client.get(f"/indicators/reports/{report_id}.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Une participation en hausse." in text
    assert str(total) in text
