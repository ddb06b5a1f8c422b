"""Two gunicorn servers on different loopback ports sharing one PostgreSQL and one Redis, as two
hosts of a city's install would: the database decides a race across servers, and a rate limit
hit through one server holds on the other. Needs TEST_DATABASE_URL and TEST_REDIS_URL."""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from tests.helpers import ROOT, fresh_schema, postgresql_url, redis_url

ATTEMPTS = 100


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_ready(base: str, process: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    import httpx

    deadline, last = time.monotonic() + seconds, "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            answer = httpx.get(f"{base}/readyz", timeout=10)
            if answer.status_code == 200:
                return
            last = f"{answer.status_code} {answer.text[:300]}"
        except httpx.HTTPError as exc:
            last = repr(exc)
        time.sleep(0.2)
    state = f"exited with {process.returncode}" if process.poll() is not None else f"not ready after {seconds} s"
    raise AssertionError(f"gunicorn at {base} {state}; last /readyz: {last}\n"
                         + log.read_text(encoding="utf-8", errors="replace")[-3000:])


@pytest.fixture
def two_servers(roster_dir, tmp_path):
    from flask_migrate import upgrade

    from forms_app import create_app
    from forms_app.extensions import db

    database, redis = postgresql_url(), redis_url()
    roster = roster_dir / "roster.yaml"
    text = roster.read_text(encoding="utf-8")
    assert "  slot_capacity: 1\n" in text
    roster.write_text(text.replace("  slot_capacity: 1\n", "  slot_capacity: 2\n", 1), encoding="utf-8")
    with fresh_schema(database) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "ROSTER_DIR": str(roster_dir), "SECRET_KEY": "x"})
        with app.app_context():
            upgrade()
            db.engine.dispose()
        env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis, "ROSTER_DIR": str(roster_dir),
               "SECRET_KEY": "two-servers-secret", "WEB_CONCURRENCY": "2", "REQUEST_LOG": "false",
               "RATELIMIT_RESIDENT_POST": "100000 per minute", "RATELIMIT_TRACK": "3 per minute",
               "RATELIMIT_KEY_PREFIX": f"two-servers-{uuid.uuid4().hex}", "UPLOAD_DIR": str(tmp_path / "uploads")}
        bases, processes = [], []
        try:
            for _ in range(2):
                port = free_port()
                log = open(tmp_path / f"gunicorn-{port}.log", "wb")  # noqa: SIM115 - closed below
                processes.append((subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                     "--bind", f"127.0.0.1:{port}", "forms_app.wsgi:app"],
                    cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT), log))
                bases.append(f"http://127.0.0.1:{port}")
            for base, (process, log) in zip(bases, processes):
                wait_ready(base, process, Path(log.name))
            yield bases, url
        finally:
            for process, log in processes:
                process.terminate()
            for process, log in processes:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                log.close()


async def _book_all(bases: list[str], slot: dict) -> list[int]:
    import httpx

    limits = httpx.Limits(max_connections=ATTEMPTS)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        async def attempt(i: int) -> int:
            body = {"station": "wenhua-lu", "officer": slot["officer"], "start": slot["start"], "name": f"居民{i}",
                    "phone": f"139{i:08d}", "topic": "legal-advice", "description": "", "consent": True}
            response = await client.post(f"{bases[i % 2]}/api/v1/appointments", json=body)
            return response.status_code
        return list(await asyncio.gather(*(attempt(i) for i in range(ATTEMPTS))))


def in_own_thread(work):
    """asyncio.run needs a thread without an event loop; Playwright's sync API (the session's
    browser fixture) keeps one running in the main thread."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=300)
    if "error" in outcome:
        raise outcome["error"]
    assert "value" in outcome, "the concurrent bookings did not finish"
    return outcome["value"]


@pytest.mark.needs_postgresql
def test_two_servers_share_the_database_and_the_rate_limits(two_servers):
    import httpx
    from sqlalchemy import create_engine, func, select, text

    bases, url = two_servers
    slots = httpx.get(f"{bases[0]}/api/v1/stations/wenhua-lu/slots", timeout=10).json()
    slot = next((s for s in slots if s["remaining"] == 2), None)
    assert slot is not None, "the small roster offers no free slot of capacity 2 in the next days"

    codes = in_own_thread(lambda: asyncio.run(_book_all(bases, slot)))
    assert codes.count(201) == 2, sorted(set(codes))
    assert codes.count(409) == ATTEMPTS - 2, sorted(set(codes))
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            booked = connection.scalar(select(func.count()).select_from(text("appointments")))
            seats = connection.execute(text("SELECT seat FROM slot_claims ORDER BY seat")).scalars().all()
    finally:
        engine.dispose()
    assert booked == 2 and seats == [1, 2]
    after = httpx.get(f"{bases[1]}/api/v1/stations/wenhua-lu/slots", timeout=10).json()
    assert not any(s["start"] == slot["start"] and s["officer"] == slot["officer"] for s in after)

    # A limit of 3 look-ups a minute: three through the first server, the fourth refused by the second.
    look = "/api/v1/cases/2611-XXXX?phone_last4=1234"
    assert [httpx.get(bases[0] + look, timeout=10).status_code for _ in range(3)] == [404, 404, 404]
    refused = httpx.get(bases[1] + look, timeout=10)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
