"""Load benchmark of the form service under gunicorn, on SQLite and on PostgreSQL.

    python bench/load.py [--duration SECONDS] [--db sqlite|postgresql] [--concurrency 16 64]

For each database it starts the service under gunicorn (2 workers per core) with rate limits
off, and beside it a baseline (bench/baseline_app.py: a bare Flask endpoint inserting one row
with the same driver). A second process drives them over loopback with httpx and asyncio, for a
bounded time per scenario and concurrency: the booking form page, POST booking (each request a
distinct free slot), POST complaint, the tracking look-up. It prints requests/s, p50/p99 latency
and each scenario's throughput ratio to the baseline, then counts rows against 2xx responses
(nothing lost, nothing duplicated). The last line is machine-readable:

    summary: booking_ratio=R complaint_ratio=R p99_ms=N lost=N duplicated=N

booking_ratio and complaint_ratio are the worst over the runs, p99_ms the worst p99 of any
scenario at concurrency 16 (the target: under 100 ms), lost and duplicated summed over all runs.
PostgreSQL comes from BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local default.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
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
SCENARIOS = ("form page", "booking", "complaint", "tracking")


# ---------------------------------------------------------------- the driver (second process)

async def _drive(spec: dict) -> dict:
    import httpx

    payloads = spec.get("payloads") or [None]
    counter = iter(range(10**9))
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    created: list[dict] = []
    deadline = time.perf_counter() + spec["duration"]
    exhausted = False

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal exhausted
        while time.perf_counter() < deadline:
            index = next(counter)
            if spec.get("payloads") and not spec.get("cycle") and index >= len(payloads):
                exhausted = True
                return
            item = payloads[index % len(payloads)]
            started = time.perf_counter()
            if spec["method"] == "GET":
                response = await client.get(item if isinstance(item, str) else spec["url"])
            else:
                response = await client.post(spec["url"], json=item)
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if spec.get("keep") and response.status_code == 201:
                created.append({**response.json(), "phone": item["phone"]})

    limits = httpx.Limits(max_connections=spec["concurrency"], max_keepalive_connections=spec["concurrency"])
    async with httpx.AsyncClient(base_url=spec["base"], timeout=30, limits=limits) as client:
        began = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(spec["concurrency"])))
        elapsed = time.perf_counter() - began
    latencies.sort()
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else latencies * 99
    return {"requests": len(latencies), "seconds": elapsed, "rps": len(latencies) / elapsed if elapsed else 0.0,
            "p50": statistics.median(latencies) if latencies else 0.0, "p99": cuts[98] if cuts else 0.0,
            "statuses": statuses, "created": created, "exhausted": exhausted}


def drive(spec: dict) -> dict:
    """Run one scenario from a separate process, so that the load does not share our interpreter."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump(spec, handle, ensure_ascii=False)
    try:
        done = subprocess.run([sys.executable, __file__, "--drive", handle.name], capture_output=True, text=True,
                              check=False, cwd=ROOT)
    finally:
        os.unlink(handle.name)
    if done.returncode != 0:
        raise SystemExit(f"load driver failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


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
    from forms_app.slots import available_slots

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


def count_rows(url: str) -> dict[str, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {table: connection.scalar(text(f"SELECT COUNT(*) FROM {table}"))
                    for table in ("appointments", "cases", "bench_rows")}
    finally:
        engine.dispose()


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
        ok = {"booking": 0, "complaint": 0, "baseline": 0}
        used = 0
        with gunicorn("forms_app.wsgi:app", env, workers, log) as service, \
                gunicorn("bench.baseline_app:app", env, workers, log) as baseline:
            # Each worker loads the roster and opens its pool on first use: not part of the figures.
            drive({"duration": 2, "concurrency": 16, "base": service, "method": "GET",
                   "payloads": [f"/book?station={s}" for s in stations[:16]]})
            drive({"duration": 1, "concurrency": 16, "base": baseline, "method": "GET", "url": "/"})
            for concurrency in args.concurrency:
                common = {"duration": args.duration, "concurrency": concurrency}
                runs = {}
                runs["baseline"] = drive({**common, "base": baseline, "method": "POST", "url": "/insert", "cycle": True,
                                          "payloads": [{"name": "居民", "phone": "13800000000",
                                                        "description": "咨询邻里纠纷的处理办法"}]})
                runs["form page"] = drive({**common, "base": service, "method": "GET", "cycle": True,
                                           "payloads": [f"/book?station={s}" for s in stations]})
                runs["booking"] = drive({**common, "base": service, "method": "POST", "url": "/api/v1/appointments",
                                         "payloads": bookings[used:]})
                used += runs["booking"]["requests"]
                complaints = [{"station": stations[i % len(stations)], "category": categories[i % len(categories)],
                               "description": "楼上装修噪音，晚上十点以后还在施工，协商多次无果", "location": "3 栋",
                               "name": f"投诉人{i}", "phone": f"15{i:09d}"[:11], "consent": True,
                               "sensitive_consent": False} for i in range(concurrency * 100_000, concurrency * 100_000 + 50_000)]
                runs["complaint"] = drive({**common, "base": service, "method": "POST", "url": "/api/v1/cases",
                                           "payloads": complaints, "keep": True})
                made = runs["complaint"].pop("created")
                lookups = [f"/api/v1/cases/{c['number']}?phone_last4={c['phone'][-4:]}" for c in made] or ["/healthz"]
                runs["tracking"] = drive({**common, "base": service, "method": "GET", "payloads": lookups,
                                          "cycle": True})
                for name, run in runs.items():
                    run.pop("created", None)
                    twos = sum(n for code, n in run["statuses"].items() if 200 <= int(code) < 300)
                    if name in ok:
                        ok[name] += twos
                    results.append({"db": kind, "concurrency": concurrency, "scenario": name, **run, "ok": twos,
                                    "ratio": run["rps"] / runs["baseline"]["rps"] if runs["baseline"]["rps"] else 0.0})
        rows = count_rows(url)
    expected = {"appointments": ok["booking"], "cases": ok["complaint"], "bench_rows": ok["baseline"]}
    for table, want in expected.items():
        results.append({"db": kind, "check": table, "rows": rows[table], "responses_2xx": want,
                        "lost": max(0, want - rows[table]), "duplicated": max(0, rows[table] - want)})
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


def report(results: list[dict], workers: int) -> str:
    worker = os.environ.get("WORKER_CLASS", "sync")
    lines = [f"machine: {machine()}; gunicorn {workers} {worker} workers; load driver: httpx + asyncio, one process",
             f"{'db':<10} {'conc':>4} {'scenario':<10} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'ratio':>6}  statuses"]
    for r in results:
        if "scenario" in r:
            statuses = " ".join(f"{code}×{n}" for code, n in sorted(r["statuses"].items()))
            note = " (slots ran out)" if r.get("exhausted") and r["scenario"] == "booking" else ""
            lines.append(f"{r['db']:<10} {r['concurrency']:>4} {r['scenario']:<10} {r['rps']:>8.1f} {r['p50']:>7.1f} "
                         f"{r['p99']:>7.1f} {r['ratio']:>6.2f}  {statuses}{note}")
    for r in results:
        if "check" in r:
            lines.append(f"{r['db']:<10} rows in {r['check']:<12} {r['rows']:>7} vs 2xx {r['responses_2xx']:>7}: "
                         f"lost {r['lost']}, duplicated {r['duplicated']}")
    runs = [r for r in results if "scenario" in r]
    checks = [r for r in results if "check" in r]
    booking = min(r["ratio"] for r in runs if r["scenario"] == "booking")
    complaint = min(r["ratio"] for r in runs if r["scenario"] == "complaint")
    p99 = max((r["p99"] for r in runs if r["concurrency"] == 16), default=max(r["p99"] for r in runs))
    lines.append(f"summary: booking_ratio={booking:.2f} complaint_ratio={complaint:.2f} p99_ms={p99:.0f} "
                 f"lost={sum(r['lost'] for r in checks)} duplicated={sum(r['duplicated'] for r in checks)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per scenario and concurrency")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], action="append",
                        help="repeat for both; default: both")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--stations", type=int, default=300, help="stations in the synthetic roster")
    parser.add_argument("--drive", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.drive:
        spec = json.loads(Path(args.drive).read_text(encoding="utf-8"))
        print(json.dumps(asyncio.run(_drive(spec)), ensure_ascii=False))
        return 0
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
