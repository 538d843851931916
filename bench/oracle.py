"""Is the identity step a timing oracle? Against gunicorn and PostgreSQL (started as
``bench/cast.py`` starts them), POST /cycles/<id>/vote with identities that are in
the registry (ID number + date of birth) and identities that are not (an unknown ID
number, or a registered ID number with a wrong date of birth), several hundred of
each in one random interleaved order, one request at a time, and compare the time
of the answers: mean and median per class and Welch's t-test.

    .venv/bin/python bench/oracle.py [--per-class 400 --workers 2 --threads 2]

Not detectable means p > 0.01, or a difference of the means under 1 ms. It creates
(and empties) the database ``pbvote_bench_oracle`` (or ``$PBVOTE_BENCH_DB``).
"""

import argparse
import json
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PBVOTE_BENCH_DB", "pbvote_bench_oracle")

from bench.cast import (  # after the database's name is chosen
    CSRF_RE,
    Browser,
    environment,
    free_port,
    prepare_database,
    start_gunicorn,
    wait_for,
)


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the regularised incomplete beta function (modified
    Lentz's method)."""
    tiny, c, d = 1e-300, 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-14:
            break
    return h


def incomplete_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(
        math.lgamma(a + b)
        - math.lgamma(a)
        - math.lgamma(b)
        + a * math.log(x)
        + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def welch(first: list[float], second: list[float]) -> tuple[float, float, float]:
    """Welch's t-test: (t, degrees of freedom, two-sided p)."""
    v1 = statistics.variance(first) / len(first)
    v2 = statistics.variance(second) / len(second)
    t = (statistics.mean(first) - statistics.mean(second)) / math.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / (v1**2 / (len(first) - 1) + v2**2 / (len(second) - 1))
    return t, df, incomplete_beta(df / 2, 0.5, df / (df + t * t))


def identity_request(
    port: int, cycle_id: int, cin: str, birth: str, phone: str, number: int
):
    """GET the page (cookie and CSRF token, not timed), then the timed POST, from
    resident ``number``'s own address (as behind the load balancer)."""
    browser = Browser(port, number)
    base = f"/cycles/{cycle_id}/vote"
    _status, page = browser.request("GET", base)
    form = {
        "csrf_token": CSRF_RE.search(page).group(1),
        "cin": cin,
        "birth_date": birth,
        "phone": phone,
    }
    status, _ = browser.request("POST", base, form, name="identity")
    browser.connection.close()
    assert status == 302, status  # both classes: "a code was sent"
    return browser.timings[-1][1]


def plan(per_class: int, seed: int) -> list[tuple[str, str, str, str]]:
    """(class, kind, ID number, date of birth) in one random order. The registry holds
    BE100000 … (see bench/cast.seed): the first ``per_class`` entries are typed
    right; the next half as many with a wrong year of birth; the rest of the
    invalid class are unknown ID numbers."""

    def birth(number: int, year_shift: int = 0) -> str:
        year = 1970 + number % 30 + year_shift
        return f"{1 + number % 28:02d}/{1 + number % 12:02d}/{year}"

    rows = [
        ("valid", "registered", f"BE{100000 + n}", birth(n)) for n in range(per_class)
    ]
    wrong_birth = per_class // 2
    rows += [
        ("invalid", "wrong birth date", f"BE{100000 + n}", birth(n, 1))
        for n in range(per_class, per_class + wrong_birth)
    ]
    rows += [
        ("invalid", "unknown ID", f"BZ{900000 + n}", birth(n))
        for n in range(per_class - wrong_birth)
    ]
    random.Random(seed).shuffle(rows)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-class", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warm-up", type=int, default=40)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    outbox_path = f"/tmp/pbvote-bench-oracle-outbox-{os.getpid()}.jsonl"
    registered = args.per_class + args.per_class // 2
    env = environment(outbox_path)  # production settings, as bench/cast.py
    seeded = prepare_database(registered, outbox_path, env)
    cycle_id = seeded["cycle_id"]
    port = free_port()
    server = start_gunicorn(port, env, args.workers, args.threads)
    try:
        wait_for(port, server)
        print(
            f"gunicorn {args.workers} workers x {args.threads} threads, PostgreSQL, "
            f"SMS in-process; one request at a time; {os.cpu_count()} CPUs"
        )
        for n in range(args.warm_up):  # unknown IDs: fill caches and pools
            identity_request(
                port, cycle_id, f"BW{700000 + n}", "01/01/1980", f"+21262{n:07d}", n
            )
        times: dict[str, list[float]] = {"valid": [], "invalid": []}
        kinds: dict[str, list[float]] = {}
        started = time.perf_counter()
        for index, (group, kind, cin, birth) in enumerate(
            plan(args.per_class, args.seed)
        ):
            seconds = identity_request(
                port, cycle_id, cin, birth, f"+21261{index:07d}", args.warm_up + index
            )
            times[group].append(seconds)
            kinds.setdefault(kind, []).append(seconds)
        elapsed = time.perf_counter() - started
        for kind, values in times.items():
            print(
                f"{kind:8} n={len(values):4d}  mean {1000 * statistics.mean(values):7.2f} ms"
                f"  median {1000 * statistics.median(values):7.2f} ms"
                f"  sd {1000 * statistics.stdev(values):7.2f} ms"
            )
        for kind, values in kinds.items():
            print(
                f"  {kind:18} n={len(values):4d}  mean "
                f"{1000 * statistics.mean(values):7.2f} ms  median "
                f"{1000 * statistics.median(values):7.2f} ms"
            )
        t, df, p = welch(times["valid"], times["invalid"])
        difference = statistics.mean(times["valid"]) - statistics.mean(times["invalid"])
        median_difference = statistics.median(times["valid"]) - statistics.median(
            times["invalid"]
        )
        detectable = p <= 0.01 and abs(difference) >= 0.001
        # The smallest difference of the means this run would have flagged
        # (|t| at p = 0.01, large df, times the standard error).
        sensitivity = 2.576 * abs(difference / t) if t else float("nan")
        print(
            f"valid - invalid: mean {1000 * difference:+.2f} ms, median "
            f"{1000 * median_difference:+.2f} ms; Welch t = {t:.2f}, df = {df:.0f}, "
            f"p = {p:.3g}: {'DETECTABLE' if detectable else 'not detectable'} "
            f"({elapsed:.0f} s); this run would have flagged a difference of "
            f"{1000 * sensitivity:.1f} ms or more"
        )
        print(
            json.dumps(
                {
                    "per_class": args.per_class,
                    "mean_ms": {k: 1000 * statistics.mean(v) for k, v in times.items()},
                    "median_ms": {
                        k: 1000 * statistics.median(v) for k, v in times.items()
                    },
                    "difference_ms": 1000 * difference,
                    "t": t,
                    "df": df,
                    "p": p,
                    "detectable": detectable,
                    "smallest_flagged_ms": 1000 * sensitivity,
                }
            )
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except Exception:  # noqa: BLE001 - a slow graceful shutdown
            server.kill()
            server.wait()
        if os.path.exists(outbox_path):
            os.remove(outbox_path)


if __name__ == "__main__":
    main()
