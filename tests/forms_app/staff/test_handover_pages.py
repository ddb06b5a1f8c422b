"""The case page's hand-over to a 承办人 and back, the officers named on it, the queue's "mine",
and a meeting's officer carried onto the case it becomes."""
from __future__ import annotations

from datetime import datetime

import pytest
from werkzeug.security import generate_password_hash

from roster import TZ, load_roster
from tests.forms_app.staff.test_console import PASSWORD, act, login
from tests.helpers import csrf_token

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)


@pytest.fixture
def desk(app, roster_dir, monkeypatch):
    """Three clerks of wenhua-lu (owner, handler, another) and a case the owner accepted."""
    import forms_app.clock
    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.models import Staff

    monkeypatch.setattr(forms_app.clock, "now", lambda: NOW)
    roster = load_roster(roster_dir)
    with app.app_context():
        made = {}
        for username in ("owner", "handler", "other"):
            made[username] = Staff(username=username, display_name=f"{username}员", role="station", stations="wenhua-lu",
                                   password_hash=generate_password_hash(PASSWORD), created_at=NOW.replace(tzinfo=None))
            db.session.add(made[username])
        db.session.flush()
        case = cases.register(roster, station="wenhua-lu", category="neighbours", description="楼上漏水", location="",
                              occurred="", name="张三丰", phone="13812345678", contact_time="", anonymous=False,
                              sensitive_consent=False, now=NOW)
        cases.act(roster, case, "accept", {}, made["owner"], NOW)
        db.session.commit()
        return {"number": case.number, **{name: staff.id for name, staff in made.items()}}


def test_the_owner_hands_over_on_the_page_and_the_handlers_queue_has_it(app, desk):
    owner = login(app.test_client(), "owner")
    page = owner.get(f"/staff/cases/{desk['number']}").get_data(as_text=True)
    assert "交承办人" in page and "handler员" in page and "other员" in page
    assert act(owner, desk["number"], "hand_over", handler=str(desk["handler"])).status_code == 303
    page = owner.get(f"/staff/cases/{desk['number']}").get_data(as_text=True)
    assert "首问责任人</dt><dd>owner员；承办人 handler员" in page and "交给承办人 handler员，首问责任人不变" in page
    handler = login(app.test_client(), "handler")
    mine = handler.get("/staff/?owner=me").get_data(as_text=True)
    assert desk["number"] in mine
    other = login(app.test_client(), "other")
    assert desk["number"] not in other.get("/staff/?owner=me").get_data(as_text=True)
    # the handler works the case; the hand-over stays the owner's
    handler_page = handler.get(f"/staff/cases/{desk['number']}").get_data(as_text=True)
    assert "处置记录" in handler_page and 'value="take_back"' not in handler_page
    assert act(handler, desk["number"], "handle", note="已上门查看").status_code == 303
    assert act(owner, desk["number"], "take_back").status_code == 303
    assert desk["number"] not in handler.get("/staff/?owner=me").get_data(as_text=True)


def test_a_clerk_who_is_not_the_owner_is_told_so_and_nothing_changes(app, desk):
    from forms_app.extensions import db
    from forms_app.models import Case

    other = login(app.test_client(), "other")
    page = other.get(f"/staff/cases/{desk['number']}").get_data(as_text=True)
    assert 'value="hand_over"' not in page  # not offered …
    response = other.post(f"/staff/cases/{desk['number']}/act", data={  # … and refused if sent anyway
        "action": "hand_over", "hand_over-csrf_token": csrf_token(page), "hand_over-handler": str(desk["other"])})
    assert response.status_code == 422 and "只有这件案件的首问责任人才能交承办人或收回" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Case).filter_by(number=desk["number"]).one().handler_id is None


def test_a_handler_from_another_station_is_refused_with_the_choice_kept(app, desk):
    from forms_app.extensions import db
    from forms_app.models import Staff

    with app.app_context():
        db.session.add(Staff(username="far", display_name="江湾员", role="station", stations="jiangwan",
                             password_hash="x", created_at=NOW.replace(tzinfo=None)))
        db.session.commit()
        far = db.session.query(Staff).filter_by(username="far").one().id
    owner = login(app.test_client(), "owner")
    assert "江湾员" not in owner.get(f"/staff/cases/{desk['number']}").get_data(as_text=True)
    response = act(owner, desk["number"], "hand_over", handler=str(far))
    assert response.status_code == 422 and "请从本站点在用的工作人员里选择承办人" in response.get_data(as_text=True)


def test_officers_are_named_and_removed_on_the_page(app, desk):
    owner = login(app.test_client(), "owner")
    page = owner.get(f"/staff/cases/{desk['number']}").get_data(as_text=True)
    assert "陈浩（警官）" in page and "江芸" not in page  # only the station's people are offered
    assert act(owner, desk["number"], "name_officer", officer="chen-hao").status_code == 303
    page = owner.get(f"/staff/cases/{desk['number']}").get_data(as_text=True)
    assert "办理人员</dt><dd>陈浩（警官）</dd>" in page
    response = act(owner, desk["number"], "name_officer", officer="jiang-yun")
    assert response.status_code == 422 and "请从本站点名单上的人员里选择" in response.get_data(as_text=True)
    assert act(owner, desk["number"], "unname_officer", officer="chen-hao").status_code == 303
    assert "办理人员</dt><dd>未记录" in owner.get(f"/staff/cases/{desk['number']}").get_data(as_text=True)


def test_a_meeting_that_becomes_a_case_carries_its_officer(app, desk):
    from forms_app.extensions import db
    from forms_app.models import Appointment, Case

    with app.app_context():
        booking = Appointment(number="AAAA-EEEE", manage_token="e" * 24, station_id="wenhua-lu", officer_id="song-jiayi",
                              starts_at=datetime(2026, 11, 23, 10, 0), ends_at=datetime(2026, 11, 23, 10, 30),
                              name="孙八", phone="13312345678", topic="legal-advice", description="咨询租房押金",
                              status="attended", consent_at=NOW.replace(tzinfo=None), created_at=NOW.replace(tzinfo=None))
        db.session.add(booking)
        db.session.commit()
        booking_id = booking.id
    owner = login(app.test_client(), "owner")
    token = csrf_token(owner.get("/staff/").get_data(as_text=True))
    response = owner.post(f"/staff/appointments/{booking_id}/case", data={"csrf_token": token})
    assert response.status_code == 303
    with app.app_context():
        case = db.session.query(Case).filter_by(description="咨询租房押金").one()
        assert case.officer_ids == ["song-jiayi"]
        assert [(e.action, e.actor, e.note) for e in case.ledger][-1] == (
            "from_appointment", "owner员", "预约 AAAA-EEEE，办理人员 宋佳怡（律师）")
    page = owner.get(response.headers["Location"]).get_data(as_text=True)
    assert "办理人员</dt><dd>宋佳怡（律师）</dd>" in page and "由预约转来" in page
