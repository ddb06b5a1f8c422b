"""A resident who declined everything but what their own case or booking needs (Case.quiet,
Appointment.quiet, notify/choices.py): chosen on the forms and in the API, switched on the
tracking and manage pages once they proved the case or booking is theirs."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from roster import TZ
from tests.forms_app.booking.test_pages import fill
from tests.forms_app.cases.test_complaints import file_complaint, number_of
from tests.helpers import csrf_token

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=TZ)  # a Monday morning, before the desks open (as test_pages)
CASE_CHOICE = "只接收必要的通知（编号和办理结果），不要进度消息和回访评价"
BOOKING_CHOICE = "只接收必要的通知（预约的确认、改约和取消），不要前一天的提醒"


@pytest.fixture
def fixed_clock(monkeypatch):
    import forms_app.clock

    monkeypatch.setattr(forms_app.clock, "now", lambda: NOW)


def _register(roster, quiet: bool):
    from forms_app.cases import service as cases

    return cases.register(roster, station="wenhua-lu", category="neighbours", description="楼上漏水", location="",
                          occurred="", name="王五", phone="13912345678", contact_time="", anonymous=False,
                          sensitive_consent=False, quiet=quiet, now=NOW)


def _messages(app=None) -> list[tuple[str, str]]:
    from forms_app.extensions import db
    from forms_app.models import Notification

    return [(n.event, n.recipient_kind) for n in db.session.scalars(select(Notification).order_by(Notification.id))]


def test_a_quiet_resident_gets_what_the_case_needs_and_no_progress(roster, staff, ctx):
    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.notify import events, outbox

    quiet, chatty = _register(roster, True), _register(roster, False)
    db.session.commit()
    assert quiet.quiet is True and chatty.quiet is False
    # the resident recipient of every case message carries the case's choice
    [accepted] = events.case_messages(roster, quiet, "accept", "registered")
    assert accepted.recipient.quiet is True
    # what the case needs still goes (the registration's number, the result) ...
    for essential in ("case.registered", "case.result"):
        kept = outbox.rows([outbox.Message(essential, accepted.recipient, "编号", case=quiet.number)], NOW)
        assert [row["event"] for row in kept] == [essential]
    # ... and acceptance and the changes of state do not, for the quiet case only
    for case in (quiet, chatty):
        cases.act(roster, case, "accept", {}, staff, now=NOW)
        cases.act(roster, case, "dispatch", {"department": "司法所", "on_site": True}, staff, now=NOW)
        db.session.commit()
    from forms_app.models import Notification

    found = [(n.case_number, n.event, n.recipient_kind) for n in db.session.scalars(
        select(Notification).order_by(Notification.id))]
    assert [(e, k) for number, e, k in found if number == quiet.number] == [
        ("case.registered", "resident"), ("case.registered", "duty_room"), ("case.dispatched", "department")]
    assert [(e, k) for number, e, k in found if number == chatty.number] == [
        ("case.registered", "resident"), ("case.registered", "duty_room"), ("case.accepted", "resident"),
        ("case.state_changed", "resident"), ("case.dispatched", "department")]


def test_a_quiet_booking_still_gets_booked_and_cancelled_and_the_choice_is_stored(client, app):
    """Through the API, on both databases: PostgreSQL writes the booking in one statement
    (booking/sql.py), which must carry the choice."""
    from forms_app.api.appointments import booking_example
    from forms_app.extensions import db
    from forms_app.models import Appointment
    from forms_app.rosters import current_roster

    with app.app_context():
        example = booking_example(current_roster())
    made = client.post("/api/v1/appointments", json={**example, "quiet": True})
    assert made.status_code == 201, made.json
    number, token = made.json["number"], made.json["manage_token"]
    with app.app_context():
        assert db.session.scalar(select(Appointment.quiet).where(Appointment.number == number)) is True
    assert client.delete(f"/api/v1/appointments/{number}?token={token}").status_code in (200, 204)
    with app.app_context():
        assert _messages() == [("appointment.booked", "resident"), ("appointment.booked", "officer"),
                               ("appointment.cancelled", "resident"), ("appointment.cancelled", "officer")]
        # and a reminder (not essential) would not reach this resident
        from forms_app.notify import events

        appointment = db.session.scalar(select(Appointment).where(Appointment.number == number))
        [resident, _officer] = events.booking_messages(
            current_roster(), "appointment.booked", number=number, officer=appointment.officer_id,
            station=appointment.station_id, starts_at=appointment.starts_at, name=appointment.name,
            phone=appointment.phone, quiet=appointment.quiet)
        reminder = events.Message("appointment.reminder", resident.recipient, "明天", appointment=number)
        assert events.outbox.rows([reminder], NOW) == []


def test_without_the_choice_a_booking_is_not_quiet(client, app):
    from forms_app.api.appointments import booking_example
    from forms_app.extensions import db
    from forms_app.models import Appointment
    from forms_app.rosters import current_roster

    with app.app_context():
        example = booking_example(current_roster())
    made = client.post("/api/v1/appointments", json=example)
    assert made.status_code == 201, made.json
    with app.app_context():
        assert db.session.scalar(select(Appointment.quiet)) is False


def test_the_api_takes_quiet_for_a_case_and_refuses_a_non_boolean(client, app):
    from forms_app.api.cases import CASE_EXAMPLE
    from forms_app.extensions import db
    from forms_app.models import Case

    assert client.post("/api/v1/cases", json={**CASE_EXAMPLE, "quiet": "yes"}).status_code == 422
    made = client.post("/api/v1/cases", json={**CASE_EXAMPLE, "quiet": True})
    assert made.status_code == 201, made.json
    with app.app_context():
        assert db.session.scalar(select(Case.quiet).where(Case.number == made.json["number"])) is True
    schema = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    assert schema["CaseRequest"]["properties"]["quiet"]["type"] == "boolean"


def test_the_complaint_form_offers_the_choice_unticked_and_keeps_it_on_an_error(client, app, fixed_clock, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    page = client.get("/complaint?station=wenhua-lu").get_data(as_text=True)
    assert CASE_CHOICE in page and "预约" not in page.split('name="quiet"')[1].split("</label>")[0]
    assert not re.search(r'<input[^>]*name="quiet"[^>]*checked', page)
    refused, _ = file_complaint(client, quiet="y", name=None)
    assert refused.status_code == 422
    assert re.search(r'<input[^>]*checked[^>]*name="quiet"|<input[^>]*name="quiet"[^>]*checked',
                     refused.get_data(as_text=True))
    made, _ = file_complaint(client, quiet="y")
    number = number_of(client, made)
    from forms_app.extensions import db
    from forms_app.models import Case

    with app.app_context():
        assert db.session.scalar(select(Case.quiet).where(Case.number == number)) is True


def test_the_booking_form_offers_the_choice_and_keeps_it_on_an_error(client, app, fixed_clock):
    page = client.get("/book?station=wenhua-lu").get_data(as_text=True)
    words = page.split('name="quiet"')[1].split("</label>")[0]
    assert BOOKING_CHOICE in words and "办理结果" not in words and "进度" not in words
    assert not re.search(r'<input[^>]*name="quiet"[^>]*checked', page)
    refused, _ = fill(client, quiet="y", name=None)
    assert refused.status_code == 422
    assert re.search(r'<input[^>]*checked[^>]*name="quiet"|<input[^>]*name="quiet"[^>]*checked',
                     refused.get_data(as_text=True))
    made, _ = fill(client, quiet="y")
    assert made.status_code == 303
    from forms_app.extensions import db
    from forms_app.models import Appointment

    with app.app_context():
        assert db.session.scalar(select(Appointment.quiet)) is True


def test_the_tracking_page_switch_needs_the_proof_and_csrf_and_is_on_the_ledger(client, app, roster, fixed_clock):
    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.models import Case, LedgerEntry, Staff

    with app.app_context():
        number = _register(roster, False).number
        db.session.commit()
    # not proven yet: back to the tracking form, nothing changes
    answer = client.post(f"/track/{number}/quiet", data={"quiet": "1"})
    assert answer.status_code == 303 and "/track?number=" in answer.headers["Location"]
    assert client.post("/track", data={"number": number, "phone_last4": "5678"}).status_code == 303
    page = client.get(f"/track/{number}").get_data(as_text=True)
    assert "不再接收进度消息和回访评价" in page
    # proven, but without the page's CSRF token: refused, nothing changes
    assert client.post(f"/track/{number}/quiet", data={"quiet": "1"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Case.quiet)) is False
    switched = client.post(f"/track/{number}/quiet", data={"quiet": "1", "csrf_token": csrf_token(page)})
    assert switched.status_code == 303
    page = client.get(f"/track/{number}").get_data(as_text=True)
    assert "恢复接收进度消息和回访评价" in page and "好的，不再接收进度消息和回访评价" in page
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert case.quiet is True
        assert [e.action for e in db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id))] == \
            ["registered", "quiet"]
        clerk = Staff(username="wang", display_name="王工作人员", password_hash="x", role="station",
                      stations="wenhua-lu", created_at=datetime(2026, 11, 20, 18, 0))
        db.session.add(clerk)
        cases.act(roster, case, "accept", {}, clerk, now=NOW)
        db.session.commit()
        assert _messages() == [("case.registered", "resident"), ("case.registered", "duty_room")]  # case.accepted is not what the case needs
    back = client.post(f"/track/{number}/quiet", data={"quiet": "0", "csrf_token": csrf_token(page)})
    assert back.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Case.quiet)) is False
        assert db.session.scalars(select(LedgerEntry.action).order_by(LedgerEntry.id)).all()[-1] == "unquiet"


def test_the_manage_page_switch_needs_the_private_link_and_csrf(client, app, fixed_clock):
    from forms_app.extensions import db
    from forms_app.models import Appointment, AppointmentEvent

    made, _ = fill(client)
    token = made.headers["Location"].rsplit("/", 1)[1]
    assert client.post(f"/manage/{'x' * 43}", data={"action": "quiet", "quiet": "1"}).status_code == 404
    page = client.get(f"/manage/{token}").get_data(as_text=True)
    assert "不再接收前一天的提醒" in page
    refused = client.post(f"/manage/{token}", data={"action": "quiet", "quiet": "1"})
    assert refused.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(Appointment.quiet)) is False
    ics_before = client.get(f"/booked/{token}/appointment.ics").get_data(as_text=True)
    switched = client.post(f"/manage/{token}", data={"action": "quiet", "quiet": "1", "csrf_token": csrf_token(page)})
    assert switched.status_code == 200 and "好的，不再接收前一天的提醒" in switched.get_data(as_text=True)
    assert "恢复接收前一天的提醒" in switched.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Appointment.quiet)) is True
        assert db.session.scalars(select(AppointmentEvent.action).order_by(AppointmentEvent.id)).all() == \
            ["booked", "quiet"]
    # the meeting did not change, so a calendar that imported it is told nothing new
    ics_after = client.get(f"/booked/{token}/appointment.ics").get_data(as_text=True)
    assert re.search(r"SEQUENCE:\d+", ics_before)[0] == re.search(r"SEQUENCE:\d+", ics_after)[0]


def gateway(monkeypatch) -> None:
    """The street's SMS gateway, signed: what makes a resident's webhook messages leave the board."""
    monkeypatch.setenv("NOTIFY_WEBHOOK_URL", "https://gateway.example.gov.cn/sms")
    monkeypatch.setenv("NOTIFY_WEBHOOK_SECRET", "s3cret")


def _switch_words(page: str) -> str:
    return re.search(r'<form[^>]*class="block quiet-switch">.*?</form>', page, re.S)[0]


@pytest.mark.parametrize("channel", [None, "webhook"])
def test_the_switch_promises_an_sms_only_where_one_leaves_and_names_only_its_own_messages(
        client, app, roster, roster_dir, fixed_clock, monkeypatch, channel):
    """Without a gateway (the log channel) no page promises an SMS; with one, the case's switch names
    the case's messages and the booking's the booking's."""
    if channel:
        gateway(monkeypatch)
        path = roster_dir / "roster.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace(
            "settings:\n", f"settings:\n  notify:\n    resident: {channel}\n", 1), encoding="utf-8")
    from forms_app.extensions import db

    with app.app_context():
        number = _register(roster, False).number
        db.session.commit()
    assert client.post("/track", data={"number": number, "phone_last4": "5678"}).status_code == 303
    case_page = client.get(f"/track/{number}").get_data(as_text=True)
    case_words = _switch_words(case_page)
    made, _ = fill(client)
    manage = client.get(f"/manage/{made.headers['Location'].rsplit('/', 1)[1]}").get_data(as_text=True)
    booking_words = _switch_words(manage)
    assert "每一步" not in case_words + booking_words
    assert ("短信会告诉您编号、进度、结果和回访评价" in case_words) is bool(channel)
    assert ("短信会告诉您预约的确认、改约、取消和前一天的提醒" in booking_words) is bool(channel)
    if not channel:
        assert "短信" not in case_words and "短信" not in booking_words
        assert "本站目前不发送通知" in case_words and "本站目前不发送通知" in booking_words
    assert "进度" not in booking_words and "预约" not in case_words
    switched = client.post(f"/track/{number}/quiet", data={"quiet": "1", "csrf_token": csrf_token(case_page)})
    assert switched.status_code == 303
    quiet_words = _switch_words(client.get(f"/track/{number}").get_data(as_text=True))
    assert ("您选择了只接收必要的短信：编号和办理结果" in quiet_words) is bool(channel)


@pytest.mark.parametrize("quiet", [False, True])
def test_the_received_page_of_a_quiet_case_promises_only_the_number_and_the_result(
        client, app, roster_dir, tmp_path, fixed_clock, monkeypatch, quiet):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    gateway(monkeypatch)
    path = roster_dir / "roster.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "settings:\n", "settings:\n  notify:\n    resident: webhook\n", 1), encoding="utf-8")
    made, data = file_complaint(client, **({"quiet": "y"} if quiet else {}))
    page = client.get(made.headers["Location"]).get_data(as_text=True)
    tail = f"也会发短信到您的手机（尾号 {data['phone'][-4:]}）"
    assert ("编号和结果" + tail in page) is quiet
    assert ("编号和办理进度" + tail in page) is not quiet
