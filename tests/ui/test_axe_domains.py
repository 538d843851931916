"""axe-core on the newer domains' pages (petitions, information requests,
complaints, meetings, surveys, advisory bodies, indicators and reports,
notifications, holidays): public pages, the resident's pages (signed in) and the
main staff pages, in Arabic and French, at 360 px and 1280 px. Any violation, or a
page wider than the screen, fails the test.

One test seeds the demo once and walks both languages in one browser context
(the demo's seeding is a good part of the time)."""

import re

import pytest
from sqlalchemy import select

from tests.helpers import last_code
from tests.ui.test_axe import Audit, sign_in_staff

RESIDENT_PHONE = "+212612345601"  # a demo resident


@pytest.fixture
def domains(app, demo):
    """The demo's row ids that the newer domains' pages need."""
    from pbvote.communes.models import Commune
    from pbvote.complaints.models import Complaint
    from pbvote.core.time import utcnow
    from pbvote.extensions import db
    from pbvote.holidays.models import Holiday
    from pbvote.indicators import reports
    from pbvote.inforequests.models import InfoRequest
    from pbvote.meetings.models import Meeting
    from pbvote.petitions.models import Petition
    from pbvote.reviews.models import AdvisoryBody
    from pbvote.surveys.models import Survey

    def first(column, *where):
        return db.session.scalar(select(column).where(*where).limit(1))

    with app.app_context():
        # Last year's charter report, drafted and published (the demo has none).
        now = utcnow()
        commune = db.session.scalar(select(Commune.id))
        report = reports.generate_draft(commune, str(now.year - 1), now)
        reports.publish(None, report, now)
        db.session.commit()
        ids = {
            "petition": first(Petition.id, Petition.status == "collecting"),
            "petition_any": first(Petition.id),
            "request": first(InfoRequest.id),
            "request_number": first(InfoRequest.tracking_number),
            "complaint": first(Complaint.id),
            "meeting": first(Meeting.id),
            "survey": first(Survey.id),
            "body": first(AdvisoryBody.id),
            "report": report.id,
            "holiday": first(Holiday.id),
        }
    return {**demo, **ids}


def public_pages(ids) -> list[str]:
    return [
        "/petitions",
        f"/petitions/{ids['petition']}",
        "/information",
        f"/information/requests/{ids['request_number']}",
        "/complaints",
        f"/complaints/{ids['complaint']}",
        "/meetings",
        f"/meetings/{ids['meeting']}",
        "/surveys",
        "/bodies",
        f"/bodies/{ids['body']}",
        "/indicators",
        "/indicators/reports",
        f"/indicators/reports/{ids['report']}",
    ]


def resident_pages(ids) -> list[str]:
    return [
        "/petitions/new",
        f"/petitions/{ids['petition']}",
        "/information/new",
        "/complaints/new",
        f"/meetings/{ids['meeting']}",
        f"/surveys/{ids['survey']}",
        "/notifications",
    ]


def staff_pages(ids) -> list[str]:
    return [
        "/staff/petitions",
        f"/staff/petitions/{ids['petition_any']}",
        "/staff/information",
        "/staff/information/new",
        f"/staff/information/{ids['request']}",
        "/staff/complaints",
        f"/staff/complaints/{ids['complaint']}",
        "/staff/meetings",
        "/staff/meetings/new",
        f"/staff/meetings/{ids['meeting']}",
        f"/staff/meetings/{ids['meeting']}/edit",
        "/staff/surveys",
        "/staff/surveys/new",
        f"/staff/surveys/{ids['survey']}",
        f"/staff/surveys/{ids['survey']}/results",
        f"/staff/bodies/{ids['body']}/opinions",
        "/staff/indicators/reports",
        f"/staff/indicators/reports/{ids['report']}",
        "/staff/holidays",
        "/staff/holidays/new",
        f"/staff/holidays/{ids['holiday']}",
    ]


def sign_in_resident(page, app, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#phone", RESIDENT_PHONE)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/login/code"))
    page.fill("#code", last_code(app, RESIDENT_PHONE))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


LANGUAGES = ("ar", "fr")


@pytest.mark.browser
def test_no_axe_violation_on_the_newer_domains_pages(
    app, live_server, domains, browser
):
    """One browser context: each sign-in once (a TOTP code is accepted once), the
    language switched by the menu's link between the rounds."""
    context = browser.new_context()
    audit = Audit(context.new_page())
    audit.page.set_default_timeout(10_000)

    def walk(paths):
        for language in LANGUAGES:
            audit.page.goto(f"{live_server}/lang/{language}?next=/privacy")
            for path in paths:
                audit.visit(live_server, path, prefix=f"[{language}] ")

    walk(public_pages(domains))
    sign_in_resident(audit.page, app, live_server)
    walk(resident_pages(domains))
    sign_in_staff(audit.page, live_server, domains["admin_secret"])
    walk(staff_pages(domains))
    context.close()
    audit.assert_clean()
