"""How long the service takes to answer when PostgreSQL freezes under its pooled connections
(as with SIGSTOP of every PostgreSQL process), against the same requests while it is awake.

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/frozen_database.py

A TCP relay in front of the server (tests/forms_app/test_faults.py FreezableProxy) stops relaying:
the kernel still acknowledges, nothing answers. The settings are the defaults of config.py unless
DB_* variables are set."""
from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CASE = {"station": "wenhua-lu", "category": "labour", "description": "工资拖欠", "name": "王五",
        "phone": "13912345678", "consent": True, "sensitive_consent": False}


def main() -> None:
    from flask_migrate import upgrade
    from sqlalchemy.engine import make_url

    from forms_app import create_app
    from forms_app.extensions import db
    from tests.forms_app.test_faults import FreezableProxy, within
    from tests.helpers import SMALL_ROSTER, fresh_schema

    server = os.environ.get("TEST_DATABASE_URL") or sys.exit("set TEST_DATABASE_URL to a PostgreSQL database")
    with fresh_schema(server) as url:
        parsed = make_url(url)
        proxy = FreezableProxy((parsed.host or "127.0.0.1", parsed.port or 5432))
        proxied = parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": proxied,
                          "ROSTER_DIR": str(SMALL_ROSTER), "RATELIMIT_ENABLED": False, "REQUEST_LOG": False})
        with app.app_context():
            upgrade()
        client = app.test_client()

        def measure(label, request):
            answer, took = within(120, request)
            print(f"{label:58} {answer.status_code}  {took:6.2f} s")

        print(f"{'request':58} status  time")
        measure("awake: GET /readyz", lambda: client.get("/readyz"))
        measure("awake: POST /api/v1/cases", lambda: client.post("/api/v1/cases", json=CASE))
        proxy.frozen.set()
        measure("frozen: GET /readyz (pooled connection)", lambda: client.get("/readyz"))
        proxy.frozen.clear()
        client.get("/readyz")  # a pooled connection again
        proxy.frozen.set()
        measure("frozen: POST /api/v1/cases (pooled connection)", lambda: client.post("/api/v1/cases", json=CASE))
        measure("frozen: POST /api/v1/cases (new connection)", lambda: client.post("/api/v1/cases", json=CASE))
        proxy.frozen.clear()
        measure("thawed: GET /readyz", lambda: client.get("/readyz"))
        with app.app_context():
            db.engine.dispose()
        proxy.close()


if __name__ == "__main__":
    main()
