"""The newer domains' pages (petitions, information requests, complaints,
meetings, surveys, advisory bodies, indicators and reports, notifications,
holidays) that test_axe.py and test_markup.py walk with the older ones: public
pages, the signed-in resident's pages and the main staff pages."""

import re

from sqlalchemy import select

from tests.helpers import last_code

RESIDENT_PHONE = "+212612345601"  # a demo resident


def domain_ids(app) -> dict:
    """The demo's row ids that the newer domains' pages need (called by the
    ``demo`` fixture once it has seeded)."""
    from pbvote.complaints.models import Complaint
    from pbvote.extensions import db
    from pbvote.holidays.models import Holiday
    from pbvote.inforequests.models import InfoRequest
    from pbvote.meetings.models import Meeting
    from pbvote.petitions.models import Petition
    from pbvote.reviews.models import AdvisoryBody
    from pbvote.surveys.models import Survey

    def first(column, *where):
        return db.session.scalar(select(column).where(*where).limit(1))

    with app.app_context():
        ids = {
            "petition": first(Petition.id, Petition.status == "collecting"),
            "petition_any": first(Petition.id),
            "request": first(InfoRequest.id),
            "request_number": first(InfoRequest.tracking_number),
            "complaint": first(Complaint.id),
            "meeting": first(Meeting.id),
            "survey": first(Survey.id),
            "body": first(AdvisoryBody.id),
            "report": None,  # publish_report() makes one for the axe walk
            "holiday": first(Holiday.id),
        }
    return ids


def publish_report(app) -> int:
    """Last year's charter report, drafted and published (the demo has none):
    only the browser walk pays for its figures and PDF."""
    from pbvote.communes.models import Commune
    from pbvote.core.time import utcnow
    from pbvote.extensions import db
    from pbvote.indicators import reports

    with app.app_context():
        now = utcnow()
        commune = db.session.scalar(select(Commune.id))
        report = reports.generate_draft(commune, str(now.year - 1), now)
        reports.publish(None, report, now)
        db.session.commit()
        return report.id


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
    ] + ([f"/indicators/reports/{ids['report']}"] if ids["report"] else [])


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
        *([f"/staff/indicators/reports/{ids['report']}"] if ids["report"] else []),
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
