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
    from pbvote.accounts.models import User
    from pbvote.complaints.models import Complaint
    from pbvote.extensions import db
    from pbvote.holidays.models import Holiday
    from pbvote.inforequests.models import InfoRequest
    from pbvote.meetings.models import Meeting
    from pbvote.notifications.demo import DEMO_EMAIL
    from pbvote.notifications.services import (
        UNSUBSCRIBE_SALT,
        VERIFY_SALT,
        email_token,
    )
    from pbvote.petitions.models import Petition
    from pbvote.polls.models import Poll
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
            "poll": first(Poll.id, Poll.status == "open"),
            "poll_published": first(Poll.id, Poll.status == "published"),
        }
        # The e-mail links the demo resident's messages carry (no sign-in needed).
        resident = first(User.id, User.phone == RESIDENT_PHONE)
        ids["email_verify"] = email_token(VERIFY_SALT, resident, DEMO_EMAIL)
        ids["email_unsubscribe"] = email_token(UNSUBSCRIBE_SALT, resident, DEMO_EMAIL)
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
        "/polls",
        f"/polls/{ids['poll']}",
        f"/polls/{ids['poll']}?receipt=NOT-A-RECEIPT",
        f"/polls/{ids['poll_published']}",
        f"/polls/{ids['poll_published']}/results",
        f"/notifications/email/verify/{ids['email_verify']}",
        f"/notifications/email/unsubscribe/{ids['email_unsubscribe']}",
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
        "/staff/polls",
        "/staff/polls/new",
        f"/staff/polls/{ids['poll']}",
        f"/staff/polls/{ids['poll_published']}",
        f"/staff/polls/{ids['poll']}/close",
        "/staff/email",
    ]


def sign_in_resident(page, app, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#phone", RESIDENT_PHONE)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/login/code"))
    page.fill("#code", last_code(app, RESIDENT_PHONE))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def poll_vote(audit, app, base: str, demo) -> None:
    """A second printed resident votes in the open poll, checked at each step
    (the identity and the ballot also after a failed submit)."""
    page, poll = audit.page, demo["poll"]
    cin, birth = demo["poll_voter"]
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{base}/polls/{poll}/vote")
    page.locator("main form button[type=submit]").click()
    audit.check("poll verify, errors")
    page.fill("#cin", cin)
    page.fill("#birth_date", birth)
    page.fill("#phone", "0612345679")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/vote/code$"))
    audit.check("poll code")
    page.fill("#code", last_code(app, "+212612345679"))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/ballot$"))
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        audit.check(f"poll ballot @{width}")
    page.locator("main form button[type=submit]").click()
    audit.check("poll ballot, errors")
    for fieldset in page.locator("main form fieldset").all():
        fieldset.locator("input[type=radio]").first.check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/done$"))
    audit.check("poll receipt")
