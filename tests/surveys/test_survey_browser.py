"""A resident answers the ready-made satisfaction survey in Arabic on a 360 px
screen, in Debian's Chromium; a forgotten required question keeps the rest."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.surveys.models import SurveyAnswer, SurveyResponse
from pbvote.surveys.ready import ensure_satisfaction_survey
from tests.factories import create_resident
from tests.helpers import CHROMIUM, CHROMIUM_ARGS, last_code

PHONE = "+212612345691"
IDEA = "مزيد من الاجتماعات في الأحياء"


@pytest.mark.browser
def test_resident_answers_the_satisfaction_survey_in_arabic(
    app, committed, commune, live_server
):
    from playwright.sync_api import sync_playwright

    with committed():
        create_resident(commune["id"], phone=PHONE)
        survey = ensure_satisfaction_survey(None, commune["id"], utcnow())
        survey.opens_at_dt = utcnow() - timedelta(hours=1)
        survey.closes_at_dt = utcnow() + timedelta(days=30)
        survey_id, questions = survey.id, [q.id for q in survey.questions]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(
                viewport={"width": 360, "height": 740}, locale="ar-MA"
            )
            page = context.new_page()
            page.goto(f"{live_server}/lang/ar?next=/surveys/{survey_id}")
            assert page.locator("html").get_attribute("dir") == "rtl"
            page.click(f"a[href*='/login?next=/surveys/{survey_id}']")
            page.fill("input[name=phone]", "0612345691")
            page.locator("form button[type=submit]").last.click()
            page.wait_for_url("**/login/code**")
            page.fill("input[name=code]", last_code(app, PHONE))
            page.locator("form button[type=submit]").last.click()
            page.wait_for_load_state()
            page.goto(f"{live_server}/surveys/{survey_id}")
            assert page.locator("h1").inner_text() == "استبيان الرضا عن المشاركة"

            # Forget the second (required) scale question.
            page.check(f"input[name=q-{questions[0]}][value='4']")
            page.check(f"input[name=q-{questions[2]}][value='0']")
            page.fill(f"textarea[name=q-{questions[3]}]", IDEA)
            page.click("form.survey-form button[type=submit]")
            page.wait_for_load_state()
            assert page.locator(".error-summary").count() == 1
            assert page.locator(f"#q-{questions[1]}.has-error").count() == 1
            assert page.input_value(f"textarea[name=q-{questions[3]}]") == IDEA
            assert page.is_checked(f"input[name=q-{questions[0]}][value='4']")
            assert page.evaluate("document.documentElement.scrollWidth") <= 360

            page.check(f"input[name=q-{questions[1]}][value='5']")
            page.click("form.survey-form button[type=submit]")
            page.wait_for_load_state()
            assert page.locator(".flash-success").count() >= 1
            assert page.locator("form.survey-form").count() == 0
        finally:
            browser.close()
    with app.app_context():
        response = db.session.scalar(select(SurveyResponse))
        texts = db.session.scalars(
            select(SurveyAnswer.text).where(SurveyAnswer.response_id == response.id)
        ).all()
        assert IDEA in texts
