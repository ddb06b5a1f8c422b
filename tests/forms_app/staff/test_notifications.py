"""The console's page of notifications: failed first, then retried, then sent; each person sees
the messages of the cases and bookings in their reach; a failed one can be sent again (CSRF,
audited); no resident's phone and no secret link is shown."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from werkzeug.security import generate_password_hash

from roster import TZ
from tests.helpers import csrf_token

PASSWORD = "correct horse battery"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
TOKEN = "Zq3vA9kLmN0pQrStUvWxYz0123456789abcdEFGH_-x"  # a report-in token, 43 characters


@pytest.fixture
def world(app, roster, monkeypatch):
    """Accounts of wenhua-lu, of jiangwan (another street), a supervisor of wenchang (wenhua-lu's
    street) and an administrator; a case at each station with a failed message, a retried and a
    sent one at wenhua-lu, a message never tried yet, and a staff notice with no number."""
    import forms_app.clock
    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.models import Notification, Staff
    from forms_app.notify import outbox
    from forms_app.notify.outbox import Message, Recipient

    monkeypatch.setattr(forms_app.clock, "now", lambda: NOW)
    app.config.update(RATELIMIT_LOGIN="10000 per minute", RATELIMIT_LOGIN_ADDRESS="10000 per minute")
    with app.app_context():
        for username, role, stations, street in (("wenhua", "station", "wenhua-lu", None),
                                                 ("jiangwan", "station", "jiangwan", None),
                                                 ("boss", "supervisor", "", "wenchang"), ("admin", "admin", "", None)):
            db.session.add(Staff(username=username, display_name=f"{username}工作人员", role=role, stations=stations,
                                 street_id=street, password_hash=generate_password_hash(PASSWORD, "pbkdf2:sha256:1"),
                                 created_at=NOW.replace(tzinfo=None)))
        numbers = {}
        for station in ("wenhua-lu", "jiangwan"):
            numbers[station] = cases.register(
                roster, station=station, category="neighbours", description=f"{station} 漏水", location="",
                occurred="", name="欧阳娜娜", phone="13912345678", contact_time="", anonymous=False,
                sensitive_consent=False, now=NOW).number
        db.session.flush()
        db.session.execute(delete(Notification))  # the registrations' own messages: this world is written below
        resident = Recipient("resident", "欧阳娜娜", "13912345678")
        department = Recipient("department", "司法所", "https://gw.example.cn/hook?key=" + TOKEN, "webhook",
                               "https://gw.example.cn/hook?key=" + TOKEN)
        written = [
            ("failed", 8, Message("case.dispatched", department, f"派单 {numbers['wenhua-lu']} 报到：https://x.cn/r/{TOKEN}",
                                  case=numbers["wenhua-lu"])),
            ("pending", 2, Message("case.accepted", resident, f"诉求 {numbers['wenhua-lu']} 已受理",
                                   case=numbers["wenhua-lu"])),
            ("sent", 1, Message("case.state_changed", resident, f"诉求 {numbers['wenhua-lu']} 办理中",
                                case=numbers["wenhua-lu"])),
            ("pending", 0, Message("case.state_changed", resident, f"诉求 {numbers['wenhua-lu']} 还没发",
                                   case=numbers["wenhua-lu"])),
            ("failed", 8, Message("case.accepted", resident, f"诉求 {numbers['jiangwan']} 已受理",
                                  case=numbers["jiangwan"])),
            ("failed", 8, Message("case.deadline_passed", Recipient("staff", "值班的人"), "一件诉求已超期")),
        ]
        for status, attempts, message in written:
            outbox.write(db.session.connection(), [message], NOW)
        ids = []
        for (status, attempts, message), note in zip(written, db.session.scalars(
                select(Notification).order_by(Notification.id))):
            note.status, note.attempts = status, attempts
            note.last_error = "webhook answered 503" if attempts else None
            note.sent_at = NOW.replace(tzinfo=None) if status == "sent" else None
            ids.append(note.id)
        db.session.commit()
    return {"numbers": numbers, "ids": ids}


def signed_in(app, username):
    client = app.test_client()
    page = client.get("/staff/login").get_data(as_text=True)
    answer = client.post("/staff/login", data={"csrf_token": csrf_token(page), "username": username,
                                               "password": PASSWORD})
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return client


def shown(html: str) -> list[str]:
    """The status and the text of each row, in order."""
    return re.findall(r'<tr class="notification-(\w+)[^"]*">', html)


def test_a_clerk_sees_their_stations_failed_first_then_retried_then_sent(app, world):
    html = signed_in(app, "wenhua").get("/staff/notifications").get_data(as_text=True)
    assert shown(html) == ["failed", "pending", "sent"]  # the message never tried yet is the sender's business
    assert world["numbers"]["jiangwan"] not in html and "一件诉求已超期" not in html
    assert "吹哨派单" in html and "诉求已受理" in html and "办理进度" in html  # events in words
    assert f'href="/staff/cases/{world["numbers"]["wenhua-lu"]}"' in html
    assert html.count("重新发送</button>") == 1
    assert re.search(r'class="badge"[^>]*>1<', html)  # the nav counts the failed messages in reach


def test_a_supervisor_sees_their_street_and_the_administrator_everything(app, world):
    boss = signed_in(app, "boss").get("/staff/notifications").get_data(as_text=True)
    assert world["numbers"]["wenhua-lu"] in boss and world["numbers"]["jiangwan"] not in boss
    admin = signed_in(app, "admin").get("/staff/notifications").get_data(as_text=True)
    assert world["numbers"]["jiangwan"] in admin and "一件诉求已超期" in admin  # a notice without a number: admin only
    assert shown(admin) == ["failed", "failed", "failed", "pending", "sent"]
    assert re.search(r'class="badge"[^>]*>3<', admin)


def test_another_stations_message_cannot_be_retried(app, world):
    from forms_app.extensions import db
    from forms_app.models import Notification

    clerk = signed_in(app, "wenhua")
    page = clerk.get("/staff/notifications").get_data(as_text=True)
    for other in (world["ids"][4], world["ids"][5], 10**6):  # jiangwan's, the staff notice's, none at all
        answer = clerk.post(f"/staff/notifications/{other}/retry", data={"csrf_token": csrf_token(page)})
        assert answer.status_code == 404
    with app.app_context():
        assert [n.status for n in db.session.scalars(select(Notification).where(
            Notification.id.in_(world["ids"][4:])))] == ["failed", "failed"]


def test_retry_queues_the_message_again_and_is_audited(app, world):
    from forms_app.extensions import db
    from forms_app.models import AuditEntry, Notification

    clerk = signed_in(app, "wenhua")
    page = clerk.get("/staff/notifications").get_data(as_text=True)
    failed = world["ids"][0]
    assert clerk.post(f"/staff/notifications/{failed}/retry", data={}).status_code == 400  # no CSRF token
    with app.app_context():
        assert db.session.get(Notification, failed).status == "failed"
    answer = clerk.post(f"/staff/notifications/{failed}/retry", data={"csrf_token": csrf_token(page)})
    assert answer.status_code == 303
    with app.app_context():
        note = db.session.get(Notification, failed)
        assert (note.status, note.attempts, note.next_attempt_at) == ("pending", 0, NOW.replace(tzinfo=None))
        entries = [(e.actor, e.action, e.target) for e in db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "notification_retry"))]
        assert entries == [("wenhua工作人员", "notification_retry", f"{world['numbers']['wenhua-lu']} #{failed}")]
    after = clerk.get("/staff/notifications").get_data(as_text=True)
    assert "已重新排队" in after and "重新发送</button>" not in after and 'class="badge"' not in after
    # a second click finds nothing failed to send again, and is not audited twice
    again = clerk.post(f"/staff/notifications/{failed}/retry", data={"csrf_token": csrf_token(after)})
    assert again.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "notification_retry")
                                 .offset(1)) is None


def test_no_phone_and_no_secret_link_on_the_page(app, world):
    html = signed_in(app, "admin").get("/staff/notifications").get_data(as_text=True)
    assert "13912345678" not in html and "5678" not in html
    assert TOKEN not in html and TOKEN[:4] + "…" in html
    assert "欧阳娜娜" not in html and "欧***" in html


def test_a_page_past_the_end_is_the_last_page(app, world, monkeypatch):
    from forms_app.staff import notifications

    monkeypatch.setattr(notifications, "PAGE", 2)
    admin = signed_in(app, "admin")
    last = admin.get("/staff/notifications?page=99").get_data(as_text=True)
    assert "第 3 / 3 页" in last and shown(last) == ["sent"]
    assert shown(admin.get("/staff/notifications?page=1").get_data(as_text=True)) == ["failed", "failed"]
    assert "第 1 / 3 页" in admin.get("/staff/notifications?page=-5").get_data(as_text=True)


def test_a_message_only_written_to_the_log_is_not_shown_as_sent(app, world):
    """The log channel reaches nobody: its "sent" row says so, stands out like a failure, and stays
    among the sent ones; a message a webhook delivered is "已发送"."""
    from forms_app.extensions import db
    from forms_app.models import Notification
    from forms_app.notify import outbox
    from forms_app.notify.outbox import Message, Recipient

    with app.app_context():
        delivered = Recipient("resident", "欧阳娜娜", "13912345678", "webhook", "https://gw.example.cn/sms")
        outbox.write(db.session.connection(), [Message("case.result", delivered, "诉求已办结",
                                                       case=world["numbers"]["wenhua-lu"])], NOW)
        note = db.session.scalars(select(Notification).order_by(Notification.id.desc())).first()
        note.status, note.attempts, note.sent_at = "sent", 1, NOW.replace(tzinfo=None)
        db.session.commit()
    html = signed_in(app, "wenhua").get("/staff/notifications").get_data(as_text=True)
    rows = re.findall(r'<tr class="([^"]*)">\s*<th scope="row">(.*?)</th>', html, re.S)
    assert [classes for classes, _ in rows] == ["notification-failed", "notification-pending", "notification-sent",
                                                "notification-sent notification-logged"]  # the latest sent first
    sent, logged = rows[2][1], rows[3][1]
    assert "没有送出" in logged and "只记在日志里（没有配置短信网关或邮件）" in logged and "已发送" not in logged
    assert "办理进度" in logged  # the event is still named
    assert sent.startswith("已发送：办理结果") and "没有送出" not in sent
    css = (Path(app.static_folder) / "forms.css").read_text(encoding="utf-8")
    assert re.search(r"tr\.notification-failed, tr\.notification-logged \{ background: #fdecea; \}", css)


def test_every_event_has_its_words_on_the_page():
    from forms_app.notify import outbox
    from forms_app.staff.notifications import EVENT_NAMES, KIND_NAMES

    assert set(EVENT_NAMES) == set(outbox.EVENTS) and set(KIND_NAMES) == set(outbox.KINDS)
