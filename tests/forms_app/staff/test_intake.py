"""登记 by staff (cases/intake.py, staff/intake_views.py): a request received by phone, at the
counter, from the police, by a sweep or from another system, with its source; the clerk is the
first-contact owner at once; the oral consent; the printed slip in both sizes; who may register."""
from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from roster import TZ
from tests.forms_app.staff.test_console import PASSWORD, act, login
from tests.helpers import csrf_token

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)  # a Monday
WALK_IN = {"station": "wenhua-lu", "source": "counter", "category": "neighbours", "description": "楼上漏水到我家厨房",
           "name": "赵大爷", "phone": "13812345678", "consent": "y"}


@pytest.fixture
def desk(app, monkeypatch):
    """A clerk of wenhua-lu, a clerk of two stations, a clerk of jiangwan, a supervisor of 文昌街道 and an admin."""
    import forms_app.clock
    from forms_app.extensions import db
    from forms_app.models import Staff

    monkeypatch.setattr(forms_app.clock, "now", lambda: NOW)
    with app.app_context():
        for username, role, stations, street in (
                ("clerk", "station", "wenhua-lu", None), ("two", "station", "wenhua-lu,shuyuan", None),
                ("river", "station", "jiangwan", None), ("chief", "supervisor", "", "wenchang"),
                ("root", "admin", "", None)):
            db.session.add(Staff(username=username, display_name=f"{username}员", role=role, stations=stations,
                                 street_id=street, password_hash=generate_password_hash(PASSWORD, "pbkdf2:sha256:1"),
                                 created_at=NOW.replace(tzinfo=None)))
        db.session.commit()
    return app


def post_register(client, **fields):
    page = client.get("/staff/register").get_data(as_text=True)
    return client.post("/staff/register", data={"csrf_token": csrf_token(page), **fields})


def static_text(client, path):
    answer = client.get(path)
    try:
        assert answer.status_code == 200
        return answer.get_data(as_text=True)
    finally:
        answer.close()


def the_case(app, number=None):
    from forms_app.extensions import db
    from forms_app.models import Case

    with app.app_context():
        query = select(Case).order_by(Case.id.desc())
        case = db.session.scalar(query.where(Case.number == number) if number else query)
        db.session.expunge_all()
        return case


def ledger(app, case_id):
    from forms_app.extensions import db
    from forms_app.models import LedgerEntry

    with app.app_context():
        rows = db.session.scalars(select(LedgerEntry).where(LedgerEntry.case_id == case_id).order_by(LedgerEntry.id)).all()
        return [(r.action, r.actor, r.actor_id, json.loads(r.after), r.note) for r in rows]


@pytest.mark.parametrize("source,words", [("phone", "电话"), ("counter", "窗口/来访"), ("police", "警情移交"),
                                          ("sweep", "网格排查"), ("other_system", "其他系统")])
def test_registration_from_every_source_makes_the_clerk_the_owner(desk, source, words):
    from forms_app.models import Staff
    from forms_app.extensions import db

    clerk = login(desk.test_client(), "clerk")
    answer = post_register(clerk, **{**WALK_IN, "source": source})
    assert answer.status_code == 303, answer.get_data(as_text=True)
    case = the_case(desk)
    assert answer.headers["Location"].endswith(f"/staff/cases/{case.number}")
    with desk.app_context():
        clerk_id = db.session.scalar(select(Staff.id).where(Staff.username == "clerk"))
    assert (case.source, case.owner_id, case.state, case.station_id) == (source, clerk_id, "registered", "wenhua-lu")
    assert case.due_at is not None  # the deadlines of the flow apply
    assert case.consent_version and case.consent_version.startswith("v-")
    [(action, actor, actor_id, after, note)] = ledger(desk, case.id)
    assert (action, actor, actor_id) == ("registered", "clerk员", clerk_id)
    assert after["source"] == source and after["owner_id"] == clerk_id and after["state"] == "registered"
    assert note == f"{words}登记，首问责任人 clerk员"
    page = clerk.get(answer.headers["Location"]).get_data(as_text=True)
    assert f"<dt>来源</dt><dd>{words}</dd>" in page and "首问责任人</dt><dd>clerk员" in page
    assert f"/staff/cases/{case.number}/slip?size=a5" in page and "打印回执" in page
    assert f"{words}登记，首问责任人 clerk员" in page  # the ledger on the page


def test_the_owner_stays_when_another_clerk_accepts(desk):
    from forms_app.extensions import db
    from forms_app.models import Staff

    with desk.app_context():
        db.session.add(Staff(username="mate", display_name="mate员", role="station", stations="wenhua-lu",
                             password_hash=generate_password_hash(PASSWORD, "pbkdf2:sha256:1"),
                             created_at=NOW.replace(tzinfo=None)))
        db.session.commit()
    assert post_register(login(desk.test_client(), "clerk"), **WALK_IN).status_code == 303
    case = the_case(desk)
    assert act(login(desk.test_client(), "mate"), case.number, "accept").status_code == 303
    accepted = the_case(desk, case.number)
    assert accepted.state == "accepted" and accepted.owner_id == case.owner_id


def test_the_resident_hears_of_the_case_as_from_the_web(desk):
    from forms_app.extensions import db
    from forms_app.models import Notification

    assert post_register(login(desk.test_client(), "clerk"), **{**WALK_IN, "source": "phone"}).status_code == 303
    case = the_case(desk)
    with desk.app_context():
        told = db.session.scalars(select(Notification).where(Notification.case_number == case.number,
                                                             Notification.event == "case.registered")).all()
        assert {n.recipient_kind for n in told} >= {"resident"}
        assert [n.recipient_address for n in told if n.recipient_kind == "resident"] == ["13812345678"]


def test_a_second_tap_gives_the_same_case(desk):
    clerk = login(desk.test_client(), "clerk")
    first = post_register(clerk, **WALK_IN)
    second = post_register(clerk, **WALK_IN)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert "已经登记过" in clerk.get(second.headers["Location"]).get_data(as_text=True)


def test_the_consent_tick_is_required_and_the_text_is_there_to_read_out(desk):
    clerk = login(desk.test_client(), "clerk")
    page = clerk.get("/staff/register").get_data(as_text=True)
    assert "请念给群众听" in page and "您同意吗" in page and "天删除" in page
    refused = post_register(clerk, **{k: v for k, v in WALK_IN.items() if k != "consent"})
    assert refused.status_code == 422 and the_case(desk) is None
    text = refused.get_data(as_text=True)
    assert "群众同意后勾选这一项" in text
    # what was typed is kept
    assert "楼上漏水到我家厨房" in text and 'value="赵大爷"' in text and 'value="13812345678"' in text
    assert re.search(r'<option selected value="counter">|<option value="counter" selected>', text)


@pytest.mark.parametrize("change,message", [({"phone": "12345"}, "11 位手机号"), ({"source": "web"}, "来源"),
                                            ({"source": ""}, "来源"), ({"category": "nope"}, "类别"),
                                            ({"description": ""}, "发生了什么"), ({"name": ""}, "姓名")])
def test_bad_input_is_shown_again_with_what_was_typed(desk, change, message):
    clerk = login(desk.test_client(), "clerk")
    answer = post_register(clerk, **{**WALK_IN, **change})
    assert answer.status_code == 422 and the_case(desk) is None
    text = answer.get_data(as_text=True)
    assert message in text and "Traceback" not in text
    kept = {**WALK_IN, **change}
    if kept["name"]:
        assert f'value="{kept["name"]}"' in text


def test_the_station_is_preselected_or_chosen_from_ones_own(desk):
    one = login(desk.test_client(), "clerk").get("/staff/register").get_data(as_text=True)
    assert '<input type="hidden" name="station" value="wenhua-lu">' in one and "文化路社区" in one
    two = login(desk.test_client(), "two")
    page = two.get("/staff/register").get_data(as_text=True)
    assert '<select' in page and 'value="shuyuan"' in page and 'value="jiangwan"' not in page
    assert post_register(two, **{**WALK_IN, "station": "shuyuan"}).status_code == 303
    assert the_case(desk).station_id == "shuyuan"
    refused = post_register(two, **{**WALK_IN, "station": ""})
    assert refused.status_code == 422 and "请选择" in refused.get_data(as_text=True)


def test_another_clerks_station_answers_404(desk):
    clerk = login(desk.test_client(), "clerk")
    assert post_register(clerk, **{**WALK_IN, "station": "jiangwan"}).status_code == 404
    assert post_register(clerk, **{**WALK_IN, "station": "nowhere"}).status_code == 404
    assert clerk.get("/staff/register?station=jiangwan").status_code == 404
    assert the_case(desk) is None


def test_a_supervisor_cannot_register_and_an_admin_can(desk):
    chief = login(desk.test_client(), "chief")
    assert chief.get("/staff/register").status_code == 404
    assert 'href="/staff/register"' not in chief.get("/staff/").get_data(as_text=True)
    page = login(desk.test_client(), "clerk").get("/staff/").get_data(as_text=True)
    assert 'href="/staff/register"' in page and "登记" in page
    root = login(desk.test_client(), "root")
    assert post_register(root, **{**WALK_IN, "station": "jiangwan", "source": "police"}).status_code == 303
    case = the_case(desk)
    assert case.station_id == "jiangwan" and case.source == "police" and case.owner_id is not None


def test_the_service_refuses_a_supervisor_and_a_station_out_of_reach(desk):
    from forms_app.cases import flow, intake
    from forms_app.extensions import db
    from forms_app.models import Staff
    from forms_app.rosters import current_roster

    fields = {"station": "wenhua-lu", "category": "neighbours", "description": "x", "location": "", "occurred": "",
              "name": "赵", "phone": "13812345678", "contact_time": "", "anonymous": False,
              "sensitive_consent": False, "source": "phone"}
    with desk.test_request_context():
        chief = db.session.scalar(select(Staff).where(Staff.username == "chief"))
        clerk = db.session.scalar(select(Staff).where(Staff.username == "clerk"))
        with pytest.raises(flow.IllegalAction):
            intake.register(current_roster(), chief, fields, ["wenhua-lu"])
        with pytest.raises(flow.IllegalAction):
            intake.register(current_roster(), clerk, {**fields, "station": "jiangwan"}, ["wenhua-lu"])
        with pytest.raises(flow.IllegalAction):
            intake.register(current_roster(), clerk, {**fields, "source": "web"}, ["wenhua-lu"])


@pytest.mark.parametrize("size,paper", [("a5", "size: A5"), ("receipt", "size: 80mm")])
def test_the_slip_in_both_sizes(desk, size, paper):
    clerk = login(desk.test_client(), "clerk")
    assert post_register(clerk, **WALK_IN).status_code == 303
    case = the_case(desk)
    answer = clerk.get(f"/staff/cases/{case.number}/slip?size={size}")
    assert answer.status_code == 200 and "no-store" in answer.headers["Cache-Control"]
    text = answer.get_data(as_text=True)
    assert case.number in text and "文化路社区" in text and "2026-11-23 09:00" in text
    assert "/track" in text and "尾号 <strong>5678</strong>" in text  # the tracking digits, as the receipt page shows
    assert "13812345678" not in text and "138****5678" not in text and "赵大爷" not in text
    assert "0731-2881" in text  # the station's phone
    assert "110" in text and "受理并联系您" in text
    assert f'slip--{size}' in text
    css = re.search(rf'href="(/static/slip-{size}\.css)"', text)[1]
    sheet = static_text(clerk, css)
    assert "@page" in sheet and paper in sheet
    assert "@media print" in static_text(clerk, "/static/slip.css")


def test_a_bad_size_answers_404_and_no_size_is_a5(desk):
    clerk = login(desk.test_client(), "clerk")
    assert post_register(clerk, **WALK_IN).status_code == 303
    case = the_case(desk)
    assert clerk.get(f"/staff/cases/{case.number}/slip?size=a0").status_code == 404
    assert "slip--a5" in clerk.get(f"/staff/cases/{case.number}/slip").get_data(as_text=True)
    river = login(desk.test_client(), "river")
    assert river.get(f"/staff/cases/{case.number}/slip?size=a5").status_code == 404


def test_web_cases_are_web_and_the_api_says_the_source(desk):
    resident = desk.test_client()
    page = resident.get("/complaint?station=wenhua-lu").get_data(as_text=True)
    sent = resident.post("/complaint", data={"csrf_token": csrf_token(page), "station": "wenhua-lu",
                                             "category": "neighbours", "description": "噪音", "name": "钱",
                                             "phone": "13912345678", "consent": "y"})
    assert sent.status_code == 303
    web = the_case(desk)
    assert web.source == "web" and web.owner_id is None
    got = resident.get(f"/api/v1/cases/{web.number}?phone_last4=5678").get_json()
    assert got["source"] == "web"
    assert post_register(login(desk.test_client(), "clerk"), **WALK_IN).status_code == 303
    walk_in = the_case(desk)
    assert resident.get(f"/api/v1/cases/{walk_in.number}?phone_last4=5678").get_json()["source"] == "counter"
    spec = resident.get("/api/v1/openapi.json").get_json()
    assert set(spec["components"]["schemas"]["CaseStatus"]["properties"]["source"]["enum"]) == {
        "web", "phone", "counter", "police", "sweep", "other_system"}


def test_the_queue_filters_by_source(desk):
    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.rosters import current_roster

    with desk.app_context():
        web = cases.register(current_roster(), station="wenhua-lu", category="neighbours", description="网上的",
                             location="", occurred="", name="钱", phone="13912345678", contact_time="",
                             anonymous=False, sensitive_consent=False, now=NOW)
        db.session.commit()
        web_number = web.number
    clerk = login(desk.test_client(), "clerk")
    assert post_register(clerk, **{**WALK_IN, "source": "police"}).status_code == 303
    police = the_case(desk).number
    both = clerk.get("/staff/").get_data(as_text=True)
    assert web_number in both and police in both and '<option value="police">警情移交</option>' in both
    only = clerk.get("/staff/?source=police").get_data(as_text=True)
    assert police in only and web_number not in only and '<option value="police" selected>' in only
    assert web_number in clerk.get("/staff/?source=web").get_data(as_text=True)
    assert police not in clerk.get("/staff/?source=web").get_data(as_text=True)
    assert web_number in clerk.get("/staff/?source=nonsense").get_data(as_text=True)  # unknown: all of them


def test_the_register_names_the_source(desk):
    from forms_app.staff import reports
    from forms_app.rosters import current_roster

    assert post_register(login(desk.test_client(), "clerk"), **{**WALK_IN, "source": "sweep"}).status_code == 303
    with desk.app_context():
        roster = current_roster()
        rows = reports.register_rows(roster, reports.cases_in(roster, "2026-11"), full=False, now=NOW)
    [row] = [dict(zip(reports.REGISTER_COLUMNS, r)) for r in rows]
    assert row["来源"] == "网格排查" and row["首问责任人"] == "clerk员"
