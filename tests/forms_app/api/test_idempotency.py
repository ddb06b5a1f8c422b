"""Idempotency-Key on the API's POSTs: a retry with the same key and body gets the first answer,
not a second booking or case; another body with the key is refused; racing retries make one."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from roster import TZ

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=TZ)
BOOKING = {"station": "wenhua-lu", "officer": "chen-hao", "start": "2026-11-23T09:00:00+08:00", "name": "张三",
           "phone": "13812345678", "topic": "legal-advice", "description": "想问问租房合同的事", "consent": True}
CASE = {"station": "wenhua-lu", "category": "neighbours", "description": "楼上漏水", "name": "张三",
        "phone": "13812345678", "consent": True}


@pytest.fixture
def clock(monkeypatch, app):
    import forms_app.clock

    class Clock:
        now = NOW

    state = Clock()
    monkeypatch.setattr(forms_app.clock, "now", lambda: state.now)
    app.config.update(RATELIMIT_RESIDENT_POST="1000 per minute", RATELIMIT_COMPLAINT="1000 per hour")
    return state


def rows(app, model) -> int:
    from forms_app.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_booking_retried_with_its_key_is_booked_once(client, app, clock):
    from forms_app.models import Appointment

    first = client.post("/api/v1/appointments", json=BOOKING, headers={"Idempotency-Key": "b7c1-0001"})
    again = client.post("/api/v1/appointments", json=BOOKING, headers={"Idempotency-Key": "b7c1-0001"})
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert rows(app, Appointment) == 1
    # without the key the same body is a new request: this phone already has that time
    assert client.post("/api/v1/appointments", json=BOOKING).status_code == 422


def test_a_key_with_another_body_is_refused(client, app, clock):
    from forms_app.models import Case

    headers = {"Idempotency-Key": '"case-42"'}  # a Structured Field string is the same key
    assert client.post("/api/v1/cases", json=CASE, headers=headers).status_code == 201
    other = client.post("/api/v1/cases", json={**CASE, "description": "另一件事"}, headers={"Idempotency-Key": "case-42"})
    assert other.status_code == 422 and "Idempotency-Key" in other.get_json()["fields"]
    assert rows(app, Case) == 1


def test_a_refused_request_frees_its_key(client, app, clock):
    from forms_app.models import Case

    headers = {"Idempotency-Key": "fix-and-retry"}
    wrong = client.post("/api/v1/cases", json={**CASE, "phone": "123"}, headers=headers)
    assert wrong.status_code == 422 and "phone" in wrong.get_json()["fields"]
    fixed = client.post("/api/v1/cases", json=CASE, headers=headers)
    assert fixed.status_code == 201 and rows(app, Case) == 1


@pytest.mark.parametrize("key", ["", " ", "x" * 256, "空格键"])
def test_a_malformed_key_is_a_clear_400(client, app, clock, key):
    from forms_app.models import Case

    response = client.post("/api/v1/cases", json=CASE, headers={"Idempotency-Key": key.encode().decode("latin-1")})
    assert response.status_code == 400 and "Idempotency-Key" in response.get_json()["message"]
    assert rows(app, Case) == 0


def test_keys_are_kept_a_day_and_then_purged(client, app, clock):
    from forms_app.models import Appointment, IdempotentRequest

    headers = {"Idempotency-Key": "day-old"}
    client.post("/api/v1/appointments", json=BOOKING, headers=headers)
    assert rows(app, IdempotentRequest) == 1
    clock.now = NOW + timedelta(hours=25)
    assert app.test_cli_runner().invoke(args=["purge-expired"]).exit_code == 0
    assert rows(app, IdempotentRequest) == 0 and rows(app, Appointment) == 1


def test_a_key_whose_first_request_died_can_be_used_again(client, app, clock):
    """A worker killed mid-request leaves its claim unanswered: after a minute the key is free."""
    import json
    from hashlib import sha256

    from forms_app.extensions import db
    from forms_app.models import Case, IdempotentRequest

    payload = json.dumps(CASE).encode()
    with app.app_context():
        db.session.add(IdempotentRequest(scope="POST /api/v1/cases", key="orphan",
                                         fingerprint=sha256(payload).hexdigest(), created_at=NOW.replace(tzinfo=None)))
        db.session.commit()

    def send():
        return client.post("/api/v1/cases", data=payload, content_type="application/json",
                           headers={"Idempotency-Key": "orphan"})
    busy = send()
    assert busy.status_code == 409 and "Retry-After" in busy.headers
    clock.now = NOW + timedelta(minutes=2)
    assert send().status_code == 201
    assert rows(app, Case) == 1


def test_racing_retries_with_one_key_book_once(app, clock):
    """Eight copies of one booking with one key, released at once: one booking; every other
    answer is the same booking replayed, or 409 while the first is still being handled."""
    from forms_app.models import Appointment

    barrier, answers = threading.Barrier(8), []

    def send():
        client = app.test_client()
        barrier.wait(timeout=20)
        answers.append(client.post("/api/v1/appointments", json=BOOKING, headers={"Idempotency-Key": "race-1"}))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == 8 and {a.status_code for a in answers} <= {201, 409}
    created = [a.get_json() for a in answers if a.status_code == 201]
    assert created and all(c == created[0] for c in created)
    assert rows(app, Appointment) == 1
