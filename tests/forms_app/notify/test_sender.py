"""The outbox and its senders, on SQLite and PostgreSQL, against a local SMTP server (aiosmtpd) and
a local HTTP server on loopback: each message is delivered once to its channel, a channel that is
down is retried with back-off and finally marked failed, two senders at once send nothing twice,
the webhook's body and signature are the documented contract, and a rolled-back action leaves no
message."""
from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select, text

from roster import TZ
from tests.helpers import at_once

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=TZ)
SECRET = "webhook-test-secret"


def message(event="case.registered", kind="resident", channel="log", target="", case="2612-AAAA", **more):
    from forms_app.notify.outbox import Message, Recipient

    return Message(event, Recipient(kind, more.pop("name", "王*"), more.pop("address", "13800000000"), channel, target),
                   more.pop("text", f"您的诉求已登记，编号 {case}。"), case=case, appointment=more.pop("appointment", None))


def write(messages, now=NOW):
    from forms_app.extensions import db
    from forms_app.notify import outbox

    with db.engine.begin() as connection:
        outbox.write(connection, messages, now)


def rows():
    from forms_app.extensions import db
    from forms_app.models import Notification

    found = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    db.session.commit()
    return found


class Hook(BaseHTTPRequestHandler):
    received: list = []
    status = 200
    fetched: list = []  # GETs: what a followed redirect would ask for

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(type(self).status)
        if 300 <= type(self).status < 400:
            self.send_header("Location", "/internal-admin?x=1")
        self.end_headers()

    def do_GET(self):  # noqa: N802
        type(self).fetched.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook(monkeypatch):
    Hook.received, Hook.status, Hook.fetched = [], 200, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/hook"
    monkeypatch.setenv("NOTIFY_WEBHOOK_SECRET", SECRET)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture
def smtp(monkeypatch):
    from aiosmtpd.controller import Controller

    class Keep:
        messages: list = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            self.messages.append(envelope)
            return "250 OK"

    import socket

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # aiosmtpd checks its own port once started, so it needs a real one, not 0
    handler = Keep()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(port))
    monkeypatch.setenv("SMTP_FROM", "board@example.gov.cn")
    yield handler.messages
    controller.stop()


def test_each_message_goes_out_once_through_its_channel(ctx, webhook, smtp, capsys):
    from forms_app.notify.sender import send_due

    write([message(channel="log"), message(kind="officer", channel="email", target="officer@example.gov.cn",
                                           event="appointment.booked", case=None, appointment="AB12-CD34",
                                           text="新预约：12月4日 09:00，编号 AB12-CD34。"),
           message(kind="department", channel="webhook", target=webhook, event="case.dispatched")])
    summary = send_due(now=NOW)
    assert summary.line() == "sent=3 failed=0 pending=0"
    printed = capsys.readouterr().out
    assert "case.registered → resident" in printed and "13800000000" not in printed
    assert len(smtp) == 1 and smtp[0].rcpt_tos == ["officer@example.gov.cn"]
    assert "AB12-CD34" in smtp[0].content.decode("utf-8", "replace") or "AB12-CD34" in str(smtp[0].original_content)
    assert len(Hook.received) == 1
    assert send_due(now=NOW + timedelta(hours=1)).line() == "sent=0 failed=0 pending=0"  # never twice
    assert len(smtp) == 1 and len(Hook.received) == 1
    assert all(row.status == "sent" and row.attempts == 1 for row in rows())


def test_the_webhook_body_and_signature_are_the_contract(ctx, webhook, monkeypatch):
    from forms_app.notify import signing
    from forms_app.notify.sender import send_due

    monkeypatch.setenv("NOTIFY_WEBHOOK_URL", webhook)  # every message also goes to the street's gateway
    write([message(channel="log", appointment="AB12-CD34")])
    assert send_due(now=NOW).sent == 2
    headers, body = Hook.received[0]
    sent = json.loads(body)
    assert set(sent) == {"id", "event", "recipient", "text", "case", "appointment", "created_at", "detail"}  # the contract, and detail
    assert sent["event"] == "case.registered" and sent["case"] == "2612-AAAA" and sent["appointment"] == "AB12-CD34"
    assert sent["recipient"] == {"kind": "resident", "name": "王*", "address": "13800000000"}
    assert sent["created_at"] == "2026-12-03T10:00:00+08:00"
    assert sent["id"] == next(r.uid for r in rows() if r.channel == "webhook")
    stamp, signature = headers["X-Board-Timestamp"], headers["X-Board-Signature"]
    assert signature.startswith("sha256=") and signing.verify(SECRET, stamp, signature, body, now=time.time())
    # the documented check refuses an altered body, another secret and a replay outside the window
    assert not signing.verify(SECRET, stamp, signature, body.replace(b"2612", b"2613"), now=time.time())
    assert not signing.verify("another secret", stamp, signature, body, now=time.time())
    assert not signing.verify(SECRET, stamp, signature, body, now=time.time() + signing.REPLAY_WINDOW + 1)


def test_a_recipients_own_webhook_has_its_own_secret_and_a_redirect_is_not_followed(ctx, webhook):
    from forms_app.notify import signing
    from forms_app.notify.sender import send_due

    write([message(kind="department", channel="webhook", target=webhook, event="case.dispatched")])
    assert send_due(now=NOW).sent == 1
    headers, body = Hook.received[0]
    stamp, signature = headers["X-Board-Timestamp"], headers["X-Board-Signature"]
    # the department checks with its own secret; the street gateway's secret does not sign its messages
    own = signing.secret_for(SECRET, webhook)
    assert own != SECRET and signing.verify(own, stamp, signature, body, now=time.time())
    assert not signing.verify(SECRET, stamp, signature, body, now=time.time())
    Hook.status = 302  # a URL that sends the sender elsewhere (a port on the loopback, another host)
    write([message(kind="department", channel="webhook", target=webhook, event="case.dispatched", case="2612-BBBB")])
    assert send_due(now=NOW).line() == "sent=0 failed=0 pending=1"
    assert Hook.fetched == [] and rows()[-1].last_error == "webhook answered 302"


def test_the_receivers_check_refuses_odd_timestamps_without_raising():
    from forms_app.notify import signing

    for stamp in ("²", "１２", "-5", "1e9", "", None, "9" * 40):
        assert signing.verify(SECRET, stamp, "sha256=00", b"{}", now=time.time()) is False


def test_a_channel_that_is_down_is_retried_with_back_off_then_delivered(ctx, webhook):
    from forms_app.notify.sender import send_due

    Hook.status = 503
    write([message(channel="webhook", target=webhook)])
    assert send_due(now=NOW).line() == "sent=0 failed=0 pending=1"
    (row,) = rows()
    assert row.status == "pending" and row.attempts == 1 and row.last_error == "webhook answered 503"
    assert row.next_attempt_at == (NOW + timedelta(seconds=30)).replace(tzinfo=None)
    assert send_due(now=NOW + timedelta(seconds=10)).line() == "sent=0 failed=0 pending=1"  # not yet due
    assert len(Hook.received) == 1
    Hook.status = 200
    assert send_due(now=NOW + timedelta(seconds=31)).line() == "sent=1 failed=0 pending=0"
    ids = {json.loads(body)["id"] for _, body in Hook.received}
    assert len(Hook.received) == 2 and len(ids) == 1  # the same id on the retry: the receiver can drop a duplicate


def test_after_the_last_attempt_the_notification_is_failed_with_every_attempt_kept(ctx):
    from forms_app.extensions import db
    from forms_app.models import NotificationAttempt
    from forms_app.notify import sender

    write([message(channel="webhook", target="http://127.0.0.1:9/nothing-listens")])
    moment = NOW
    for _ in range(sender.MAX_ATTEMPTS):
        summary = sender.send_due(now=moment)
        moment += timedelta(hours=2)
    assert summary.line() == "sent=0 failed=1 pending=0"
    (row,) = rows()
    assert row.status == "failed" and row.attempts == sender.MAX_ATTEMPTS
    attempts = db.session.scalar(select(func.count()).select_from(NotificationAttempt))
    assert attempts == sender.MAX_ATTEMPTS and sender.send_due(now=moment).line() == "sent=0 failed=0 pending=0"


def test_a_claim_whose_sender_died_is_taken_again_after_its_lease(ctx):
    from forms_app.notify import sender

    write([message()])
    mark, ids = sender.claim("dead-sender", NOW)
    assert ids and sender.claim("other", NOW + timedelta(seconds=30))[1] == []
    assert sender.send_due(now=NOW + sender.LEASE + timedelta(seconds=1)).sent == 1


def test_a_rolled_back_action_leaves_no_message(ctx):
    from forms_app.extensions import db
    from forms_app.notify import outbox

    with pytest.raises(RuntimeError):
        with db.engine.begin() as connection:
            outbox.write(connection, [message()], NOW)
            raise RuntimeError("the action failed after its message was written")
    assert rows() == []


def test_two_senders_at_once_send_nothing_twice(app, make_app, webhook):
    from forms_app.extensions import db
    from forms_app.notify.sender import send_due

    with app.app_context():
        write([message(channel="webhook", target=webhook, case=f"2612-{n:04d}") for n in range(40)])
    others = [make_app() for _ in range(4)]

    def prepare(index):
        return others[index]

    def send(_index, other):
        with other.app_context():
            return send_due(now=NOW).sent

    sent = at_once(4, prepare, send)
    assert sum(sent) == 40
    ids = [json.loads(body)["id"] for _, body in Hook.received]
    assert len(ids) == 40 and len(set(ids)) == 40
    with app.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM notifications WHERE status = 'sent'")) == 40


def test_the_command_ends_with_the_summary_line(app):
    with app.app_context():
        write([message(), message(case="2612-BBBB")])
    result = app.test_cli_runner().invoke(args=["send-notifications"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "sent=2 failed=0 pending=0"


def test_the_log_channel_prints_no_residents_name_or_phone_and_no_token(ctx, capsys):
    from forms_app.notify.sender import send_due

    write([message(name="王五", text="报到：https://fw.example.cn/report/Zk3x9QmT2vLp8RwY4nBc6dFh")])
    assert send_due(now=NOW).sent == 1
    printed = capsys.readouterr().out
    assert "王*" in printed and "王五" not in printed and "13800000000" not in printed
    assert "Zk3x9QmT2vLp8RwY4nBc6dFh" not in printed


def test_webhook_secret_prints_the_secret_a_recipients_own_webhook_is_signed_with(app, monkeypatch):
    from forms_app.notify import signing

    runner = app.test_cli_runner()
    assert runner.invoke(args=["webhook-secret", "https://gw.example.gov.cn/hook"]).exit_code != 0  # no secret set
    monkeypatch.setenv("NOTIFY_WEBHOOK_SECRET", SECRET)
    result = runner.invoke(args=["webhook-secret", "https://gw.example.gov.cn/hook"])
    assert result.exit_code == 0 and result.output.strip() == signing.secret_for(SECRET, "https://gw.example.gov.cn/hook")
    assert runner.invoke(args=["webhook-secret", "ftp://x"]).exit_code != 0
