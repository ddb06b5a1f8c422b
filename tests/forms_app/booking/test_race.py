"""Racing requests: the database, not a check before insert, decides who gets a slot.

50 threads, each with its own test client (so its own app context and database session), wait
on a barrier and post at once, against SQLite (WAL mode) and against PostgreSQL.
"""
from __future__ import annotations

import os
from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import func, select

from roster import TZ
from tests.helpers import at_once

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=TZ)
RACERS = 50


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    import forms_app.clock

    monkeypatch.setattr(forms_app.clock, "now", lambda: NOW)


def payload(i: int, **changes) -> dict:
    data = {"station": "wenhua-lu", "officer": "chen-hao", "start": "2026-11-24T09:00:00+08:00", "name": f"居民{i}",
            "phone": f"139{i:08d}", "topic": "legal-advice", "description": "", "consent": True}
    data.update(changes)
    return data


def race(app, bodies: list[dict]) -> list[tuple[int, dict]]:
    """POST every body from its own thread, all released by one barrier; (status, json) in order."""
    app.config["RATELIMIT_RESIDENT_POST"] = "1000 per minute"  # every racer comes from 127.0.0.1

    def send(index, client):
        response = client.post("/api/v1/appointments", json=bodies[index])
        return response.status_code, response.get_json()

    return at_once(len(bodies), lambda _index: app.test_client(), send)


def claims(app, officer: str, start: datetime) -> list[int]:
    from forms_app.extensions import db
    from forms_app.models import SlotClaim

    with app.app_context():
        return sorted(db.session.scalars(select(SlotClaim.seat).where(
            SlotClaim.officer_id == officer, SlotClaim.starts_at == start.replace(tzinfo=None))))


def count(app, model) -> int:
    from forms_app.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_fifty_racers_one_seat(app):
    from forms_app.models import Appointment

    results = race(app, [payload(i) for i in range(RACERS)])
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 1, 409: RACERS - 1}, statuses
    losers = [body for status, body in results if status == 409]
    assert all(b == {"error": "slot_taken", "message": "这个时间段刚刚被别人约走了，请选择其他时间"} for b in losers)
    winner = next(body for status, body in results if status == 201)
    assert winner["start"] == "2026-11-24T09:00:00+08:00"
    assert claims(app, "chen-hao", datetime(2026, 11, 24, 9, 0)) == [1]
    assert count(app, Appointment) == 1
    # and the slot is no longer offered
    slots = app.test_client().get("/api/v1/stations/wenhua-lu/slots?officer=chen-hao&from=2026-11-24&days=1").json
    assert "2026-11-24T09:00:00+08:00" not in [s["start"] for s in slots] and len(slots) == 6


def test_fifty_racers_three_seats(app, roster_dir):
    from forms_app.models import Appointment

    path = roster_dir / "roster.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("slot_capacity: 1", "slot_capacity: 3"), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000_000))
    first = app.test_client().get("/api/v1/stations/wenhua-lu/slots?officer=chen-hao&from=2026-11-24&days=1").json[0]
    assert first["remaining"] == 3, "the edited roster was not picked up"

    results = race(app, [payload(i) for i in range(RACERS)])
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 3, 409: RACERS - 3}, statuses
    assert claims(app, "chen-hao", datetime(2026, 11, 24, 9, 0)) == [1, 2, 3]
    assert count(app, Appointment) == 3
    numbers = {body["number"] for status, body in results if status == 201}
    assert len(numbers) == 3
    slots = app.test_client().get("/api/v1/stations/wenhua-lu/slots?officer=chen-hao&from=2026-11-24&days=1").json
    assert "2026-11-24T09:00:00+08:00" not in [s["start"] for s in slots]


def test_same_phone_racing_for_overlapping_slots(app):
    """One phone, two officers at two stations at the same time: at most one booking wins."""
    from forms_app.models import Appointment, PhoneClaim

    lawyer = payload(0, officer="song-jiayi", start="2026-11-23T14:30:00+08:00", phone="13800138000")
    police = payload(0, station="shuyuan", start="2026-11-23T14:30:00+08:00", phone="13800138000")
    bodies = [dict(lawyer if i % 2 else police, name=f"居民{i}") for i in range(RACERS)]
    results = race(app, bodies)
    statuses = Counter(status for status, _ in results)
    assert statuses[201] == 1, statuses
    assert set(statuses) <= {201, 409, 422}, statuses
    for status, body in results:
        if status == 422:
            assert body["fields"] == {"phone": ["这个手机号在这个时间已经有预约了"]}
    assert count(app, Appointment) == 1
    from forms_app.extensions import db

    with app.app_context():
        holders = set(db.session.scalars(select(PhoneClaim.appointment_id).where(PhoneClaim.phone == "13800138000")))
    assert len(holders) == 1
