"""Load benchmark of the form service under gunicorn, on SQLite and on PostgreSQL.

    python bench/load.py [--duration SECONDS] [--db sqlite|postgresql] [--concurrency 16 64] [--rounds 5]

For each database it starts the service under gunicorn (2 workers per core) with rate limits
off, and beside it a baseline (bench/baseline_app.py: a bare Flask endpoint inserting one row
with the same driver). wrk (a C load generator, bench/drive.lua; `apt-get install wrk`) drives
them from a second process over loopback, for a bounded time per scenario and concurrency: the
booking form page, POST booking (each request a distinct free slot), POST complaint, the
tracking look-up; the baseline and the scenarios take turns in short rounds, so that a machine
whose speed drifts does not skew the ratios. It prints requests/s, p50/p99 latency and each scenario's throughput ratio to
the baseline, then matches the rows in the database to the 2xx answers the clients received
(nothing lost, nothing duplicated). The last line is machine-readable:

    summary: booking_ratio=R complaint_ratio=R p99_ms=N lost=N duplicated=N

booking_ratio and complaint_ratio are the worst over the runs, p99_ms the worst p99 of any of the
service's scenarios at concurrency 16 (the target: under 100 ms; the baseline is the yardstick, not
the service), lost and duplicated summed over all runs.
PostgreSQL comes from BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local default.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_POSTGRESQL = "postgresql://postgres@127.0.0.1:5432/test"
SCENARIOS = ("form page", "booking", "booking rows", "complaint", "tracking")


# ---------------------------------------------------------------- the driver (wrk, a second process)

DRIVER = ROOT / "bench" / "drive.lua"


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("bench/load.py drives the service with wrk, which is not installed here.\n"
                         "Debian/Ubuntu: sudo apt-get install wrk    macOS: brew install wrk")
    return found


def drive(spec: dict) -> dict:
    """Run one scenario with wrk, a C load generator: it takes a few percent of a core where a
    Python client would take as much CPU as the service it measures. Requests come from a file,
    so that every booking is a distinct slot; see bench/drive.lua."""
    payloads = spec.get("payloads") or [spec["url"]]
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as handle:
        for item in payloads:
            if isinstance(item, str):
                handle.write(f"GET\t{item}\t\n")
            else:  # json.dumps escapes tabs and newlines inside strings
                handle.write(f"{spec['method']}\t{spec['url']}\t{json.dumps(item, ensure_ascii=False)}\n")
    bodies = Path(handle.name).with_suffix(".answers")
    env = {**os.environ, "BENCH_ITEMS": handle.name, "BENCH_THREADS": "1",
           "BENCH_CYCLE": "1" if spec.get("cycle") or not spec.get("payloads") else "0",
           "BENCH_BODIES": str(bodies) if spec.get("answers") else ""}
    try:
        done = subprocess.run([require_wrk(), "--threads", "1", "--connections", str(spec["concurrency"]),
                               "--duration", f"{max(1, round(spec['duration']))}s", "--timeout", "30s",
                               "--script", str(DRIVER), spec["base"]],
                              capture_output=True, text=True, check=False, env=env, cwd=ROOT)
        answers = []
        for written in bodies.parent.glob(bodies.name + ".*"):
            answers.extend(json.loads(line) for line in written.read_text(encoding="utf-8").splitlines() if line)
            written.unlink()
    finally:
        os.unlink(handle.name)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines or not lines[-1].startswith("{"):
        raise SystemExit(f"wrk failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    result = json.loads(lines[-1])
    result["rps"] = result["requests"] / result["seconds"] if result["seconds"] else 0.0
    result["answers"] = answers
    settle(spec["base"])
    return result


def settle(base: str) -> None:
    """Wait for the requests wrk abandoned when it stopped (up to one per connection): the
    servers answer them anyway, and the next run would start behind them. A probe queues behind
    them, so its answer means they are done."""
    import httpx

    httpx.get(base + "/healthz", timeout=60)


def merge(parts: list[dict]) -> dict:
    """One scenario's rounds as one run: requests, time and answers added up; p50 and p99 are
    the rounds' own, weighted by their requests (wrk gives percentiles, not the latencies)."""
    requests = sum(part["requests"] for part in parts)
    statuses: dict[str, int] = {}
    for part in parts:
        for code, n in part["statuses"].items():
            statuses[code] = statuses.get(code, 0) + n
    seconds = sum(part["seconds"] for part in parts)
    return {"requests": requests, "seconds": seconds, "rps": requests / seconds if seconds else 0.0,
            **{p: sum(part[p] * part["requests"] for part in parts) / requests if requests else 0.0
               for p in ("p50", "p99")},
            "socket_errors": sum(part.get("socket_errors", 0) for part in parts),
            "used": sum(part["used"] for part in parts), "exhausted": any(part["exhausted"] for part in parts),
            "statuses": statuses, "answers": [answer for part in parts for answer in part["answers"]]}


# ---------------------------------------------------------------- the servers

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(app: str, env: dict, workers: int, log: Path):
    import httpx

    port = _free_port()
    with open(log, "ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "--bind",
             f"127.0.0.1:{port}", "--workers", str(workers), app], cwd=ROOT, env=env, stdout=output, stderr=output)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn {app} exited; see {log}")
            try:
                httpx.get(base + "/", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"gunicorn {app} did not start; see {log}") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@contextmanager
def database(kind: str, folder: Path):
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'bench.sqlite3'}"
        return
    from sqlalchemy import create_engine, text

    from forms_app.config import driver_url

    raw = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or DEFAULT_POSTGRESQL
    url = driver_url(raw)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def prepare_roster(folder: Path, stations: int) -> Path:
    """A fictional city district with default settings (30-minute slots, 14 days): pages of
    the real size, and enough distinct free slots for every booking the run makes."""
    from tools.synthetic_roster import write_roster

    return write_roster(folder / "roster", stations)


def prepare_database(url: str, roster_dir: Path) -> tuple[list[dict], list[str], list[str]]:
    """Migrate; return booking payloads (one per free slot), stations, categories."""
    from flask_migrate import upgrade

    from forms_app import create_app
    from forms_app.extensions import db
    from forms_app.rosters import current_roster
    from forms_app.booking.slots import available_slots

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "ROSTER_DIR": str(roster_dir), "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        roster = current_roster()
        stations = [s.id for s in roster.stations]
        slots = []
        for station in stations:
            slots.extend((station, slot) for slot in available_slots(roster, station))
        categories = [c.code for c in roster.settings.categories]
        db.engine.dispose()
    # Interleave stations and days so that concurrent requests rarely queue on one officer.
    slots.sort(key=lambda pair: (pair[1].start.minute, pair[1].start.hour, pair[1].start.date(), pair[0]))
    payloads = [{"station": station, "officer": slot.officer, "start": slot.start.isoformat(), "name": f"居民{i}",
                 "phone": f"13{i % 10}{i:08d}"[:11], "topic": categories[i % len(categories)],
                 "description": "咨询邻里纠纷的处理办法", "consent": True} for i, (station, slot) in enumerate(slots)]
    return payloads, stations, categories


# What each scenario's rows are matched on: the table, the key the 2xx answer carries, and how
# its phone numbers begin. The phone makes every request of a run distinct (two rows with one
# phone = one request stored twice); bookings and the bare booking rows share a table.
CHECKS = {"booking": ("appointments", "number", "13"), "booking rows": ("appointments", "number", "17"),
          "complaint": ("cases", "number", ""), "baseline": ("bench_rows", "id", "")}


def stored_rows(url: str) -> dict[str, list[tuple]]:
    """(key, phone) of every stored row, by scenario."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {scenario: [tuple(row) for row in connection.execute(text(f"SELECT {key}, phone FROM {table}"))
                               if row[1].startswith(prefix)]
                    for scenario, (table, key, prefix) in CHECKS.items()}
    finally:
        engine.dispose()


def check_rows(kind: str, rows: dict[str, list[tuple]], answered: dict[str, list], in_flight: int) -> list[dict]:
    """Lost: a 2xx answer whose row is missing. Duplicated: one request (one phone) stored twice,
    or more rows without an answer than requests can have been in flight when wrk stopped (one
    per connection and run, ``in_flight`` in all): such a row was stored although its request
    failed. Unanswered: stored, but wrk stopped before the answer arrived."""
    checks = []
    for scenario in CHECKS:
        keys = [key for key, _ in rows[scenario]]
        phones: dict[str, int] = {}
        for _, phone in rows[scenario]:
            phones[phone] = phones.get(phone, 0) + 1
        acknowledged = set(answered[scenario])
        checks.append({"db": kind, "check": scenario, "rows": len(keys), "responses_2xx": len(answered[scenario]),
                       "lost": len(acknowledged - set(keys)),
                       "duplicated": sum(n - 1 for n in phones.values()) + len(answered[scenario]) - len(acknowledged)
                       + max(0, len(set(keys) - acknowledged) - in_flight),
                       "unanswered": len(set(keys) - acknowledged)})
    return checks


def lookups(url: str, limit: int = 5000) -> list[str]:
    """Tracking look-ups of cases the complaint run filed, with the right last four digits."""
    return [f"/api/v1/cases/{number}?phone_last4={phone[-4:]}" for number, phone in stored_rows(url)["complaint"][:limit]]


# ---------------------------------------------------------------- one database

def run_database(kind: str, args, workers: int) -> list[dict]:
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, database(kind, Path(tmp)) as url:
        folder = Path(tmp)
        roster_dir = prepare_roster(folder, args.stations)
        bookings, stations, categories = prepare_database(url, roster_dir)
        env = {**os.environ, "DATABASE_URL": url, "ROSTER_DIR": str(roster_dir), "SECRET_KEY": "bench-secret",
               "RATELIMIT_ENABLED": "false", "REQUEST_LOG": "false", "UPLOAD_DIR": str(folder / "uploads"),
               "PYTHONPATH": str(ROOT)}
        env.pop("REDIS_URL", None)
        log = folder / "gunicorn.log"
        answered = {scenario: [] for scenario in CHECKS}
        used = {"booking": 0, "booking rows": 0}
        # the bare endpoint books seat 2 of the same slots, with phones of its own
        bare_bookings = [{**booking, "phone": "17" + booking["phone"][2:]} for booking in bookings]
        with gunicorn("forms_app.wsgi:app", env, workers, log) as service, \
                gunicorn("bench.baseline_app:app", env, workers, log) as baseline:
            # Each worker loads the roster and opens its pool on first use: not part of the figures.
            drive({"duration": 2, "concurrency": 16, "base": service, "method": "GET",
                   "payloads": [f"/book?station={s}" for s in stations[:16]], "cycle": True})
            drive({"duration": 1, "concurrency": 16, "base": baseline, "method": "GET", "url": "/"})
            for concurrency in args.concurrency:
                first = concurrency * 1_000_000  # distinct phones at every concurrency
                used.update(baseline=0, complaint=0)
                inserts = [{"name": "居民", "phone": f"13{i:09d}", "description": "咨询邻里纠纷的处理办法"}
                           for i in range(first, first + 200_000)]
                complaints = [{"station": stations[i % len(stations)], "category": categories[i % len(categories)],
                               "description": "楼上装修噪音，晚上十点以后还在施工，协商多次无果", "location": "3 栋",
                               "name": f"投诉人{i}", "phone": f"15{i:09d}", "consent": True,
                               "sensitive_consent": False} for i in range(first, first + 100_000)]
                rounds: dict[str, list[dict]] = {name: [] for name in ("baseline", *SCENARIOS)}
                # The machine's speed drifts within minutes: the baseline and every scenario take
                # turns in short rounds, so that each ratio compares runs made at the same speed.
                for _ in range(args.rounds):
                    common = {"duration": args.duration / args.rounds, "concurrency": concurrency}
                    rounds["baseline"].append(drive({**common, "answers": True, "base": baseline, "method": "POST",
                                                     "url": "/insert", "payloads": inserts[used["baseline"]:]}))
                    rounds["form page"].append(drive({**common, "base": service, "method": "GET", "cycle": True,
                                                      "payloads": [f"/book?station={s}" for s in stations]}))
                    rounds["booking"].append(drive({**common, "answers": True, "base": service, "method": "POST",
                                                    "url": "/api/v1/appointments", "payloads": bookings[used["booking"]:]}))
                    rounds["booking rows"].append(drive({**common, "answers": True, "base": baseline, "method": "POST",
                                                         "url": "/insert-booking",
                                                         "payloads": bare_bookings[used["booking rows"]:]}))
                    rounds["complaint"].append(drive({**common, "answers": True, "base": service, "method": "POST",
                                                      "url": "/api/v1/cases", "payloads": complaints[used["complaint"]:]}))
                    rounds["tracking"].append(drive({**common, "base": service, "method": "GET", "payloads": lookups(url),
                                                     "cycle": True}))
                    for name in used:  # a request wrk sent as it stopped may have been stored: skip past it
                        used[name] += rounds[name][-1]["used"] + concurrency
                runs = {name: merge(parts) for name, parts in rounds.items()}
                for name, run in runs.items():
                    answers = run.pop("answers")
                    if name in answered:
                        answered[name].extend(a["id" if name == "baseline" else "number"] for a in answers)
                    twos = sum(n for code, n in run["statuses"].items() if 200 <= int(code) < 300)
                    results.append({"db": kind, "concurrency": concurrency, "scenario": name, **run, "ok": twos,
                                    "ratio": run["rps"] / runs["baseline"]["rps"] if runs["baseline"]["rps"] else 0.0})
        results.extend(check_rows(kind, stored_rows(url), answered, in_flight=args.rounds * sum(args.concurrency)))
    return results


# ---------------------------------------------------------------- report

def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def wrk_version() -> str:
    found = shutil.which("wrk")
    if found is None:
        return "wrk (not installed)"
    shown = subprocess.run([found, "--version"], capture_output=True, text=True, check=False)
    return " ".join((shown.stdout or shown.stderr).split()[:2]) or "wrk"


def report(results: list[dict], workers: int) -> str:
    worker = os.environ.get("WORKER_CLASS", "sync")
    lines = [f"machine: {machine()}; gunicorn {workers} {worker} workers; load driver: {wrk_version()}, one thread",
             f"{'db':<10} {'conc':>4} {'scenario':<12} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'ratio':>6}  statuses"]
    for r in results:
        if "scenario" in r:
            statuses = " ".join(f"{code}×{n}" for code, n in sorted(r["statuses"].items()))
            if r.get("socket_errors"):
                statuses += f" socket errors×{r['socket_errors']}"
            note = " (slots ran out)" if r.get("exhausted") and r["scenario"] == "booking" else ""
            lines.append(f"{r['db']:<10} {r['concurrency']:>4} {r['scenario']:<12} {r['rps']:>8.1f} {r['p50']:>7.1f} "
                         f"{r['p99']:>7.1f} {r['ratio']:>6.2f}  {statuses}{note}")
    for r in results:
        if "check" in r:
            lines.append(f"{r['db']:<10} rows of {r['check']:<12} {r['rows']:>7} vs 2xx {r['responses_2xx']:>7}: "
                         f"lost {r['lost']}, duplicated {r['duplicated']}, stored but unanswered when wrk stopped "
                         f"{r['unanswered']}")
    runs = [r for r in results if "scenario" in r]
    checks = [r for r in results if "check" in r]
    booking = min(r["ratio"] for r in runs if r["scenario"] == "booking")
    complaint = min(r["ratio"] for r in runs if r["scenario"] == "complaint")
    service = [r for r in runs if r["scenario"] != "baseline"]
    p99 = max((r["p99"] for r in service if r["concurrency"] == 16), default=max(r["p99"] for r in service))
    lines.append(f"summary: booking_ratio={booking:.2f} complaint_ratio={complaint:.2f} p99_ms={p99:.0f} "
                 f"lost={sum(r['lost'] for r in checks)} duplicated={sum(r['duplicated'] for r in checks)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per scenario and concurrency")
    parser.add_argument("--rounds", type=int, default=5,
                        help="the baseline and the scenarios take turns this many times (duration/rounds each, "
                             "at least a second)")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], action="append",
                        help="repeat for both; default: both")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--stations", type=int, default=300, help="stations in the synthetic roster")
    args = parser.parse_args(argv)
    require_wrk()
    workers = 2 * (os.cpu_count() or 1)
    results = []
    for kind in args.db or ["sqlite", "postgresql"]:
        print(f"… {kind}: {args.duration:g} s per scenario at concurrency {', '.join(map(str, args.concurrency))}",
              file=sys.stderr, flush=True)
        results.extend(run_database(kind, args, workers))
    print(report(results, workers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
