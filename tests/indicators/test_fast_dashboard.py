"""The fast dashboard (shared look-ups, one query per source) gives exactly the
figures of the slow reference computation it replaced."""

from pbvote.accountability.reports import due_periods
from pbvote.communes.models import Commune
from pbvote.core.time import to_local_day, utcnow
from pbvote.extensions import db
from pbvote.indicators import periods, queries, services
from pbvote.indicators.errors import IndicatorError
from tests.indicators import reference


def _plain(data: dict) -> dict:
    return {
        **data,
        "indicators": [
            {
                **i,
                "rows": [
                    {k: r[k] for k in ("key", "value", "previous", "unit")}
                    for r in i["rows"]
                ],
            }
            for i in data["indicators"]
        ],
    }


def test_the_fast_dashboard_gives_the_reference_figures(app, seeded_demo):
    with app.test_request_context():
        _compare(app)


def _compare(app):
    commune_id = db.session.query(Commune.id).scalar()
    today = to_local_day(utcnow())
    _kind, year, quarter = due_periods(today)[0]
    codes = ["", f"{year}-Q{quarter}", str(today.year - 1)]
    codes += [f"cycle-{c}" for c in (1, 2)]
    districts = [None] + [d.id for d in queries.districts(commune_id)][:2]
    compared = 0
    for code in codes:
        try:
            period = periods.parse(commune_id, code, today)
        except IndicatorError:  # a demo without that cycle
            continue
        for district_id in districts:
            fast = _plain(services.dashboard(commune_id, period, district_id))
            slow = reference.dashboard(commune_id, period, district_id)
            assert fast == slow, (code, district_id)
            compared += 1
    assert compared >= 9
    # The comparison is not empty: the demo has participants and answered proposals.
    fast = services.dashboard(commune_id, periods.parse(commune_id, "", today))
    rows = {
        (i["key"], r["key"]): r["value"] for i in fast["indicators"] for r in i["rows"]
    }
    assert rows[("participants", "accounts")] not in (0, None)
    assert rows[("proposals", "proposed")] > 0


def test_account_participants_match_the_reference(app, seeded_demo):
    with app.test_request_context():
        _compare_participants()


def _compare_participants():
    commune_id = db.session.query(Commune.id).scalar()
    today = to_local_day(utcnow())
    for period in (periods.year(today.year), periods.year(today.year - 1)):
        for district_id in [None] + [d.id for d in queries.districts(commune_id)]:
            assert queries.account_participants(commune_id, period, district_id) == (
                reference.account_participants(
                    commune_id, period.start, period.end, district_id
                )
            )


def test_the_cells_formatted_once_give_the_macro_markup(app, seeded_demo):
    """indicators.display formats each distinct value once; the page's table is
    the one the ``value`` macro gives, in each language."""
    import copy

    from flask import render_template
    from markupsafe import Markup

    from pbvote.indicators import charts, display

    for lang in ("ar", "fr", "en"):
        with app.test_request_context(
            "/indicators", headers={"Cookie": f"lang={lang}"}
        ):
            app.preprocess_request()
            commune_id = db.session.query(Commune.id).scalar()
            today = to_local_day(utcnow())
            data = services.dashboard(commune_id, periods.parse(commune_id, "", today))
            for indicator in data["indicators"]:
                indicator["chart"] = charts.bars(indicator)
            fast = copy.deepcopy(data)
            display.add_cells(fast)
            pages = [
                render_template(
                    "indicators/dashboard.html",
                    data=d,
                    error=None,
                    districts=[],
                    period_choices=[],
                    chosen_period="",
                    chosen_district="",
                )
                for d in (data, fast)
            ]
            assert pages[0] == pages[1], lang
            cells = [
                c for i in fast["indicators"] for r in i["rows"] for c in r["cells"]
            ]
            # Not a trivial comparison: words (markup) and numbers both appear.
            assert any(isinstance(c, Markup) for c in cells)
            assert any(not isinstance(c, Markup) and c[:1].isdigit() for c in cells)


def test_the_answer_delays_are_the_same_computed_in_sql_or_in_python(app, seeded_demo):
    """The delays' two paths (epoch arithmetic on PostgreSQL, moments subtracted
    in Python elsewhere) give the same days, both run here on PostgreSQL."""
    with app.test_request_context():
        commune_id = db.session.query(Commune.id).scalar()
        today = to_local_day(utcnow())
        spans = (periods.year(today.year), periods.year(today.year - 1))
        for district_id in [None] + [d.id for d in queries.districts(commune_id)]:
            in_sql = queries.answer_delays(commune_id, spans, district_id, False)
            in_python = queries.answer_delays(commune_id, spans, district_id, True)
            assert in_sql == in_python, district_id
        assert any(queries.answer_delays(commune_id, spans, None, False))
