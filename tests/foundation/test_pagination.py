"""The shared pager (Flask-SQLAlchemy's ``db.paginate`` behind
``pbvote.core.pagination.paginate``): bounded page numbers, a page past the end,
bad values, and the API's paging fields."""

import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from pbvote.core.pagination import page_json, paginate

NUMBERS = select(func.generate_series(1, 45))  # 45 rows: pages of 20, 20 and 5


def page_for(app, query_string: str, **kwargs):
    with app.test_request_context(f"/?{query_string}"):
        return paginate(NUMBERS, size=20, **kwargs)


def test_pages_in_order(app):
    first, third = page_for(app, ""), page_for(app, "page=3")
    assert (first.page, first.pages, first.total) == (1, 3, 45)
    assert first.items == list(range(1, 21)) and not first.has_prev
    assert third.items == [41, 42, 43, 44, 45] and not third.has_next


@pytest.mark.parametrize("number", ["4", "2147483648", "9" * 40, "9" * 5000])
def test_a_page_past_the_end_shows_the_last(app, number):
    page = page_for(app, f"page={number}")
    assert (page.page, page.items) == (3, [41, 42, 43, 44, 45])


@pytest.mark.parametrize("value", ["0", "-1", "x", "1.5", "", "٢", "00"])
def test_a_page_number_that_is_not_one_is_not_found(app, value):
    with pytest.raises(NotFound):
        page_for(app, f"page={value}")


def test_each_list_its_own_parameter(app):
    page = page_for(app, "page=x&chain_page=2", param="chain_page")
    assert page.items[0] == 21


def test_page_json_counts_an_empty_list_as_one_page(app):
    with app.test_request_context("/"):
        empty = paginate(select(func.generate_series(1, 0)), size=20)
    assert page_json(empty) == {"page": 1, "pages": 1, "total": 0}
    assert page_json(page_for(app, "page=2")) == {"page": 2, "pages": 3, "total": 45}


def test_bad_page_in_a_real_list_answers_404_page(client, commune):
    assert client.get("/execution?page=2147483648").status_code == 200
    response = client.get("/execution?page=abc")
    assert response.status_code == 404
