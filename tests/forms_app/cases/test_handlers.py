"""The owner hands a case to a 承办人 and takes it back (首问首办); roster officers named on a case."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from roster import TZ

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)


def person(username, display_name, role="station", stations="wenhua-lu", active=True):
    from forms_app.extensions import db
    from forms_app.models import Staff

    found = Staff(username=username, display_name=display_name, password_hash="x", role=role, stations=stations,
                  active=active, created_at=NOW.replace(tzinfo=None))
    db.session.add(found)
    db.session.commit()
    return found


def accepted(roster, owner):
    from forms_app.cases import service as cases
    from forms_app.extensions import db

    case = cases.register(roster, station="wenhua-lu", category="neighbours", description="楼上漏水", location="3 栋",
                          occurred="", name="张三", phone="13812345678", contact_time="", anonymous=False,
                          sensitive_consent=False, now=NOW)
    cases.act(roster, case, "accept", {}, owner, NOW)
    db.session.commit()
    return case


def words_of(case):
    from forms_app.cases import flow
    from forms_app.cases.ledger import step

    return [(e.action, e.actor, flow.ledger_words(e.action, step(e, case.department))) for e in case.ledger]


def test_the_owner_hands_over_and_takes_back_and_the_ledger_names_the_handler(roster, staff):
    from forms_app.cases import service as cases
    from forms_app.extensions import db

    handler = person("li", "李承办")
    case = accepted(roster, staff)
    cases.act(roster, case, "hand_over", {"handler": str(handler.id)}, staff, NOW + timedelta(minutes=1))
    db.session.commit()
    assert (case.owner_id, case.handler_id) == (staff.id, handler.id)  # the owner stays answerable
    # the handler works the case like the owner
    cases.act(roster, case, "handle", {"note": "已电话联系双方"}, handler, NOW + timedelta(minutes=2))
    cases.act(roster, case, "take_back", {}, staff, NOW + timedelta(minutes=3))
    db.session.commit()
    assert (case.owner_id, case.handler_id) == (staff.id, None)
    assert words_of(case)[-3:] == [
        ("hand_over", "王工作人员", "交给承办人 李承办，首问责任人不变"),
        ("handle", "李承办", "已电话联系双方"),
        ("take_back", "王工作人员", "从承办人 李承办 收回")]


def test_only_the_owner_hands_over_or_takes_back(roster, staff):
    from forms_app.cases import flow, handlers
    from forms_app.cases import service as cases
    from forms_app.extensions import db

    handler, other = person("li", "李承办"), person("zhao", "赵工作人员")
    case = accepted(roster, staff)
    with pytest.raises(flow.IllegalAction) as refused:
        cases.act(roster, case, "hand_over", {"handler": str(handler.id)}, other, NOW)
    assert refused.value.message == handlers.NOT_OWNER
    db.session.rollback()
    cases.act(roster, case, "hand_over", {"handler": str(handler.id)}, staff, NOW)
    db.session.commit()
    for who in (handler, other):
        with pytest.raises(flow.IllegalAction, match="只有这件案件的首问责任人"):
            cases.act(roster, case, "take_back", {}, who, NOW)
        db.session.rollback()
    assert case.handler_id == handler.id


@pytest.mark.parametrize("choose", ["other-station", "inactive", "supervisor", "owner", "nobody", "words"])
def test_the_handler_is_an_active_account_of_the_cases_station(roster, staff, choose):
    from forms_app.cases import flow
    from forms_app.cases import service as cases

    case = accepted(roster, staff)
    chosen = {"other-station": lambda: person("x", "江湾工作人员", stations="jiangwan").id,
              "inactive": lambda: person("x", "离职的人", active=False).id,
              "supervisor": lambda: person("x", "督查", role="supervisor", stations="").id,
              "owner": lambda: staff.id, "nobody": lambda: 99999, "words": lambda: "<script>"}[choose]()
    with pytest.raises(flow.IllegalAction) as refused:
        cases.act(roster, case, "hand_over", {"handler": str(chosen)}, staff, NOW)
    assert (refused.value.message, refused.value.field) == ("请从本站点在用的工作人员里选择承办人", "handler")


def test_a_case_not_yet_accepted_has_no_owner_to_hand_it_over(roster, staff):
    from forms_app.cases import flow
    from forms_app.cases import service as cases

    case = cases.register(roster, station="wenhua-lu", category="neighbours", description="楼上漏水", location="",
                          occurred="", name="张三", phone="13812345678", contact_time="", anonymous=False,
                          sensitive_consent=False, now=NOW)
    with pytest.raises(flow.IllegalAction, match="“登记”状态，不能交承办人"):
        cases.act(roster, case, "hand_over", {"handler": "1"}, staff, NOW)


def test_officers_are_named_from_the_cases_station_only(roster, staff):
    from forms_app.cases import flow, officers
    from forms_app.cases import service as cases
    from forms_app.extensions import db

    case = accepted(roster, staff)
    cases.act(roster, case, "name_officer", {"officer": "chen-hao"}, staff, NOW)
    db.session.commit()
    assert case.officer_ids == ["chen-hao"]
    assert case.officers[0].station_id == "wenhua-lu" and case.officers[0].named_by == "王工作人员"
    for officer, why in (("jiang-yun", "请从本站点名单上的人员里选择"),  # 江芸 serves jiangwan, not here
                         ("nobody", "请从本站点名单上的人员里选择"), ("chen-hao", "已经记录过这位人员")):
        with pytest.raises(flow.IllegalAction, match=why):
            cases.act(roster, case, "name_officer", {"officer": officer}, staff, NOW)
        db.session.rollback()
    cases.act(roster, case, "name_officer", {"officer": "song-jiayi"}, staff, NOW)
    cases.act(roster, case, "unname_officer", {"officer": "chen-hao"}, staff, NOW)
    db.session.commit()
    assert case.officer_ids == ["song-jiayi"]
    with pytest.raises(flow.IllegalAction, match="没有记录在这件案件上"):
        cases.act(roster, case, "unname_officer", {"officer": "chen-hao"}, staff, NOW)
    db.session.rollback()
    assert [w for a, _, w in words_of(case) if a in officers.ACTIONS] == ["陈浩（警官）", "宋佳怡（律师）", "陈浩（警官）"]
    assert officers.public(roster, case) == [{"id": "song-jiayi", "name": "宋佳怡", "role": "lawyer", "role_name": "律师"}]


def test_the_handler_hears_of_the_hand_over_through_their_contact(roster, staff):
    from sqlalchemy import select

    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.models import Notification

    handler = person("li", "李承办")
    handler.contact = "li@example.gov.cn"
    db.session.commit()
    case = accepted(roster, staff)
    cases.act(roster, case, "hand_over", {"handler": str(handler.id)}, staff, NOW)
    db.session.commit()
    (note,) = db.session.scalars(select(Notification).where(Notification.event == "case.handed_over")).all()
    assert (note.recipient_kind, note.recipient_name, note.channel, note.target) == (
        "staff", "李承办", "email", "li@example.gov.cn")
    assert note.text.startswith(f"【承办】{case.number}交您承办：")
    assert note.text.endswith(f"/staff/cases/{case.number}") and "张三" not in note.text
