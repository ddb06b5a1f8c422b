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
           "when": "12月31日14:30", "officer": "欧阳明辉"}


# every text with its link, and those that may go without one (a dispatch before its report-in link) without
CASES = [(t, True) for t in TEMPLATES] + [
    (t, False) for t in TEMPLATES
    if "if link" in (Path(__file__).resolve().parents[3] / "forms_app/templates/notify" / t).read_text(encoding="utf-8")]


@pytest.mark.parametrize("template, with_link", CASES, ids=[f"{t}-{'link' if w else 'no-link'}" for t, w in CASES])
def test_every_text_fits_one_sms_with_the_longest_values(app, template, with_link):
    from forms_app.notify import texts

    app.config["FORMS_URL"] = "https://fw.qinghe.gov.cn/"
    event, kind, _ = template.rsplit(".", 2)
    with app.test_request_context():
        link = texts.short_link(LONGEST["number"]) if with_link else ""
        text = texts.render(event, kind, link=link, **LONGEST)
    assert len(text) <= texts.SMS_LIMIT, f"{template}: {len(text)} characters: {text}"
    assert LONGEST["number"] in text


def test_the_short_link_opens_the_tracking_form_with_the_number(client):
    answer = client.get("/t/2612wwww")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/track?number=2612-WWWW")


def test_accepting_dispatching_and_resolving_tell_the_resident_and_the_department(roster, staff, ctx):
    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.models import Notification

    case = cases.register(roster, station="wenhua-lu", category="neighbours", description="楼上漏水", location="",
                          occurred="", name="王五", phone="13912345678", contact_time="", anonymous=False,
                          sensitive_consent=False, now=NOW)
    db.session.commit()
    for action, payload in (("accept", {}), ("dispatch", {"department": "司法所", "on_site": True}),
                            ("note", {"note": "电话联系"})):
        cases.act(roster, case, action, payload, staff, now=NOW)
        db.session.commit()
    found = [(n.event, n.recipient_kind, n.recipient_name) for n in db.session.scalars(
        select(Notification).order_by(Notification.id))]
    assert found == [("case.accepted", "resident", "王五"), ("case.state_changed", "resident", "王五"),
                     ("case.dispatched", "department", "司法所")]
    assert all(n.case_number == case.number and n.recipient_address in ("13912345678", "")
               for n in db.session.scalars(select(Notification)))


def test_an_action_that_is_rolled_back_leaves_no_message(roster, staff, ctx):
    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.models import Notification

    case = cases.register(roster, station="wenhua-lu", category="neighbours", description="楼上漏水", location="",
                          occurred="", name="王五", phone="13912345678", contact_time="", anonymous=False,
                          sensitive_consent=False, now=NOW)
    db.session.commit()
    cases.act(roster, case, "accept", {}, staff, now=NOW)
    db.session.rollback()  # e.g. the request failed after the action
    assert db.session.scalars(select(Notification)).all() == []


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
