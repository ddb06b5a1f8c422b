"""The audit log: sign-ins (and failed tries), reveals, full exports, photo views and feed fetches
are on the record, administrators read it, and no one can change a row."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from roster import TZ
from tests.helpers import csrf_token

PASSWORD = "correct horse battery"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)


@pytest.fixture
def staff(app, roster, monkeypatch):
    import forms_app.clock
    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.models import CasePhoto, Staff

    monkeypatch.setattr(forms_app.clock, "now", lambda: NOW)
    with app.app_context():
        for username, role, stations in (("admin", "admin", ""), ("wenhua", "station", "wenhua-lu")):
            db.session.add(Staff(username=username, display_name=f"{username}工作人员", role=role, stations=stations,
                                 password_hash=generate_password_hash(PASSWORD), created_at=NOW.replace(tzinfo=None)))
        case = cases.register(roster, station="wenhua-lu", category="neighbours", description="楼上漏水", location="",
                              occurred="", name="张三丰", phone="13812345678", contact_time="", anonymous=False,
                              sensitive_consent=False, now=NOW)
        db.session.flush()
        db.session.add(CasePhoto(case_id=case.id, filename="audit.jpg", content_type="image/jpeg", size=4))
        db.session.commit()
        return case.number


def login(client, username, password=PASSWORD):
    page = client.get("/staff/login").get_data(as_text=True)
    return client.post("/staff/login", data={"csrf_token": csrf_token(page), "username": username,
                                             "password": password})


def entries(app) -> list[tuple[str, str, str]]:
    from forms_app.extensions import db
    from forms_app.models import AuditEntry

    with app.app_context():
        return [(e.actor, e.action, e.target) for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_what_staff_look_at_is_on_the_record(client, app, staff, tmp_path):
    from forms_app.booking.calendars import feed_token

    app.config["UPLOAD_DIR"] = str(tmp_path)
    (tmp_path / "audit.jpg").write_bytes(b"\xff\xd8\xff\xd9")
    assert login(client, "wenhua", "wrong password").status_code == 401
    assert login(client, "wenhua").status_code == 303
    page = client.get(f"/staff/cases/{staff}").get_data(as_text=True)
    assert client.post(f"/staff/cases/{staff}/reveal", data={"csrf_token": csrf_token(page)}).status_code == 303
    photo_id = int(page.split(f"/staff/cases/{staff}/photos/")[1].split('"')[0])
    assert client.get(f"/staff/cases/{staff}/photos/{photo_id}").status_code == 200
    with app.test_request_context():
        token = feed_token("chen-hao")
    assert client.get(f"/feeds/officers/chen-hao/{token}.ics").status_code == 200
    found = entries(app)
    assert found[:2] == [("wenhua", "login_failed", ""), ("wenhua工作人员", "login", "")]
    assert ("wenhua工作人员", "reveal", staff) in found and ("wenhua工作人员", "photo", staff) in found
    assert found[-1] == ("日历订阅 / calendar feed", "feed", "chen-hao")
    assert all("13812345678" not in str(row) and "张三丰" not in str(row) for row in found)


def test_full_exports_are_on_the_record_from_the_console_and_the_command(client, app, staff, tmp_path):
    login(client, "admin")
    assert client.get("/staff/reports/2026-11.xlsx?full=1").status_code == 200
    assert client.get("/staff/reports/2026-11.csv").status_code == 200  # masked: not an audit matter
    result = app.test_cli_runner().invoke(args=["report", "--month", "2026-11", "--full", "--out",
                                                str(tmp_path / "nov.csv")])
    assert result.exit_code == 0, result.output
    exports = [row for row in entries(app) if row[1] == "export_full"]
    assert exports == [("admin工作人员", "export_full", "2026-11.xlsx"), ("命令行 / command line", "export_full", "2026-11.csv")]


def test_administrators_read_it_and_nobody_edits_it(client, app, staff):
    from forms_app.audit import AuditIsAppendOnly
    from forms_app.extensions import db
    from forms_app.models import AuditEntry

    login(client, "wenhua")
    assert client.get("/staff/audit").status_code == 403
    client.post("/staff/logout", data={"csrf_token": csrf_token(client.get("/staff/").get_data(as_text=True))})
    login(client, "admin")
    page = client.get("/staff/audit?action=login").get_data(as_text=True)
    assert "wenhua工作人员" in page and "admin工作人员" in page and "登录" in page
    assert client.get("/staff/audit?page=999&action=nonsense").status_code == 200
    with app.app_context():
        row = db.session.scalars(select(AuditEntry)).first()
        row.actor = "someone else"
        with pytest.raises(AuditIsAppendOnly):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.scalars(select(AuditEntry)).first())
        with pytest.raises(AuditIsAppendOnly):
            db.session.commit()
