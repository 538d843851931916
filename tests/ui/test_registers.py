"""The public registers on a 360 px phone in Arabic: a tracking number is typed
back by residents, so it must not be cut over lines ("DI-2 / 026-7D8Q / PM")."""

import pytest


@pytest.mark.browser
def test_register_numbers_stay_on_one_line_at_360_px(live_server, demo, browser):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(f"{live_server}/lang/ar?next=/information")
    for path in ("/information", "/complaints"):
        page.goto(live_server + path)
        numbers = page.locator("td.code a")
        assert numbers.count() > 0, path
        for index in range(numbers.count()):
            rects = numbers.nth(index).evaluate("a => a.getClientRects().length")
            assert rects == 1, (path, numbers.nth(index).inner_text())
    page.close()
