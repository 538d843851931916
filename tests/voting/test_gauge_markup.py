"""The budget gauge (pbvote.voting.markup.gauge) renders exactly what the Jinja
macro it replaced (templates/macros/ballot.html ``gauge``, before issue 13's
review2 round) rendered: ``gauge_before.json`` holds that macro's output for these
cases in each language, recorded before the change."""

import json
from pathlib import Path

import pytest

from pbvote.voting.markup import gauge

CASES = [
    (0, 1000000),
    (250000, 1000000),
    (1000000, 1000000),
    (1300000, 1000000),
    (333333, 700000),
    (5, 0),
    (0, 0),
]
BEFORE = json.loads((Path(__file__).parent / "gauge_before.json").read_text("utf-8"))


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_the_gauge_renders_as_the_macro_did(app, lang):
    with app.test_request_context("/", headers={"Cookie": f"lang={lang}"}):
        rendered = [
            str(gauge(used, amount, f"gauge-{index}"))
            for index, (used, amount) in enumerate(CASES)
        ]
    assert rendered == BEFORE[lang]


def test_the_gauge_escapes_its_id(app):
    with app.test_request_context("/"):
        assert 'id="a&#34;b"' in gauge(1, 2, 'a"b')
