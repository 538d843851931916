"""The public execution page in Arabic on a 360 px screen, in Debian's Chromium."""

import pytest

from pbvote.accountability.models import ExecutionRecord
from tests.accountability.factories import execution_setup
from tests.helpers import CHROMIUM, CHROMIUM_ARGS, login_staff, run_jobs, submit


@pytest.mark.browser
def test_public_execution_page_in_arabic_on_a_phone(
    app, client, committed, commune, live_server
):
    from playwright.sync_api import sync_playwright

    setup = execution_setup(committed, commune)
    record_id = setup["record_ids"][0]
    with committed() as session:
        record = session.get(ExecutionRecord, record_id)
        record.responsible_service = "مصلحة الأشغال البلدية"
        record.contractor = "شركة الأشغال الكبرى لوزان للطرق والقنوات"
    login_staff(client, *setup["finance"])
    response = submit(
        client,
        f"/staff/execution/{record_id}/updates/new",
        {
            "status_key": "delayed",
            "reason": "تأخر بسبب الأمطار الغزيرة في شهر يناير",
            "committed": "300000",
            "spent": "120000",
            "body_ar": "تم تبليط نصف الشارع",
            "service": "مصلحة الأشغال البلدية",
        },
    )
    update_id = int(response.headers["Location"].rsplit("/", 1)[1])
    submit(
        client,
        f"/staff/execution/updates/{update_id}/publish",
        {},
        form_url=f"/staff/execution/updates/{update_id}",
    )
    run_jobs(app, "followup")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(
                viewport={"width": 360, "height": 740}, locale="ar-MA"
            )
            page = context.new_page()
            errors = []
            page.on(
                "console",
                lambda message: (
                    errors.append(message.text) if message.type == "error" else None
                ),
            )
            page.goto(f"{live_server}/lang/ar?next=/execution/{record_id}")
            assert page.locator("html").get_attribute("dir") == "rtl"
            assert page.locator("h1").inner_text() == "مشروع Projet 1"
            assert page.locator(".exec-status", has_text="متأخر").count() >= 1
            assert page.get_by_text("تأخر بسبب الأمطار الغزيرة").count() >= 1
            assert page.get_by_text("تم تبليط نصف الشارع").count() == 1
            progress = page.locator(".exec-progress progress").first
            assert progress.get_attribute("value") == "0"
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            # The dashboard too, and a keyboard user reaches the project link.
            page.goto(f"{live_server}/execution")
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            link = page.locator(f"a[href='/execution/{record_id}']").first
            link.focus()
            page.keyboard.press("Enter")
            page.wait_for_url(f"**/execution/{record_id}")
            assert not [e for e in errors if "Content Security Policy" in e], errors
        finally:
            browser.close()
