"""Running the service: probes, request logs without personal data, rate limits from the
environment, backup and restore, copying a database."""
from __future__ import annotations

import json
from datetime import datetime

import pytest

from roster import TZ
from tests.helpers import ROOT


def test_healthz_and_readyz(client, app, roster_dir):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["status"] == "ready"
    assert ready.json["database"] == "ok" and ready.json["roster"].startswith("ok: ")
    (roster_dir / "roster.yaml").write_text("stations: [", encoding="utf-8")  # a broken edit, never loaded before
    app.extensions["roster_provider"].__init__(str(roster_dir))
    broken = client.get("/readyz")
    assert broken.status_code == 503 and broken.json["roster"].startswith("error")


def test_request_log_names_routes_not_paths(client, capsys):
    made = client.post("/api/v1/appointments", json={"station": "wenhua-lu"})
    assert made.status_code == 422
    client.get("/manage/secret-token-abc?x=13812345678")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    routes = [(line["method"], line["route"], line["status"]) for line in lines]
    assert ("POST", "/api/v1/appointments", 422) in routes and ("GET", "/manage/<token>", 404) in routes
    text = json.dumps(lines, ensure_ascii=False)
    assert "secret-token-abc" not in text and "13812345678" not in text and "127.0.0.1" not in text
    assert all(isinstance(line["ms"], float) for line in lines)


LIMITED = [("POST", "/book?station=wenhua-lu"), ("POST", "/manage/no-such-token"), ("POST", "/track/2611-XXXX/satisfaction"),
           ("POST", "/api/v1/appointments"), ("DELETE", "/api/v1/appointments/2611-XXXX?token=x"),
           ("POST", "/complaint"), ("POST", "/api/v1/cases"), ("POST", "/track"),
           ("GET", "/api/v1/cases/2611-XXXX?phone_last4=1234"), ("POST", "/staff/login")]


@pytest.mark.parametrize("method, path", LIMITED)
def test_every_resident_post_login_and_tracking_is_rate_limited(app, method, path):
    from forms_app.limits import DEFAULTS

    for name in DEFAULTS:
        app.config[name] = "2 per minute"
    client = app.test_client()
    codes = [client.open(path, method=method, data={"number": "2611-XXXX", "username": "x"}).status_code
             for _ in range(3)]
    assert 429 not in codes[:2] and codes[2] == 429, codes
    limited = client.open(path, method=method)
    assert int(limited.headers["Retry-After"]) > 0
    if path.startswith("/api/"):
        assert limited.json["error"] == "Too Many Requests"
    else:
        page = limited.get_data(as_text=True)
        assert "操作太频繁" in page and "Traceback" not in page and "tel:" in page


def test_limits_and_switches_come_from_the_environment(make_app, monkeypatch):
    monkeypatch.setenv("RATELIMIT_ENABLED", "false")
    monkeypatch.setenv("RATELIMIT_TRACK", "1 per hour")
    configured = make_app()
    assert configured.config["RATELIMIT_ENABLED"] is False and configured.config["RATELIMIT_TRACK"] == "1 per hour"
    client = configured.test_client()
    assert [client.post("/track", data={"number": "2611-XXXX", "phone_last4": "1234"}).status_code
            for _ in range(3)] == [404, 404, 404]
    monkeypatch.delenv("RATELIMIT_ENABLED")
    assert make_app().config["RATELIMIT_ENABLED"] is True  # on again without the variable


def test_a_limit_hit_through_one_app_holds_on_another_through_redis(make_app):
    """Two apps on one Redis, as two processes would be (the two-gunicorn test does it with real servers)."""
    import random

    from tests.helpers import redis_url

    shared = {"RATELIMIT_STORAGE_URI": redis_url(), "RATELIMIT_TRACK": "2 per minute"}
    first, second = make_app(shared), make_app(shared)
    # Redis outlives the test: a fresh client address keeps this run's counts its own.
    address = {"REMOTE_ADDR": f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"}
    look = f"/api/v1/cases/2611-{random.randrange(10000):04d}?phone_last4=1234"
    assert [first.test_client().get(look, environ_base=address).status_code for _ in range(2)] == [404, 404]
    assert second.test_client().get(look, environ_base=address).status_code == 429


# ---------------------------------------------------------------- backup, restore, copy-data

T0 = datetime(2026, 11, 23, 7, 0, tzinfo=TZ)


def fill(app, second: bool = False) -> dict:
    """A booking, a staff member and a case taken a few steps, so every table has rows."""
    from werkzeug.security import generate_password_hash

    from forms_app.booking import service as appointments
    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.models import Staff
    from forms_app.rosters import current_roster

    with app.app_context():
        roster = current_roster()
        booked = appointments.book(roster, "wenhua-lu", "chen-hao", datetime(2026, 11, 24, 10 if second else 9, 0, tzinfo=TZ),
                                   appointments.Resident("王五", f"1381234567{int(second)}", "legal-advice", "楼上漏水"),
                                   now=T0)
        staff = Staff(username=f"li{int(second)}", display_name="李工作人员", role="admin", stations="",
                      password_hash=generate_password_hash("x" * 12), created_at=T0.replace(tzinfo=None))
        db.session.add(staff)
        db.session.flush()
        case = cases.register(roster, station="wenhua-lu", category="neighbours", description="噪音", location="",
                              occurred="", name="赵六", phone="13912345678", contact_time="", anonymous=False,
                              sensitive_consent=False, now=T0)
        cases.act(roster, case, "accept", {}, staff, now=T0)
        db.session.commit()
        return {"appointment": booked.number, "case": case.number}


def row_counts(app) -> dict:
    from sqlalchemy import func, select

    from forms_app.extensions import db

    with app.app_context():
        return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def test_the_session_cookie_serializer_is_made_once_per_key(app):
    from itsdangerous import BadSignature

    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    app.secret_key = "a-new-secret"
    second = interface.get_signing_serializer(app)
    assert second.loads(second.dumps({"visits": 1})) == {"visits": 1}
    with pytest.raises(BadSignature):  # a cookie signed with the old key no longer opens
        second.loads(first.dumps({"visits": 1}))


def test_the_migrations_build_the_schema_the_models_describe(app):
    """The app fixture's database is made by the migrations: nothing in the models is missing
    from them (a new index or column without its migration would not exist in production)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from forms_app.extensions import db

    with app.app_context(), db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), db.metadata) == []


def test_backup_and_restore_round_trip(app, tmp_path):
    runner = app.test_cli_runner()
    made = fill(app)
    before = row_counts(app)
    out = tmp_path / "backups" / "forms.sqlite3"
    result = runner.invoke(args=["backup", "--out", str(out)])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        assert result.exit_code == 1 and "pg_dump" in result.output and "Traceback" not in result.output
        return
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["backup", "--out", str(out)]).exit_code == 1  # never overwrites a backup
    from forms_app.extensions import db
    from forms_app.models import Appointment, Case

    with app.app_context():  # after the backup: a cancellation and a new case
        from forms_app.cases import service as cases
        from forms_app.rosters import current_roster

        cases.register(current_roster(), station="wenhua-lu", category="neighbours", description="后来的", location="",
                       occurred="", name="钱七", phone="13712345678", contact_time="", anonymous=False,
                       sensitive_consent=False, now=T0)
        db.session.query(Appointment).update({"status": "cancelled"})
        db.session.commit()
    assert row_counts(app)["cases"] == 2
    restored = runner.invoke(args=["restore", "--from", str(out), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert row_counts(app) == before
    with app.app_context():
        assert db.session.scalar(db.select(Appointment.status).where(Appointment.number == made["appointment"])) == "booked"
        assert db.session.scalar(db.select(Case.state).where(Case.number == made["case"])) == "accepted"
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    refused = runner.invoke(args=["restore", "--from", str(junk), "--yes"])
    assert refused.exit_code == 1 and "不是可用的 SQLite 备份" in refused.output
    assert row_counts(app) == before  # a bad backup changes nothing


def test_copy_data_copies_every_row_and_verifies_counts(tmp_path, roster_dir, database_url):
    """From an embedded SQLite install to a fresh database: SQLite, and PostgreSQL in the second run."""
    from flask_migrate import upgrade

    from forms_app import create_app
    from forms_app.extensions import db

    source_url = f"sqlite:///{tmp_path / 'street.sqlite3'}"
    source = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": source_url,
                         "ROSTER_DIR": str(roster_dir)})
    with source.app_context():
        upgrade()
    fill(source)
    before = row_counts(source)
    result = source.test_cli_runner().invoke(args=["copy-data", "--from", source_url, "--to", database_url])
    assert result.exit_code == 0, result.output
    assert "every count matches" in result.output and "MISMATCH" not in result.output
    target = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database_url,
                         "ROSTER_DIR": str(roster_dir)})
    try:
        assert row_counts(target) == before and before["appointments"] == 1 and before["ledger"] == 2
        # ids continue after the copied ones: the copy is a working database, not an archive
        fill(target, second=True)  # new rows get fresh ids after the copied ones
        assert row_counts(target)["appointments"] == 2
        again = source.test_cli_runner().invoke(args=["copy-data", "--from", source_url, "--to", database_url])
        assert again.exit_code == 1 and "不会覆盖" in again.output
    finally:
        for each in (source, target):
            with each.app_context():
                db.engine.dispose()


def test_a_plain_postgresql_url_uses_the_installed_driver(monkeypatch, tmp_path):
    from forms_app.config import from_environment

    monkeypatch.setenv("DATABASE_URL", "postgresql://sanguan@db.internal:5432/sanguan")
    assert from_environment(str(tmp_path))["SQLALCHEMY_DATABASE_URI"] == \
        "postgresql+psycopg://sanguan@db.internal:5432/sanguan"
    monkeypatch.setenv("DATABASE_URL", "sqlite:////srv/forms.sqlite3")
    assert from_environment(str(tmp_path))["SQLALCHEMY_DATABASE_URI"] == "sqlite:////srv/forms.sqlite3"


def test_gunicorn_loads_the_roster_once_and_a_new_worker_reads_an_edited_one(app, roster_dir):
    """preload_app: workers fork with the master's roster, so one that max_requests replaces
    serves at once; post_fork reads the roster again only if a clerk edited it since."""
    import os
    import runpy
    from types import SimpleNamespace

    from forms_app.rosters import current_roster

    settings = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert settings["preload_app"] is True and settings["max_requests"] > 0
    server = SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app))
    with app.app_context():
        before = current_roster()
        settings["post_fork"](server, None)  # nothing edited: the same roster object
        assert app.extensions["roster_provider"]._roster is before
        edited = roster_dir / "officers.yaml"
        edited.write_text(edited.read_text(encoding="utf-8"), encoding="utf-8")
        stat = edited.stat()
        os.utime(edited, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
        settings["post_fork"](server, None)
        assert app.extensions["roster_provider"]._roster is not before
