"""Double submits at the same moment: the database, not a check before insert, makes them one case.

Before the repeat guard, two identical complaint forms posted at once on PostgreSQL made two
cases in 3 of 5 trials, and five identical API bodies two or three cases in 2 of 5 (the repeat
check read the table, and both readers found nothing). Each trial here releases its racers with
one barrier, each on its own test client, against SQLite and PostgreSQL.
"""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from roster import TZ
from tests.helpers import at_once, csrf_token

NOW = datetime(2026, 11, 20, 18, 0, tzinfo=TZ)
TRIALS = 5
FORM = {"station": "wenhua-lu", "category": "neighbours", "location": "幸福小区 3 栋", "occurred": "上个月",
        "name": "张三", "phone": "13812345678", "contact_time": "晚上", "consent": "y"}


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch, app):
    import forms_app.clock

    monkeypatch.setattr(forms_app.clock, "now", lambda: NOW)
    app.config["RATELIMIT_COMPLAINT"] = "1000 per hour"  # every racer comes from 127.0.0.1


def cases_with(app, description: str) -> int:
    from forms_app.extensions import db
    from forms_app.models import Case, LedgerEntry

    with app.app_context():
        found = db.session.scalars(select(Case.id).where(Case.description == description)).all()
        entries = db.session.scalar(select(func.count()).select_from(LedgerEntry)
                                    .where(LedgerEntry.case_id.in_(found)))
        assert entries == len(found)  # each case has its first ledger row, and no orphan row exists
        return len(found)


@pytest.mark.parametrize("trial", range(TRIALS))
def test_two_forms_posted_at_once_make_one_case(app, trial):
    description = f"楼上漏水，第 {trial} 次试验"

    def prepare(_index):
        client = app.test_client()
        html = client.get("/complaint?station=wenhua-lu").get_data(as_text=True)
        return client, {**FORM, "description": description, "csrf_token": csrf_token(html)}

    def send(_index, prepared):
        client, data = prepared
        response = client.post("/complaint?station=wenhua-lu", data=data)
        return response.status_code, response.headers.get("Location")

    results = at_once(2, prepare, send)
    assert [status for status, _ in results] == [303, 303]
    assert results[0][1] == results[1][1]  # both residents' pages show the same case
    assert cases_with(app, description) == 1


@pytest.mark.parametrize("trial", range(TRIALS))
def test_five_identical_api_bodies_make_one_case(app, trial):
    description = f"门口漏水，第 {trial} 次试验"
    body = {**{k: v for k, v in FORM.items() if k != "consent"}, "description": description, "consent": True}

    def send(_index, client):
        response = client.post("/api/v1/cases", json=body)
        return response.status_code, response.get_json()

    results = at_once(5, lambda _i: app.test_client(), send)
    assert {status for status, _ in results} == {201}
    assert len({answer["number"] for _, answer in results}) == 1
    assert cases_with(app, description) == 1


def test_racers_with_different_texts_each_get_their_case(app):
    def send(index, client):
        body = {**{k: v for k, v in FORM.items() if k != "consent"}, "description": f"第 {index} 件事",
                "consent": True}
        return client.post("/api/v1/cases", json=body).get_json()["number"]

    numbers = at_once(6, lambda _i: app.test_client(), send)
    assert len(set(numbers)) == 6
    assert sum(cases_with(app, f"第 {i} 件事") for i in range(6)) == 6
