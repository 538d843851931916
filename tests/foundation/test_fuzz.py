"""Every route of the URL map, GET and POST, as a visitor and as an administrator
(TOTP done), with out-of-range ids, NUL bytes, CR/LF and tabs in every path
argument, query parameter and form field, against PostgreSQL: never a 5xx."""

import io
import re
import time
from pathlib import Path

import pytest

from pbvote.accounts.models import ROLES
from tests.accountability.factories import execution_setup
from tests.factories import create_staff
from tests.helpers import CSRF_RE, login_staff

BIG = str(2**31)
HUGE = str(2**63)
ROUNDS = {"integer": BIG, "nul": "a\x00b", "crlf": "a\r\nb\tc"}
ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
FIELD = re.compile(r"<(input|select|textarea)\b([^>]*)>")
NAME = re.compile(r'\bname="([^"]+)"')
# Query parameters read anywhere in the code, found by reading the code.
QUERY_NAME = re.compile(r"request\.args\.get\(\s*\"(\w+)\"")
NEVER_POSTED = {"accounts.logout"}  # it would end the walk's own session


def query_names() -> list[str]:
    root = Path(__file__).resolve().parents[2] / "pbvote"
    names = set()
    for path in root.rglob("*.py"):
        names.update(QUERY_NAME.findall(path.read_text(encoding="utf-8")))
    return sorted(names | {"next", "page"})


def urls_for(rule) -> list[str]:
    """The rule with existing ids, with ids past 2**31 and 2**63, and with hostile
    text in its text arguments."""

    def fill(value_for):
        return ARGUMENT.sub(lambda m: value_for(m.group(1) or "string"), rule.rule)

    urls = [fill(lambda kind: "1" if kind == "int" else "x")]
    if "<" in rule.rule:
        urls += [fill(lambda kind: BIG if kind == "int" else "%00")]
        urls += [fill(lambda kind: HUGE if kind == "int" else "a%0D%0Ab%09")]
    return urls


def form_fields(html: str) -> list[tuple[str, bool]]:
    """(name, is_file) of every field of every form on the page."""
    fields = []
    for _tag, attributes in FIELD.findall(html):
        name = NAME.search(attributes)
        if name and name.group(1) != "csrf_token":
            fields.append((name.group(1), 'type="file"' in attributes))
    return fields


class Walk:
    def __init__(self, client, queries):
        self.client, self.queries = client, queries
        self.requests, self.failures, self.statuses = 0, [], {}

    def send(self, method, url, **kwargs):
        self.requests += 1
        try:
            response = self.client.open(url, method=method, **kwargs)
        except Exception as error:  # noqa: BLE001 - any escaping error is a 500
            self.failures.append((method, url, repr(error)[:200]))
            return None
        self.statuses[response.status_code] = (
            self.statuses.get(response.status_code, 0) + 1
        )
        if response.status_code >= 500:
            self.failures.append((method, url, response.status_code))
        return response

    def route(self, rule):
        base, *hostile = urls_for(rule)
        page = None
        if "GET" in rule.methods:
            page = self.send("GET", base)
            for url in hostile:
                self.send("GET", url)
            for value in ROUNDS.values():
                query = {name: value for name in self.queries}
                self.send("GET", base, query_string=query)
        if "POST" in rule.methods and rule.endpoint not in NEVER_POSTED:
            html = page.get_data(as_text=True) if page is not None else ""
            self.post_rounds(base, hostile, html)

    def post_rounds(self, url, hostile, html):
        token = CSRF_RE.search(html) or CSRF_RE.search(
            self.client.get("/login").get_data(as_text=True)
        )
        fields = form_fields(html) or [(name, False) for name in self.queries]
        for value in ROUNDS.values():
            data = {"csrf_token": token.group(1)}
            for name, is_file in fields:
                data[name] = (io.BytesIO(b"x"), f"f{value}.png") if is_file else value
            self.send("POST", url, data=data)
        for other in hostile:
            self.send("POST", other, data={"csrf_token": token.group(1)})


def walk_every_route(app, client) -> Walk:
    walk = Walk(client, query_names())
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint != "static":
            walk.route(rule)
    return walk


@pytest.fixture
def world(committed, commune):
    """A cycle in execution with records; an administrator holding every role, so
    that the walk reaches every staff form."""
    setup = execution_setup(committed, commune)
    with committed():
        _, secret = create_staff(commune["id"], "root", ROLES)
    return {**setup, "root": ("root", secret)}


@pytest.mark.parametrize("who", ["visitor", "admin"])
def test_no_route_answers_5xx_to_hostile_input(app, client, world, who):
    if who == "admin":
        login_staff(client, *world["root"])
        assert client.get("/staff/users").status_code == 200
    started = time.monotonic()
    walk = walk_every_route(app, client)
    elapsed = time.monotonic() - started
    print(f"fuzz {who}: {walk.requests} requests in {elapsed:.1f}s {walk.statuses}")
    assert walk.requests > 500
    assert walk.failures == [], "\n".join(map(str, walk.failures))
    if who == "admin":  # the walk ran signed in throughout
        assert client.get("/staff/users").status_code == 200
