"""No log line holds a resident's name, phone, description or a token: ordinary and hostile
requests, and a forced database error, with every logger captured at DEBUG."""
from __future__ import annotations

import logging
import threading
import urllib.request
from datetime import datetime

import pytest
from sqlalchemy import text

from roster import TZ
from tests.helpers import csrf_token

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=TZ)  # a Monday morning, before the desks open
NAME, PHONE, WORDS = "欧阳秘密", "13912340987", "隔壁装修噪音扰民秘密词"


class Everything(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record):
        self.lines.append(self.format(record))  # the formatted line, with any traceback


@pytest.fixture
def captured():
    handler = Everything()
    loggers = [logging.getLogger()] + [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    saved = [(lg, lg.level) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    yield handler
    for lg, level in saved:
        lg.removeHandler(handler)
        lg.setLevel(level)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch, app, tmp_path):
    import forms_app.clock

    monkeypatch.setattr(forms_app.clock, "now", lambda: NOW)
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")


def _book(client):
    import re

    html = client.get("/book?station=wenhua-lu").get_data(as_text=True)
    slot = re.findall(r'name="slot" value="([^"]+)"', html)[0]
    return client.post("/book?station=wenhua-lu", data={
        "csrf_token": csrf_token(html), "slot": slot, "name": NAME, "phone": PHONE, "topic": "legal-advice",
        "description": WORDS, "consent": "y"})


def _complain(client, **change):
    html = client.get("/complaint?station=wenhua-lu").get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), "station": "wenhua-lu", "category": "neighbours", "description": WORDS,
            "location": "秘密小区 9 栋", "occurred": "秘密的上个月", "name": NAME, "phone": PHONE,
            "contact_time": "秘密的晚上", "consent": "y", **change}
    return client.post("/complaint?station=wenhua-lu", data=data)


def test_no_log_line_holds_personal_data_or_a_token(client, app, captured, monkeypatch):
    from forms_app.booking import service as appointments
    from forms_app.extensions import db
    from forms_app.models import Appointment

    assert _book(client).status_code == 303
    with app.app_context():
        booking = db.session.query(Appointment).one()
        token, number = booking.manage_token, booking.number
    assert _complain(client).status_code == 303
    assert _complain(client, phone="139123409870000").status_code == 422  # hostile: refused, re-shown
    assert _complain(client, description="<script>" + WORDS + "</script>" * 500).status_code == 422
    client.post("/track", data={"number": "2611-AAAA", "phone_last4": PHONE[-4:]})
    assert client.get(f"/manage/{token}").status_code == 200
    client.get(f"/manage/{token}?phone={PHONE}&name={NAME}")
    client.get(f"/booked/{token}")
    client.get(f"/manage/{token}x")
    client.post("/api/v1/complaints", json={"name": NAME, "phone": PHONE, "description": WORDS})

    def broken(found_token):  # a forced database error whose statement carries the token
        db.session.execute(text("SELECT * FROM no_such_table WHERE t = :t AND p = :p"), {"t": found_token,
                                                                                       "p": PHONE})

    monkeypatch.setattr(appointments, "by_token", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get(f"/manage/{token}").status_code == 500
    assert any("no_such_table" in line for line in captured.lines), "the database error was logged"
    secrets = [NAME, PHONE, PHONE[-8:], WORDS, token, number, "秘密"]
    assert [line for line in captured.lines if any(s in line for s in secrets)] == []


def test_the_demo_server_logs_route_patterns_not_paths(app, captured):
    from werkzeug.serving import make_server

    from forms_app.web import requestlog

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=requestlog.dev_server_handler(app))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for path in ("/manage/SECRETTOKEN123?phone=13912340987", "/booked/SECRETTOKEN123", "/nowhere/SECRETTOKEN123"):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}", timeout=10)
            except urllib.error.HTTPError:
                pass
    finally:
        server.shutdown()
    werkzeug = [line for line in captured.lines if line.startswith("werkzeug")]
    assert any("/manage/<token>" in line for line in werkzeug) and any("(no route)" in line for line in werkzeug)
    assert [line for line in captured.lines if "SECRETTOKEN123" in line or "13912340987" in line] == []
