"""Python CPU of each request of the voting flow, in one process (no HTTP server).

The residents of ``bench/cast.py`` (same seed, same seven requests, same forms)
are served by the Flask test client; each request's CPU is the process time spent
inside the app's WSGI call (the test client's own work to build the request is
left out), so what is measured is the server's Python work, not PostgreSQL's
and not the wait for a core. The bare endpoint of ``bench/cast.py`` is measured
the same way, as the floor.

    .venv/bin/python bench/flow_cpu.py --redis redis://127.0.0.1:6379/15 \
        [--voters 120 --skip 20 --profile 25]

With ``--redis`` the SMS go through RQ to one non-forking ``pbvote worker sms``
process, as in production (the request pays the enqueue, not the sending);
without it they are sent in the request after the commit. ``--production`` runs
the production configuration (as ``bench/cast.py`` does by default).
``--profile N`` prints each request's N costliest functions (cProfile, own time
and cumulative time over all measured residents; cProfile slows Python down, so
its milliseconds are larger than the table's).

It creates (and empties) the database ``pbvote_bench_voting`` (or
``$PBVOTE_BENCH_DB``) on 127.0.0.1:5432.
"""

import argparse
import cProfile
import io
import os
import pstats
import signal
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cast import (
    Outbox,
    environment,
    prepare_database,
    proxy_headers,
    start_sms_worker,
    vote,
)


class TimedApp:
    """Wraps the app's WSGI callable: process time (and, when asked, a cProfile)
    of each call, filed under the name the browser gives the request."""

    def __init__(self, wsgi, profile: bool):
        self.wsgi, self.profile = wsgi, profile
        self.name = None
        self.cpu: dict[str, list[float]] = {}
        self.profiles: dict[str, cProfile.Profile] = {}
        self.recording = False
        self.inside = False

    def __call__(self, environ, start_response):
        profiler = None
        if self.recording and self.profile:
            profiler = self.profiles.setdefault(self.name, cProfile.Profile())
            profiler.enable()
        self.inside = True
        start = time.process_time()
        body = self.wsgi(environ, start_response)
        chunks = list(body)  # the response's own work (a generator) counts
        if hasattr(body, "close"):
            body.close()
        spent = time.process_time() - start
        self.inside = False
        if profiler is not None:
            profiler.disable()
        if self.recording:
            self.cpu.setdefault(self.name, []).append(spent)
        return chunks


class Sampler:
    """A statistical profiler: every ``interval`` seconds of the process's CPU
    (SIGPROF), the running stack is noted under the current request's name.
    Unlike cProfile it does not slow down code that makes many small calls
    (templates), so its shares are those of the real run."""

    def __init__(self, timed: "TimedApp", interval: float = 0.0002):
        self.timed, self.interval = timed, interval
        self.samples: dict[str, dict[tuple, int]] = {}
        self.active = False

    def _note(self, _signum, frame):
        if not (self.active and self.timed.recording and self.timed.inside):
            return
        stack = []
        while frame is not None:
            code = frame.f_code
            stack.append((code.co_filename, code.co_firstlineno, code.co_name))
            frame = frame.f_back
        counts = self.samples.setdefault(self.timed.name, {})
        key = tuple(stack)
        counts[key] = counts.get(key, 0) + 1

    def start(self):
        signal.signal(signal.SIGPROF, self._note)
        signal.setitimer(signal.ITIMER_PROF, self.interval, self.interval)
        self.active = True

    def stop(self):
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        self.active = False

    def report(self, top: int) -> None:
        for name, stacks in self.samples.items():
            total = sum(stacks.values())
            inclusive: dict[tuple, int] = {}
            own: dict[tuple, int] = {}
            for stack, count in stacks.items():
                own[stack[0]] = own.get(stack[0], 0) + count
                for frame in set(stack):
                    inclusive[frame] = inclusive.get(frame, 0) + count
            print(f"\n## {name}: {total} samples; inclusive share, own share")
            ranked = sorted(inclusive.items(), key=lambda item: -item[1])
            for frame, count in ranked[:top]:
                print(
                    f"{100 * count / total:5.1f} % {100 * own.get(frame, 0) / total:5.1f} %"
                    f"  {_place(frame)}"
                )


def _place(frame) -> str:
    filename, line, function = frame
    for prefix in (str(ROOT) + "/", sys.prefix + "/lib/python3.11/site-packages/"):
        filename = filename.replace(prefix, "")
    return f"{filename}:{line}({function})"


class InProcessBrowser:
    """``bench.cast.Browser``'s interface over Flask's test client."""

    def __init__(self, app, timed: TimedApp, number: int = 0):
        self.client, self.timed = app.test_client(), timed
        self.proxy = proxy_headers(number)
        self.page = "/"  # the last page shown, the next form's Referer
        self.timings: list[tuple[str, float]] = []
        self.statements = self.commits = 0

    def request(self, method: str, path: str, form=None, name=None):
        self.timed.name = name or f"{method} {path}"
        start = time.perf_counter()
        headers = dict(self.proxy)
        if form is not None:
            headers["Referer"] = "https://localhost" + self.page
        elif method == "GET":
            self.page = path
        response = self.client.open(path, method=method, data=form, headers=headers)
        self.timings.append((self.timed.name, time.perf_counter() - start))
        self.statements += int(response.headers.get("X-Bench-Statements") or 0)
        self.commits += int(response.headers.get("X-Bench-Commits") or 0)
        return response.status_code, response.get_data(as_text=True)

    def close(self):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=120)
    parser.add_argument(
        "--skip", type=int, default=20, help="first residents not measured (warm-up)"
    )
    parser.add_argument("--bare-requests", type=int, default=500)
    parser.add_argument("--redis", metavar="URL", default=None)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument(
        "--sample",
        type=int,
        default=0,
        metavar="N",
        help="statistical profile: each request's N functions with most samples",
    )
    parser.add_argument(
        "--profile-dir", help="also write each request's cProfile stats there"
    )
    parser.add_argument(
        "--code",
        metavar="DIR",
        help="measure another checkout's pbvote and templates (e.g. main's, for a "
        "before/after in the same minute)",
    )
    parser.add_argument(
        "--development",
        action="store_true",
        help="PBVOTE_ENV=development instead of production",
    )
    args = parser.parse_args()

    code = Path(args.code).resolve() if args.code else ROOT
    sys.path.insert(0, str(code))  # before pbvote is first imported
    outbox_path = f"/tmp/pbvote-flowcpu-outbox-{os.getpid()}.jsonl"
    env = environment(outbox_path, args.redis, development=args.development)
    seeded = prepare_database(args.voters, outbox_path, env)
    os.environ.clear()
    os.environ.update(env)
    worker = None
    if args.redis:
        from redis import Redis

        Redis.from_url(args.redis).flushdb()
        worker = start_sms_worker(code, env)
    from bench.cast import wsgi_app

    app = wsgi_app()
    timed = TimedApp(app.wsgi_app, bool(args.profile))
    app.wsgi_app = timed
    outbox = Outbox(outbox_path)
    sampler = Sampler(timed)
    if args.sample:
        sampler.start()
    try:
        for number in range(args.voters):
            timed.recording = number >= args.skip
            vote(
                None,
                seeded["cycle_id"],
                number,
                outbox,
                browser=InProcessBrowser(app, timed, number),
            )
        client = app.test_client()
        for index in range(args.bare_requests):
            timed.recording = index >= args.bare_requests // 5
            timed.name = "bare insert + commit"
            assert client.post("/bench/bare").status_code == 200
    finally:
        sampler.stop()
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        if os.path.exists(outbox_path):
            os.remove(outbox_path)

    env_name = "development" if args.development else "production"
    sms = "through RQ" if args.redis else "in the request"
    print(
        f"{args.voters - args.skip} residents measured ({env_name} settings, SMS "
        f"{sms}); Python CPU per request inside the app, ms:"
    )
    print("| request | median | mean | p90 |\n| --- | ---: | ---: | ---: |")
    flow_medians = []
    for name, values in timed.cpu.items():
        ms = [1000 * v for v in values]
        ordered = sorted(ms)
        print(
            f"| {name} | {statistics.median(ms):.2f} | {statistics.mean(ms):.2f} | "
            f"{ordered[int(0.9 * len(ordered))]:.2f} |"
        )
        if name != "bare insert + commit":
            flow_medians.append(statistics.median(ms))
    bare = statistics.median(1000 * v for v in timed.cpu["bare insert + commit"])
    mean_flow = statistics.mean(flow_medians)
    print(
        f"flow: {sum(flow_medians):.1f} ms per resident, {mean_flow:.2f} ms per "
        f"request = {bare / mean_flow * 100:.0f} % of the bare endpoint's "
        "requests per CPU second"
    )
    if args.sample:
        sampler.report(args.sample)
    for name, profiler in timed.profiles.items():
        if args.profile_dir:
            Path(args.profile_dir).mkdir(parents=True, exist_ok=True)
            profiler.dump_stats(
                Path(args.profile_dir)
                / (name.replace(" ", "_").replace("/", "") + ".prof")
            )
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        print(f"\n## {name}: own time")
        stats.sort_stats("tottime").print_stats(args.profile)
        print(_short(out.getvalue()))
        out.seek(0), out.truncate()
        print(f"## {name}: cumulative")
        stats.sort_stats("cumulative").print_stats(args.profile)
        print(_short(out.getvalue()))


def _short(text: str) -> str:
    """pstats' table without its header lines and with shorter paths."""
    lines = [line for line in text.splitlines() if "(" in line or "ncalls" in line]
    return "\n".join(
        line.replace(str(ROOT) + "/", "").replace(sys.prefix + "/lib/", "")
        for line in lines
    )


if __name__ == "__main__":
    main()
