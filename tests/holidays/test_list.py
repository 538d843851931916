"""The staff list of holidays: the shipped 54 days come a page at a time."""

from pbvote.holidays import services
from tests.factories import create_staff
from tests.helpers import login_staff


def test_the_holidays_list_is_paged_with_the_shared_pager(
    app, client, committed, commune
):
    with committed():
        _user, secret = create_staff(commune["id"], "admin", ["admin"])
        services.load_shipped_holidays()
    login_staff(client, "admin", secret)
    first = client.get("/staff/holidays").get_data(as_text=True)
    size = app.config["PAGE_SIZE"]
    assert first.count('data-label="Day"') == size  # tests run in English
    assert "Page 1 of 3" in first and "page=2" in first
    last = client.get("/staff/holidays?page=3").get_data(as_text=True)
    assert last.count('data-label="Day"') == 54 - 2 * size
