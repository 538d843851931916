"""Benchmark the whole voting flow against gunicorn and PostgreSQL.

Each simulated resident: GET the verification page, POST ID + date of birth +
phone, read the SMS code from the outbox, POST the code, GET the ballot, POST it for
review, POST the cast. Beside it, in the same run and against the same server, a
bare endpoint that inserts one row and commits (in the bench's own WSGI app only),
requested seven times per kept-alive connection as a resident's seven requests are,
half of its requests before the flow's and half after (a drift of the machine's
speed weighs on both). Before anything is measured, both are warmed up
(``--warm-voters`` residents vote first): every gunicorn worker has configured
SQLAlchemy's mappers, compiled the templates and filled its caches, as in a
server that has been running; the caches' refills every PROCESS_CACHE_SECONDS
stay in the measure.

    .venv/bin/python bench/cast.py --voters 400 --concurrency 16 --workers 4 \
        --redis redis://127.0.0.1:6379/15 [--rate 20 --open-voters 400]

Closed loop (``--concurrency`` clients, each starting a resident as soon as the
last one is done): verified voters per second and p50/p99 of the whole flow, of
the cast request alone and of the bare endpoint, the flow's requests per second
beside the bare endpoint's (the ratio), and the SQL statements and commits per
voter (the server counts them on its engine and returns them in headers, a
bench-only hook). The CPU line gives the CPU per request of gunicorn (master and
workers), of the SMS workers, of this bench's own client threads and of the
services (the bench database's PostgreSQL backends and the Redis server) in each
phase, read from /proc: the clients share the machine's cores with the server, so the
ratio of the server's CPU per request is the server's own. Open loop (``--rate``):
residents arrive at a fixed rate whatever the server's speed, and each request's
p50/p99 is reported (a closed loop at many clients only measures its own queue).
With ``--redis`` the SMS go through RQ to ``--sms-workers`` ``pbvote worker sms``
processes (which do not fork per message), as in production; without it they are
sent in the web process after the commit.

The server runs production settings (``PBVOTE_ENV=production``, with secrets made
up for the run; ``--development`` for the former development settings, which
differ by the cookies' Secure flag and HSTS only) under the README's production
command: gunicorn's sync workers with the private access logger (``--threads N``
> 1 runs gthread workers instead, as this bench did before 2026-12-01).

It creates (and empties) the database ``pbvote_bench_voting`` (or
``$PBVOTE_BENCH_DB``) on 127.0.0.1:5432.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_NAME = os.environ.get("PBVOTE_BENCH_DB", "pbvote_bench_voting")
DB_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CODE_RE = re.compile(r"\b(\d{6})\b")
BOX_RE = re.compile(r'name="(scope-\d+)" value="(\d+)" data-cost="(\d+)"')


def wsgi_app():
    """The bench's own WSGI app: pbvote plus one bare endpoint that inserts one row
    and commits, as the floor to compare the flow with. It exists only here
    (``gunicorn 'bench.cast:wsgi_app()'``), never in the product."""
    from flask import g
    from sqlalchemy import event, text

    from pbvote import create_app
    from pbvote.extensions import csrf, db

    app = create_app()
    with app.app_context():
        engine = db.engine

    # Statements and commits of each request, counted on the engine in the
    # request's thread and returned in headers (the bench sums them per voter).
    def counted(name):
        def count(*_args, **_kwargs):
            try:
                setattr(g, name, getattr(g, name, 0) + 1)
            except RuntimeError:  # outside a request (a job after commit)
                pass

        return count

    event.listen(engine, "before_cursor_execute", counted("bench_statements"))
    event.listen(engine, "commit", counted("bench_commits"))

    @app.after_request
    def counts(response):
        response.headers["X-Bench-Statements"] = str(g.get("bench_statements", 0))
        response.headers["X-Bench-Commits"] = str(g.get("bench_commits", 0))
        return response

    @app.route("/bench/bare", methods=["POST"])
    @csrf.exempt
    def bare():
        db.session.execute(text("INSERT INTO bench_bare (note) VALUES ('x')"))
        db.session.commit()
        return "ok"

    return app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(
    outbox: str, redis_url: str | None = None, development: bool = False
) -> dict:
    """The server's environment: production settings (the secrets production
    requires are made up for the run, as an operator would set them), or
    development's with ``development``."""
    env = dict(os.environ)
    if development:
        env["PBVOTE_ENV"] = "development"
    else:
        env["PBVOTE_ENV"] = "production"
        for name in ("SECRET_KEY", "VOTER_ID_KEY", "ELECTION_KEY_WRAP"):
            env.setdefault(name, secrets.token_urlsafe(32))
    env.update(
        {
            "DATABASE_URL": DB_URL,
            "SMS_OUTBOX": outbox,
            "SMS_BACKEND": "outbox",
            # As behind production's load balancer: each simulated resident has
            # its own address in X-Forwarded-For (see proxy_headers), trusted from
            # one proxy, so the per-address limit applies at its production value.
            "PBVOTE_TRUSTED_PROXIES": "1",
            # Production's pool options (pbvote.config: pool_pre_ping) plus the
            # bench's pool size: an override replaces the whole dict.
            "PBVOTE_SQLALCHEMY_ENGINE_OPTIONS": json.dumps(
                {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 5}
            ),
        }
    )
    env.pop("REDIS_URL", None)  # without Redis, SMS jobs run in-process after commit
    if redis_url:
        env["REDIS_URL"] = redis_url  # SMS go to RQ and `pbvote worker sms` sends them
    return env


def prepare_database(voters: int, outbox: str, env: dict) -> dict:
    """Empty the bench database, build the schema and seed a voting cycle, with
    the server's settings ``env`` (the voter registry's hashes use its
    VOTER_ID_KEY)."""
    from sqlalchemy import create_engine, text

    admin = create_engine(
        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as connection:
        if not connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": DB_NAME}
        ):
            connection.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()
    os.environ.update(
        {
            k: v
            for k, v in env.items()
            if k
            in (
                "PBVOTE_ENV",
                "DATABASE_URL",
                "SMS_OUTBOX",
                "SECRET_KEY",
                "VOTER_ID_KEY",
                "ELECTION_KEY_WRAP",
            )
        }
    )
    import flask_migrate

    from pbvote import create_app
    from pbvote.extensions import db

    app = create_app()
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        flask_migrate.upgrade()
        with db.engine.begin() as connection:
            connection.execute(
                text("CREATE TABLE bench_bare (id bigserial PRIMARY KEY, note text)")
            )
        seeded = seed(voters)
        db.session.commit()
        db.engine.dispose()
    return seeded


def seed(voters: int) -> dict:
    from datetime import date

    from pbvote.extensions import db
    from pbvote.voting.models import VoterEntry
    from pbvote.voting.registry import cin_hash
    from tests.factories import create_commune, create_cycle, create_project

    commune = create_commune()
    districts = [d.id for d in commune.districts]
    cycle = create_cycle(
        commune.id, current_phase="voting", total=3_000_000, district_ids=districts
    )
    for scope in cycle.scopes:
        for index in range(6):
            create_project(
                cycle,
                scope,
                scope.amount // 5 + index * 1000,
                title=f"P{scope.id}-{index}",
            )
    for number in range(voters):
        db.session.add(
            VoterEntry(
                cycle_id=cycle.id,
                cin_hash=cin_hash(f"BE{100000 + number}"),
                birth_date=date(1970 + number % 30, 1 + number % 12, 1 + number % 28),
                district_id=districts[number % len(districts)],
            )
        )
    db.session.flush()
    return {"cycle_id": cycle.id}


class Outbox:
    """Follows the SMS outbox file the server writes, keeping the latest code sent
    to each number. Only complete lines are read: the writer may be in the middle
    of one (even of a character's bytes), so bytes are split at the last newline
    and only what comes before it is decoded."""

    def __init__(self, path: str):
        self.path, self.offset, self.codes = path, 0, {}
        self.lock = threading.Lock()

    def code_for(self, phone: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                self._read()
                if phone in self.codes:
                    return self.codes.pop(phone)
            time.sleep(0.01)
        raise RuntimeError(f"no SMS code for {phone}")

    def _read(self):
        if not os.path.exists(self.path):
            return
        with open(self.path, "rb") as handle:
            handle.seek(self.offset)
            data = handle.read()
        complete = data[: data.rfind(b"\n") + 1]
        self.offset += len(complete)
        for line in complete.decode("utf-8").splitlines():
            message = json.loads(line)
            match = CODE_RE.search(message["body"])
            if match:
                self.codes[message["to"]] = match.group(1)


def proxy_headers(number: int) -> dict:
    """The headers the load balancer adds in front of gunicorn: resident
    ``number``'s own address (10.x.y.z) and HTTPS (PBVOTE_TRUSTED_PROXIES=1)."""
    address = f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"
    return {"X-Forwarded-For": address, "X-Forwarded-Proto": "https"}


class Browser:
    """One resident's connection: keeps cookies, follows nothing by itself, and
    notes each request's time and the statements and commits the server counted.
    ``number``: the resident, whose address the proxy headers give."""

    def __init__(self, port: int, number: int = 0):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.proxy = proxy_headers(number)
        self.origin = f"https://127.0.0.1:{port}"
        self.page = "/"  # the last page shown, the next form's Referer
        self.cookies = {}
        self.timings: list[tuple[str, float]] = []
        self.statements = self.commits = 0

    def request(self, method: str, path: str, form=None, name=None):
        headers = {
            **self.proxy,
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # Over HTTPS a browser sends it (Referrer-Policy: same-origin) and
            # Flask-WTF's CSRF check requires it.
            headers["Referer"] = self.origin + self.page
        elif method == "GET":
            self.page = path
        start = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # gunicorn closed the idle keep-alive connection (waiting for the SMS):
            # the request never reached it, so open a new connection and send again.
            self.connection.close()
            start = time.perf_counter()
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        text = response.read().decode("utf-8")
        self.timings.append((name or f"{method} {path}", time.perf_counter() - start))
        self.statements += int(response.getheader("X-Bench-Statements") or 0)
        self.commits += int(response.getheader("X-Bench-Commits") or 0)
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name_, _, rest = value.partition("=")
                self.cookies[name_] = rest.split(";", 1)[0]
        return response.status, text

    def close(self):
        self.connection.close()


REQUESTS_PER_VOTER = 7


def vote(port: int, cycle_id: int, number: int, outbox: Outbox, browser=None) -> dict:
    """One resident's whole flow (seven requests); returns its times and counts.
    ``browser``: another client with ``Browser``'s interface (bench/flow_cpu.py)."""
    browser = browser or Browser(port, number)
    phone = f"+21261{number:07d}"
    start = time.perf_counter()
    base = f"/cycles/{cycle_id}/vote"
    _status, page = browser.request("GET", base, name="GET /vote")
    status, _ = browser.request(
        "POST",
        base,
        {
            "csrf_token": CSRF_RE.search(page).group(1),
            "cin": f"BE{100000 + number}",
            "birth_date": f"{1 + number % 28:02d}/{1 + number % 12:02d}/{1970 + number % 30}",
            "phone": phone,
        },
        name="POST /vote",
    )
    assert status == 302, status
    _status, page = browser.request("GET", base + "/code", name="GET /vote/code")
    code = outbox.code_for(phone)
    status, _ = browser.request(
        "POST",
        base + "/code",
        {"csrf_token": CSRF_RE.search(page).group(1), "code": code},
        name="POST /vote/code",
    )
    assert status == 302, status
    _status, page = browser.request("GET", base + "/ballot", name="GET /vote/ballot")
    picks = {}
    for name, project_id, _cost in BOX_RE.findall(page):
        picks.setdefault(name, [project_id])  # the cheapest project of each scope
    form = {"csrf_token": CSRF_RE.search(page).group(1), **picks}
    status, _ = browser.request(
        "POST", base + "/ballot", {**form, "step": "review"}, name="POST /vote/ballot"
    )
    assert status == 200, status
    status, _ = browser.request("POST", base + "/cast", form, name="POST /vote/cast")
    assert status == 302, status
    end = time.perf_counter()
    browser.close()
    return {
        "flow": end - start,
        "cast": browser.timings[-1][1],
        "timings": browser.timings,
        "statements": browser.statements,
        "commits": browser.commits,
    }


def run_pool(concurrency: int, jobs: list, work) -> tuple[list, float]:
    results, errors, lock = [], [], threading.Lock()
    queue = list(jobs)

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                job = queue.pop()
            try:
                value = work(job)
            except Exception as error:  # noqa: BLE001 - reported after the run
                with lock:
                    errors.append(repr(error))
                continue
            with lock:
                results.append(value)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        print(f"  {len(errors)} errors, e.g. {errors[0]}", file=sys.stderr)
    return results, time.perf_counter() - started


def bare(port: int):
    """A client of the bare endpoint: REQUESTS_PER_VOTER requests on one kept-alive
    connection, as a resident's seven requests share one (a new connection per
    request made the bare endpoint pay a TCP accept per request, which the flow
    did not: the ratio flattered the flow)."""

    def post(job):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        times = []
        for _request in range(REQUESTS_PER_VOTER):
            start = time.perf_counter()
            connection.request("POST", "/bench/bare", headers=proxy_headers(job))
            response = connection.getresponse()
            response.read()
            assert response.status == 200, response.status
            times.append(time.perf_counter() - start)
        connection.close()
        return times

    return post


def _cpu_seconds(pid: int) -> float:
    """User and system CPU of a process so far (/proc, Linux)."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    if int(handle.read().rpartition(")")[2].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, IndexError, ValueError):  # ended meanwhile
                continue
    return found


def _command_lines() -> dict[int, str]:
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    found[int(entry)] = handle.read().replace(b"\0", b" ").decode()
            except OSError:  # ended meanwhile
                continue
    return found


def _service_cpu(redis_port: int | None) -> dict[int, float]:
    """CPU so far of the PostgreSQL backends serving the bench database and of
    the Redis server the bench's jobs use, by pid (a backend that ends during a
    phase is missed: the pool keeps its connections, so few do)."""
    wanted = {}
    for pid, line in _command_lines().items():
        backend = line.startswith("postgres: ") and f" {DB_NAME} " in line
        redis = redis_port and "redis-server" in line and f":{redis_port}" in line
        if backend or redis:
            try:
                wanted[pid] = _cpu_seconds(pid)
            except (OSError, IndexError, ValueError):
                continue
    return wanted


class CpuMeter:
    """CPU spent during a phase by the server (gunicorn's master and workers), by
    the SMS workers, by this bench process (the clients, on the same cores) and
    by the services (the bench database's PostgreSQL backends and Redis), so that
    the ratio can be read as the server's work, whatever the clients cost."""

    NAMES = ("server", "sms_workers", "bench_client", "services")

    def __init__(self, server, sms_workers, redis_url: str | None = None):
        self.server = [server.pid, *_children(server.pid)]
        self.sms = [worker.pid for worker in sms_workers]
        port = urllib.parse.urlsplit(redis_url).port or 6379 if redis_url else None
        self.redis_port = port

    def _now(self) -> tuple[float, float, float, dict]:
        return (
            sum(_cpu_seconds(pid) for pid in self.server),
            sum(_cpu_seconds(pid) for pid in self.sms),
            time.process_time(),
            _service_cpu(self.redis_port),
        )

    def start(self) -> None:
        self.started = self._now()

    def spent(self) -> list[float]:
        """CPU seconds of each of NAMES since :meth:`start`."""
        now = self._now()
        spent = [b - a for a, b in zip(self.started[:3], now[:3])]
        before = self.started[3]
        spent.append(sum(cpu - before.get(pid, 0.0) for pid, cpu in now[3].items()))
        return spent

    def per_request(self, requests: int, spent: list[float] | None = None) -> dict:
        spent = self.spent() if spent is None else spent
        return {
            f"{name}_cpu_ms_per_request": 1000 * seconds / requests
            for name, seconds in zip(self.NAMES, spent)
        }


def open_loop(rate: float, numbers: list[int], work) -> tuple[list, float, float]:
    """Start ``work(number)`` for each number at a fixed rate (one thread each),
    whatever the server's speed. Returns the results, the elapsed time and how
    late the last start was (the bench itself keeping up)."""
    results, errors, lock = [], [], threading.Lock()

    def run(number):
        try:
            value = work(number)
        except Exception as error:  # noqa: BLE001 - reported after the run
            with lock:
                errors.append(repr(error))
            return
        with lock:
            results.append(value)

    threads, started, late = [], time.perf_counter(), 0.0
    for index, number in enumerate(numbers):
        due = started + index / rate
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        late = max(late, time.perf_counter() - due)
        thread = threading.Thread(target=run, args=(number,))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    if errors:
        print(f"  {len(errors)} errors, e.g. {errors[0]}", file=sys.stderr)
    return results, time.perf_counter() - started, late


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(name: str, latencies: list[float], elapsed: float, unit: str) -> dict:
    row = {
        "name": name,
        "count": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * percentile(latencies, 0.99),
    }
    print(
        f"{name:34} {row['count']:6d} {row['per_second']:9.1f} {unit:12} "
        f"p50 {row['p50_ms']:8.1f} ms   p99 {row['p99_ms']:8.1f} ms"
    )
    return row


def start_gunicorn(port: int, env: dict, workers: int, threads: int):
    """gunicorn serving the bench's WSGI app (pbvote plus the bare endpoint), as
    the README's production command runs it (``--workers 4``, the private access
    logger; ``threads`` 1 is gunicorn's default sync worker)."""
    return subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--logger-class",
            "pbvote.voting.accesslog.PrivateVotingLogger",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "bench.cast:wsgi_app()",
        ],
        cwd=ROOT,
        env=env,
    )


def start_sms_worker(code: Path, env: dict, fork: bool = False) -> subprocess.Popen:
    """One ``pbvote worker sms`` process running the checkout ``code``'s pbvote
    (``python -c`` from there: the venv's console script would import the
    editable install's), forking per job only with ``fork``."""
    return subprocess.Popen(
        [
            str(ROOT / ".venv/bin/python"),
            "-c",
            "from pbvote.cli import main; main()",
            "worker",
            "sms",
            "--no-scheduler",
            "--fork" if fork else "--no-fork",
        ],
        cwd=code,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(port: int, process) -> None:
    for _ in range(200):
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def per_request(flows: list[dict]) -> list[dict]:
    """p50/p99 of each of the flow's requests, and of all of them."""
    by_name: dict[str, list[float]] = {}
    for flow in flows:
        for name, seconds in flow["timings"]:
            by_name.setdefault(name, []).append(seconds)
            by_name.setdefault("every request", []).append(seconds)
    rows = []
    for name, values in by_name.items():
        row = {
            "name": name,
            "count": len(values),
            "p50_ms": 1000 * statistics.median(values),
            "p99_ms": 1000 * percentile(values, 0.99),
        }
        print(
            f"  {name:32} {row['count']:6d}   p50 {row['p50_ms']:8.1f} ms   "
            f"p99 {row['p99_ms']:8.1f} ms"
        )
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads per worker: 1 (gunicorn's sync workers) is the README's "
        "production command; more runs gthread workers",
    )
    parser.add_argument(
        "--bare-requests",
        type=int,
        default=4000,
        help="the bare endpoint's requests, half before the flow's, half after",
    )
    parser.add_argument(
        "--warm-voters",
        type=int,
        default=48,
        help="residents voting before anything is measured, so that every "
        "gunicorn worker has configured its mappers, compiled the templates and "
        "filled its caches (as the bare endpoint is warmed up): steady state",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=0,
        help="also run an open loop: residents arriving at this many per second",
    )
    parser.add_argument(
        "--open-voters", type=int, default=400, help="residents in the open loop"
    )
    parser.add_argument(
        "--redis",
        metavar="URL",
        default=None,
        help="queue SMS on this Redis (it is emptied) and run "
        "--sms-workers `pbvote worker sms` processes",
    )
    parser.add_argument("--sms-workers", type=int, default=2)
    parser.add_argument(
        "--sms-fork",
        action="store_true",
        help="SMS workers fork per message (RQ's default, for comparison)",
    )
    parser.add_argument(
        "--development",
        action="store_true",
        help="serve with PBVOTE_ENV=development (default: production settings, "
        "with secrets made up for the run)",
    )
    args = parser.parse_args()

    open_voters = args.open_voters if args.rate else 0
    outbox_path = f"/tmp/pbvote-bench-outbox-{os.getpid()}.jsonl"
    env = environment(outbox_path, args.redis, development=args.development)
    seeded = prepare_database(
        args.voters + open_voters + args.warm_voters, outbox_path, env
    )
    port = free_port()
    server = start_gunicorn(port, env, args.workers, args.threads)
    workers = []
    if args.redis:
        from redis import Redis

        Redis.from_url(args.redis).flushdb()
        workers = [
            start_sms_worker(ROOT, env, fork=args.sms_fork)
            for _ in range(args.sms_workers)
        ]
    try:
        wait_for(port, server)
        outbox = Outbox(outbox_path)
        kind = "forking" if args.sms_fork else "non-forking"
        sms = f"by {args.sms_workers} {kind} RQ workers" if args.redis else "in-process"
        print(
            f"gunicorn {args.workers} workers x {args.threads} threads, "
            f"{args.concurrency} concurrent clients, PostgreSQL, SMS {sms}; "
            f"{os.cpu_count()} CPUs"
        )
        run_pool(args.concurrency, range(10), bare(port))  # warm-up
        warm = range(
            args.voters + open_voters, args.voters + open_voters + args.warm_voters
        )
        run_pool(
            args.concurrency,
            warm,
            lambda n: vote(port, seeded["cycle_id"], n, outbox),
        )
        meter = CpuMeter(server, workers, args.redis)

        def bare_half(jobs):
            meter.start()
            groups, elapsed = run_pool(args.concurrency, jobs, bare(port))
            return [t for group in groups for t in group], elapsed, meter.spent()

        # The bare endpoint's requests in two halves, before and after the flow's,
        # so that a drift of the machine's speed weighs on both sides alike.
        clients = args.bare_requests // REQUESTS_PER_VOTER
        first = bare_half(range(clients // 2))
        meter.start()
        flows, flow_elapsed = run_pool(
            args.concurrency,
            range(args.voters),
            lambda n: vote(port, seeded["cycle_id"], n, outbox),
        )
        flow_cpu = meter.per_request(REQUESTS_PER_VOTER * len(flows))
        second = bare_half(range(clients // 2, clients))
        bare_times = first[0] + second[0]
        bare_elapsed = first[1] + second[1]
        bare_cpu = meter.per_request(
            len(bare_times), [a + b for a, b in zip(first[2], second[2])]
        )
        rows = [
            report("bare insert + commit", bare_times, bare_elapsed, "requests/s"),
            report(
                "whole flow (verify, code, cast)",
                [f["flow"] for f in flows],
                flow_elapsed,
                "voters/s",
            ),
            report(
                "cast request alone",
                [f["cast"] for f in flows],
                flow_elapsed,
                "casts/s",
            ),
        ]
        flow_rps = REQUESTS_PER_VOTER * len(flows) / flow_elapsed
        ratio = flow_rps / rows[0]["per_second"]
        counts = sorted(f["statements"] for f in flows)
        statements = statistics.mean(counts)
        commits = statistics.mean(f["commits"] for f in flows)
        # The mean includes each process's cache refills (every
        # PROCESS_CACHE_SECONDS): the fewer voters per second, the larger their share.
        print(
            f"flow {flow_rps:.1f} requests/s = {100 * ratio:.0f} % of the bare "
            f"endpoint's {rows[0]['per_second']:.1f}; per voter {statements:.1f} SQL "
            f"statements (median {statistics.median(counts):g}, least {counts[0]}), "
            f"{commits:.1f} commits (web requests)"
        )
        cpu_ratio = (
            bare_cpu["server_cpu_ms_per_request"]
            / flow_cpu["server_cpu_ms_per_request"]
        )
        print(
            "CPU per request, ms (server = gunicorn; client = this bench's "
            f"threads; services = PostgreSQL backends and Redis): bare server "
            f"{bare_cpu['server_cpu_ms_per_request']:.2f}, client "
            f"{bare_cpu['bench_client_cpu_ms_per_request']:.2f}, services "
            f"{bare_cpu['services_cpu_ms_per_request']:.2f}; flow server "
            f"{flow_cpu['server_cpu_ms_per_request']:.2f}, client "
            f"{flow_cpu['bench_client_cpu_ms_per_request']:.2f}, SMS workers "
            f"{flow_cpu['sms_workers_cpu_ms_per_request']:.2f}, services "
            f"{flow_cpu['services_cpu_ms_per_request']:.2f}; by the server's CPU "
            f"the flow serves {100 * cpu_ratio:.0f} % of the bare endpoint's "
            "requests per CPU second"
        )
        summary = {
            "bare_cpu": bare_cpu,
            "flow_cpu": flow_cpu,
            "server_cpu_ratio": cpu_ratio,
            "flow_requests_per_second": flow_rps,
            "ratio": ratio,
            "statements_per_voter": statements,
            "statements_per_voter_median": statistics.median(counts),
            "commits_per_voter": commits,
        }
        print("closed loop, each request:")
        per_request(flows)
        if args.rate:
            opened, open_elapsed, late = open_loop(
                args.rate,
                list(range(args.voters, args.voters + open_voters)),
                lambda n: vote(port, seeded["cycle_id"], n, outbox),
            )
            print(
                f"open loop: {len(opened)} residents at {args.rate:g}/s in "
                f"{open_elapsed:.1f} s (last start {1000 * late:.0f} ms late), "
                "each request:"
            )
            summary["open_loop"] = per_request(opened)
        print(json.dumps({"rows": rows, **summary}))
    finally:
        for process in [server, *workers]:
            process.terminate()
        for process in [server, *workers]:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a graceful shutdown outlasting the wait
                process.kill()
                process.wait()
        if os.path.exists(outbox_path):
            os.remove(outbox_path)


if __name__ == "__main__":
    main()
