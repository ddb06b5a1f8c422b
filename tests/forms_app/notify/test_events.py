"""Actions on a case write their messages in their own transaction, with texts that fit one SMS."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from roster import TZ

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=TZ)
TEMPLATES = sorted(p.name for p in (Path(__file__).resolve().parents[3] / "forms_app/templates/notify").glob("*.txt"))
# the longest realistic values: a long station name, a long category, a long department, a long link host
LONGEST = {"number": "2612-WWWW", "station": "滨江新区临江路平安服务驿站", "category": "劳动争议与工资拖欠",
           "state": "已登记，等待受理", "due": "12月31日", "on_site": True, "department": "区住房和城乡建设局",
           "when": "12月31日14:30", "officer": "欧阳明辉", "outcome": "未能化解", "arrival_minutes": 240,
           "dispatched": "23:59"}


# every text with its link, and those that may go without one (a dispatch before its report-in link) without
CASES = [(t, True) for t in TEMPLATES] + [
    (t, False) for t in TEMPLATES
    if "if link" in (Path(__file__).resolve().parents[3] / "forms_app/templates/notify" / t).read_text(encoding="utf-8")]


def longest_link(event: str, kind: str = "") -> str:
    """The link a text carries: a dispatch's report-in link, the staff case page for staff, else
    the short link of its number."""
    from forms_app.cases import report_in
    from forms_app.notify import texts

    if event == "case.dispatched":
        return report_in.url("a" * report_in.TOKEN_LENGTH)
    if kind in ("staff", "duty_room"):
        return texts.staff_link(LONGEST["number"])
    return texts.short_link(LONGEST["number"], kind="b" if event.startswith("appointment.") else "t")


@pytest.mark.parametrize("template, with_link", CASES, ids=[f"{t}-{'link' if w else 'no-link'}" for t, w in CASES])
def test_every_text_fits_one_sms_with_the_longest_values(app, template, with_link):
    from forms_app.notify import texts

    app.config["FORMS_URL"] = "https://fw.qinghe.gov.cn/"
    event, kind, _ = template.rsplit(".", 2)
    with app.test_request_context():
        link = longest_link(event, kind) if with_link else ""
        text = texts.render(event, kind, link=link, **LONGEST)
    assert len(text) <= texts.SMS_LIMIT, f"{template}: {len(text)} characters: {text}"
    assert LONGEST["number"] in text


def test_the_short_link_opens_the_tracking_form_with_the_number(client):
    answer = client.get("/t/2612wwww")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/track?number=2612-WWWW")


def register(roster, **overrides):
    from forms_app.cases import service as cases
    from forms_app.extensions import db

    fields = {"station": "wenhua-lu", "category": "neighbours", "description": "楼上漏水", "location": "3栋",
              "occurred": "", "name": "王五", "phone": "13912345678", "contact_time": "", "anonymous": False,
              "sensitive_consent": False, **overrides}
    case = cases.register(roster, now=NOW, **fields)
    db.session.commit()
    return case


def messages():
    from forms_app.extensions import db
    from forms_app.models import Notification

    return list(db.session.scalars(select(Notification).order_by(Notification.id)))


def test_each_step_of_a_case_tells_the_resident_and_the_department(roster, staff, ctx, capsys):
    from forms_app.cases import report_in
    from forms_app.cases import service as cases
    from forms_app.extensions import db

    case = register(roster)
    links = {}
    for action, payload in (("accept", {}), ("dispatch", {"department": "司法所", "on_site": True}),
                            ("note", {"note": "电话联系"}), ("arrive", {"arrived_at": NOW}),
                            ("resolve", {"outcome": "resolved", "result": "已修好"}),
                            ("feedback", {"channel": "电话", "given_at": NOW}), ("follow_up", {"note": "满意"})):
        cases.act(roster, case, action, payload, staff, now=NOW)
        links[action] = report_in.link_for(case)
        db.session.commit()
    found = [(n.event, n.recipient_kind, n.recipient_name) for n in messages()]
    assert found == [("case.registered", "resident", "王五"), ("case.registered", "duty_room", "文化路社区值班室"),
                     ("case.accepted", "resident", "王五"),
                     ("case.state_changed", "resident", "王五"), ("case.dispatched", "department", "司法所"),
                     # a note and the arrival change no state the resident reads: nothing
                     ("case.result", "resident", "王五"), ("case.follow_up", "resident", "王五")]
    assert all(n.case_number == case.number and case.number in n.text for n in messages())
    duty_room = next(n for n in messages() if n.recipient_kind == "duty_room")
    # the station hears of it, with the console's link and nothing of the resident
    assert duty_room.text.endswith(f"/staff/cases/{case.number}") and "王五" not in duty_room.text + duty_room.detail
    assert all(n.recipient_address == "13912345678" for n in messages() if n.recipient_kind == "resident")
    dispatch = next(n for n in messages() if n.event == "case.dispatched")
    # the SMS carries the report-in link made by this very dispatch, which opens the case's page
    assert links["dispatch"] and dispatch.text.endswith(links["dispatch"]) and len(dispatch.text) <= 70
    assert "/r/" in links["dispatch"]
    # the detail has the case as the department needs it, and nothing of the resident but the way to ask
    assert "楼上漏水" in dispatch.detail and "3栋" in dispatch.detail and links["dispatch"] in dispatch.detail
    assert "王五" not in dispatch.detail and "13912345678" not in dispatch.detail
    result = next(n for n in messages() if n.event == "case.result")
    assert "已办结" in result.text and "已化解" in result.text
    from forms_app.notify.sender import send_due

    capsys.readouterr()
    assert send_due(now=NOW).sent == len(found)
    printed = capsys.readouterr().out  # the log channel: the demo's terminal, a server's log
    token = links["dispatch"].rsplit("/", 1)[1]
    assert case.number in printed and "/r/" in printed and token not in printed and "13912345678" not in printed


def test_a_rejection_is_the_result_a_resident_who_declined_the_rest_still_gets(roster, staff, ctx):
    from forms_app.cases import service as cases
    from forms_app.extensions import db

    case = register(roster, quiet=True)
    cases.act(roster, case, "reject", {"reason": "不属于受理范围"}, staff, now=NOW)
    db.session.commit()
    quiet = register(roster, quiet=True, description="另一件事")
    cases.act(roster, quiet, "accept", {}, staff, now=NOW)
    db.session.commit()
    found = [(n.event, n.case_number) for n in messages() if n.recipient_kind == "resident"]
    assert found == [("case.registered", case.number), ("case.result", case.number),
                     ("case.registered", quiet.number)]  # not case.accepted: declined
    assert "不予受理" in [n for n in messages() if n.recipient_kind == "resident"][1].text


def test_a_repeated_submission_gives_its_number_once(roster, ctx):
    from forms_app.cases import service as cases
    from forms_app.cases.service import DUPLICATE_WINDOW

    fields = {"station": "wenhua-lu", "category": "neighbours", "description": "楼上漏水", "location": "",
              "occurred": "", "name": "王五", "phone": "13912345678", "contact_time": "", "anonymous": False,
              "sensitive_consent": False}
    first = cases.register_at_once(roster, now=NOW, repeat_window=DUPLICATE_WINDOW, **fields)
    again = cases.register_at_once(roster, now=NOW, repeat_window=DUPLICATE_WINDOW, **fields)
    assert first.new and not again.new and first.number == again.number
    assert [(n.event, n.recipient_kind, n.case_number) for n in messages()] == [
        ("case.registered", "resident", first.number), ("case.registered", "duty_room", first.number)]


def test_the_web_form_with_and_without_photos_and_the_api_give_the_resident_the_number(client, app):
    from tests.forms_app.cases.test_complaints import BODY, file_complaint, jpeg_with_gps

    assert file_complaint(client)[0].status_code == 303
    assert file_complaint(client, description="门口堆物", photos=[("现场.jpg", jpeg_with_gps())])[0].status_code == 303
    assert client.post("/api/v1/cases", json=BODY).status_code == 201
    with app.app_context():
        from forms_app.extensions import db
        from forms_app.models import Case

        numbers = db.session.scalars(select(Case.number).order_by(Case.id)).all()
        found = [(n.event, n.case_number, n.recipient_address) for n in messages() if n.recipient_kind == "resident"]
    assert len(numbers) == 3
    assert found == [("case.registered", number, phone) for number, phone in
                     zip(numbers, ("13812345678", "13812345678", "13912345678"))]


def test_the_duty_room_hears_of_a_new_case_at_its_own_contact_and_the_global_webhook_of_both(
        roster_dir, app, monkeypatch):
    from roster import load_roster

    from forms_app.cases import service as cases

    path = roster_dir / "roster.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  - id: wenhua-lu\n", "  - id: wenhua-lu\n    notify: duty@example.gov.cn\n", 1),
                    encoding="utf-8")
    edited = load_roster(roster_dir)
    assert edited.station("wenhua-lu").notify == "duty@example.gov.cn"
    monkeypatch.setenv("NOTIFY_WEBHOOK_URL", "https://gateway.example.gov.cn/all")
    with app.app_context():
        made = cases.register_at_once(edited, now=NOW, repeat_window=None, station="wenhua-lu", category="neighbours",
                                      description="楼上漏水", location="", occurred="", name="王五",
                                      phone="13912345678", contact_time="", anonymous=False, sensitive_consent=False)
        found = [(n.recipient_kind, n.channel, n.target) for n in messages()]
    # one statement on PostgreSQL with four outbox rows: each recipient's own channel, and the global webhook
    assert found == [("resident", "log", ""), ("resident", "webhook", ""),
                     ("duty_room", "email", "duty@example.gov.cn"), ("duty_room", "webhook", "")]
    assert all(n.case_number == made.number for n in _in(app, messages))


def _in(app, read):
    with app.app_context():
        return read()


def test_the_dispatch_goes_to_the_department_contact_of_the_station_else_its_street(roster_dir, app, staff):
    from roster import load_roster

    from forms_app.cases import service as cases
    from forms_app.extensions import db

    path = roster_dir / "roster.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("settings:\n", (
        "settings:\n  department_contacts:\n    司法所:\n      wenchang: sfs@example.gov.cn\n"
        "      shuyuan: https://gateway.example.gov.cn/hook\n    派出所:\n      wenchang: 13800000110\n"
        "  notify:\n    department: webhook\n"), 1), encoding="utf-8")
    edited = load_roster(roster_dir)
    with app.app_context():
        for station, department in (("wenhua-lu", "司法所"), ("shuyuan", "司法所"), ("wenhua-lu", "派出所"),
                                    ("wenhua-lu", "综治办")):
            case = register(edited, station=station, description=f"{station}{department}")
            cases.act(edited, case, "accept", {}, staff, now=NOW)
            cases.act(edited, case, "dispatch", {"department": department, "on_site": False}, staff, now=NOW)
            db.session.commit()
        found = [(n.recipient_name, n.channel, n.target, n.recipient_address) for n in messages()
                 if n.event == "case.dispatched"]
    assert found == [("司法所", "email", "sfs@example.gov.cn", "sfs@example.gov.cn"),  # the street's
                     ("司法所", "webhook", "https://gateway.example.gov.cn/hook", "https://gateway.example.gov.cn/hook"),
                     ("派出所", "webhook", "", "13800000110"),  # a phone: through the department channel's gateway
                     ("综治办", "webhook", "", "")]  # no contact: still written, on the kind's channel


def test_an_action_that_is_rolled_back_leaves_no_message(roster, staff, ctx):
    from forms_app.cases import service as cases
    from forms_app.extensions import db

    case = register(roster)
    before = len(messages())
    cases.act(roster, case, "accept", {}, staff, now=NOW)
    db.session.rollback()  # e.g. the request failed after the action
    assert len(messages()) == before == 2  # the registration's: the resident's and the duty room's


def test_a_registration_rolled_back_leaves_no_message(roster, ctx):
    from forms_app.cases import service as cases
    from forms_app.extensions import db

    cases.register(roster, station="wenhua-lu", category="neighbours", description="楼上漏水", location="",
                   occurred="", name="王五", phone="13912345678", contact_time="", anonymous=False,
                   sensitive_consent=False, now=NOW)
    db.session.rollback()
    assert messages() == []


def test_booking_cancelling_and_moving_tell_the_resident_and_the_officer(client, app):
    from forms_app.api.appointments import booking_example
    from forms_app.extensions import db
    from forms_app.models import Notification
    from forms_app.rosters import current_roster

    with app.app_context():
        example = booking_example(current_roster())
    made = client.post("/api/v1/appointments", json=example)
    assert made.status_code == 201, made.json
    number, token = made.json["number"], made.json["manage_token"]
    assert client.delete(f"/api/v1/appointments/{number}?token={token}").status_code in (200, 204)
    with app.app_context():
        found = [(n.event, n.recipient_kind) for n in db.session.scalars(select(Notification).order_by(Notification.id))]
        texts = [n.text for n in db.session.scalars(select(Notification))]
    assert found == [("appointment.booked", "resident"), ("appointment.booked", "officer"),
                     ("appointment.cancelled", "resident"), ("appointment.cancelled", "officer")]
    assert all(number in text for text in texts)
    with app.app_context():  # due at once, in Beijing time (a booking hands over its time without a zone)
        from forms_app.notify.sender import send_due

        assert send_due().line() == "sent=4 failed=0 pending=0"


def test_the_booking_short_link_opens_the_look_up_with_the_number(client):
    answer = client.get("/b/ab12cd34")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/manage?number=AB12-CD34")


def test_the_channel_for_each_kind_of_recipient_comes_from_the_roster(roster_dir):
    from roster import load_roster

    from forms_app.notify import events

    path = roster_dir / "roster.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "settings:\n", "settings:\n  notify:\n    resident: webhook\n    department: email\n", 1), encoding="utf-8")
    edited = load_roster(roster_dir)
    assert [events.channel_for(edited, kind) for kind in ("resident", "department", "officer")] == \
        ["webhook", "email", "log"]


@pytest.mark.parametrize("channel, gateway, texted", [(None, False, False), ("webhook", False, False),
                                                     ("webhook", True, True), (None, True, True)])
def test_the_pages_promise_an_sms_only_where_a_gateway_delivers_it(client, roster_dir, monkeypatch, channel, gateway,
                                                                   texted):
    from tests.forms_app.cases.test_complaints import file_complaint

    if gateway:  # the street's gateway; without it a resident's webhook row has nowhere to go
        monkeypatch.setenv("NOTIFY_WEBHOOK_URL", "https://gateway.example.gov.cn/sms")
        monkeypatch.setenv("NOTIFY_WEBHOOK_SECRET", "s3cret")
    if channel:
        path = roster_dir / "roster.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace(
            "settings:\n", f"settings:\n  notify:\n    resident: {channel}\n", 1), encoding="utf-8")
    response, data = file_complaint(client)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert ("发短信到您的手机（尾号 " + data["phone"][-4:] in page) is texted
    from forms_app.api.appointments import booking_example
    from forms_app.rosters import current_roster

    with client.application.app_context():
        example = booking_example(current_roster())
    made = client.post("/api/v1/appointments", json=example)
    assert made.status_code == 201, made.json
    booked = client.get(f"/booked/{made.json['manage_token']}").get_data(as_text=True)
    assert ("预约信息已发短信到您的手机（尾号 " + example["phone"][-4:] in booked) is texted


def test_every_event_has_a_text_and_a_row_in_the_docs():
    from forms_app.notify import outbox

    root = Path(__file__).resolve().parents[3]
    docs = (root / "docs/notifications.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip() for line in docs.splitlines() if line.startswith("| `")}
    documented = {name.strip("` ") for row in rows for name in row.split(",")}
    documented = {("appointment" + name if name.startswith(".") else name) for name in documented}
    assert set(outbox.EVENTS) <= documented
    for event in outbox.EVENTS:
        assert any(t.startswith(event + ".") for t in TEMPLATES), f"no text for {event}"
