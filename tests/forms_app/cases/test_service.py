"""Cases through the service layer: registration, the flow with its ledger, deadlines, tracking."""
from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import select

from roster import TZ, load_roster

NOW = datetime(2026, 11, 20, 18, 0, tzinfo=TZ)  # Friday evening




def register(roster, **extra):
    from forms_app.cases import service as cases

    data = dict(station="wenhua-lu", category="neighbours", description="楼上漏水，协商不成", location="3 栋",
                occurred="上周", name="张三", phone="13812345678", contact_time="晚上", anonymous=False,
                sensitive_consent=False, now=NOW)
    data.update(extra)
    return cases.register(roster, **data)


def test_registration_sets_the_first_deadline_in_working_days(roster, ctx):
    case = register(roster)
    assert case.state == "registered"
    assert case.due_at == datetime(2026, 11, 23, 23, 59, 59)  # one working day: Monday, not Saturday
    assert len(case.number) == 9 and case.number.startswith("2611-")
    assert [(e.actor, e.action) for e in case.ledger] == [("群众", "registered")]


def test_a_number_already_given_is_not_given_again(roster, ctx, monkeypatch):
    from forms_app.cases import service as cases
    from forms_app.extensions import db

    first = register(roster)
    db.session.commit()
    numbers = iter([first.number, first.number, "2611-WXY3"])
    monkeypatch.setattr(cases, "new_number", lambda _now: next(numbers))
    second = register(roster, phone="13912345678")
    db.session.commit()
    assert second.number == "2611-WXY3"
    assert [(e.actor, e.action) for e in second.ledger] == [("群众", "registered")]

    monkeypatch.setattr(cases, "new_number", lambda _now: first.number)
    with pytest.raises(RuntimeError, match="no free case number"):
        register(roster, phone="13712345678")


def test_a_complaint_registered_at_once_is_stored_and_a_repeat_gives_the_same_case(roster, ctx):
    from datetime import timedelta

    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.models import Case

    data = dict(station="wenhua-lu", category="neighbours", description="楼上漏水，协商不成", location="3 栋",
                occurred="上周", name="张三", phone="13812345678", contact_time="晚上", anonymous=False,
                sensitive_consent=False, repeat_window=timedelta(minutes=10))
    first = cases.register_at_once(roster, now=NOW, **data)
    assert first.new and first.number.startswith("2611-") and first.category == "neighbours"
    assert first.created_at == NOW.replace(tzinfo=None)
    db.session.remove()  # nothing left to commit: it is stored already
    stored = db.session.get(Case, first.id)
    assert (stored.number, stored.state, stored.phone) == (first.number, "registered", "13812345678")
    assert [(e.actor, e.action) for e in stored.ledger] == [("群众", "registered")]
    again = cases.register_at_once(roster, now=NOW + timedelta(minutes=3), **data)
    assert again == cases.Registered(first.id, first.number, "neighbours", first.created_at, first.due_at, new=False)
    assert first.due_at == datetime(2026, 11, 23, 23, 59, 59)  # one working day: Monday, not Saturday
    later = cases.register_at_once(roster, now=NOW + timedelta(minutes=11), **data)
    assert later.new and later.id != first.id
    # inside a transaction the caller has open, it joins that one (and commits it)
    db.session.execute(select(Case.id)).all()
    joined = cases.register_at_once(roster, now=NOW, **{**data, "phone": "13912345678"})
    db.session.remove()
    assert joined.new and db.session.query(Case).count() == 3


def test_the_flow_writes_every_step_to_the_ledger(roster, staff):
    from forms_app.cases import service as cases
    from forms_app.extensions import db

    case = register(roster)
    steps = [("accept", {}), ("dispatch", {"department": "司法所", "on_site": True}),
             ("arrive", {"arrived_at": NOW}), ("handle", {"note": "约双方面谈"}),
             ("resolve", {"outcome": "resolved", "result": "达成调解协议"}),
             ("feedback", {"channel": "电话", "given_at": NOW}), ("follow_up", {"note": "回访满意"}), ("archive", {})]
    for action, payload in steps:
        cases.act(roster, case, action, payload, staff, now=NOW)
    db.session.commit()
    assert case.state == "archived" and case.owner_id == staff.id and case.outcome == "resolved"
    actions = [e.action for e in case.ledger]
    assert actions == ["registered"] + [a for a, _ in steps]
    accept = case.ledger[1]
    # accepted on the same Friday evening: the next deadline is again Monday, so due_at is unchanged
    assert json.loads(accept.before) == {"state": "registered", "owner_id": None}
    assert json.loads(accept.after)["state"] == "accepted" and json.loads(accept.after)["owner_id"] == staff.id
    assert accept.actor == "王工作人员"


def test_illegal_action_changes_nothing(roster, staff):
    from forms_app.cases import service as cases
    from forms_app.cases.flow import IllegalAction

    case = register(roster)
    with pytest.raises(IllegalAction):
        cases.act(roster, case, "archive", {}, staff, now=NOW)
    assert case.state == "registered" and len(case.ledger) == 1


def test_extension_moves_the_deadline_and_needs_a_reason(roster, staff):
    from forms_app.cases import service as cases
    from forms_app.cases.flow import IllegalAction

    case = register(roster)
    with pytest.raises(IllegalAction):
        cases.act(roster, case, "extend", {"days": 2}, staff, now=NOW)
    cases.act(roster, case, "extend", {"days": 2, "reason": "等待物业提供材料"}, staff, now=NOW)
    assert case.due_at == datetime(2026, 11, 25, 23, 59, 59) and case.extension_reason == "等待物业提供材料"


def test_category_deadlines_override_the_default(roster, roster_dir, ctx):
    path = roster_dir / "roster.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("settings:\n", "settings:\n  category_deadlines: {neighbours: {registered: 3}}\n", 1)
                    if "settings:\n" in text else "settings:\n  category_deadlines: {neighbours: {registered: 3}}\n" + text,
                    encoding="utf-8")
    case = register(load_roster(roster_dir))
    assert case.due_at == datetime(2026, 11, 25, 23, 59, 59)


def test_ledger_rows_cannot_be_changed_or_deleted(roster, staff):
    from forms_app.cases.ledger import LedgerIsAppendOnly
    from forms_app.extensions import db
    from forms_app.models import LedgerEntry

    case = register(roster)
    db.session.commit()
    entry = db.session.get(LedgerEntry, case.ledger[0].id)
    entry.note = "改过"
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(LedgerIsAppendOnly):
        db.session.delete(db.session.get(LedgerEntry, case.ledger[0].id))
        db.session.flush()
    db.session.rollback()
    assert db.session.get(LedgerEntry, case.ledger[0].id).note == ""


def test_tracking_needs_the_right_phone_digits(roster, ctx):
    from forms_app.cases import service as cases
    from forms_app.extensions import db

    case = register(roster)
    db.session.commit()
    assert cases.find_for_resident(case.number, "5678") is case
    assert cases.find_for_resident(case.number.lower(), "5678") is case
    assert cases.find_for_resident(case.number, "1234") is None
    assert cases.find_for_resident("2611-XXXX", "5678") is None


def test_purge_removes_personal_data_of_long_closed_cases(roster, staff, app, tmp_path):
    from datetime import timedelta

    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.models import CasePhoto

    case = register(roster)
    cases.act(roster, case, "reject", {"reason": "不属于受理范围"}, staff, now=NOW)
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"x")
    db.session.add(CasePhoto(case_id=case.id, filename="p.jpg", content_type="image/jpeg", size=1))
    db.session.commit()
    removed = []
    assert cases.purge_expired(180, removed.append, now=NOW + timedelta(days=179)) == 0
    assert cases.purge_expired(180, removed.append, now=NOW + timedelta(days=181)) == 1
    assert (case.name, case.phone, case.photos, removed) == ("（已删除）", "", [], ["p.jpg"])
    assert case.ledger[-1].action == "purged" and case.category and not case.description  # the record stays, the person goes
    assert cases.purge_expired(180, removed.append, now=NOW + timedelta(days=200)) == 0


def test_an_action_on_a_state_that_has_gone_is_refused(roster, staff, app):
    """Two clerks open the same case; the first accepts it. The second's accept (read from the
    page as it was) must not act again: no second owner, no second ledger row."""
    from sqlalchemy import update

    from forms_app.cases import service as cases
    from forms_app.cases.flow import IllegalAction
    from forms_app.extensions import db
    from forms_app.models import Case, LedgerEntry

    case = register(roster)
    db.session.commit()
    with db.engine.begin() as other_clerk:  # another request, committed meanwhile
        other_clerk.execute(update(Case).where(Case.id == case.id).values(state="accepted", owner_id=staff.id))
    assert case.state == "registered"  # what this request read
    with pytest.raises(IllegalAction, match="刚刚有人办理过"):
        cases.act(roster, case, "accept", {}, staff, now=NOW)
    db.session.rollback()
    actions = db.session.scalars(select(LedgerEntry.action).where(LedgerEntry.case_id == case.id)).all()
    assert actions == ["registered"]


def test_a_rating_goes_through_the_flow_and_its_ledger(roster, staff):
    from forms_app.cases import service as cases
    from forms_app.extensions import db

    case = register(roster)
    db.session.commit()
    assert not cases.record_satisfaction(roster, case, 5, "", now=NOW)  # not closed yet
    case = register(roster, description="另一件事")
    for action, payload in (("accept", {}), ("resolve", {"outcome": "resolved", "result": "已修好"})):
        cases.act(roster, case, action, payload, staff, now=NOW)
    assert cases.record_satisfaction(roster, case, 4, "谢谢", now=NOW)
    db.session.commit()
    assert not cases.record_satisfaction(roster, case, 1, "", now=NOW)  # once
    db.session.refresh(case)
    assert (case.satisfaction, case.satisfaction_comment) == (4, "谢谢")
    last = case.ledger[-1]
    assert (last.actor, last.action, last.note) == ("群众", "satisfaction", "谢谢")
    assert json.loads(last.before) == {"satisfaction": None} and json.loads(last.after) == {"satisfaction": 4}


def test_a_supervisor_may_note_but_not_work_a_case(roster, staff):
    from forms_app.cases import service as cases
    from forms_app.cases.flow import IllegalAction

    supervisor = cases.Actor(staff.id, "街道督查", "supervisor")
    case = register(roster)
    with pytest.raises(IllegalAction, match="不能"):
        cases.act(roster, case, "accept", {}, supervisor, now=NOW)
    cases.act(roster, case, "note", {"note": "请尽快受理"}, supervisor, now=NOW)
    assert [e.action for e in case.ledger][-1] == "note"


def test_a_rating_stands_while_a_clerk_moves_the_case_on(roster, staff):
    """The resident rates a resolved case while a clerk records the follow-up: a rating does not
    depend on which closed state the case is in, so it is stored, once."""
    from sqlalchemy import update

    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.models import Case

    case = register(roster)
    cases.act(roster, case, "accept", {}, staff, now=NOW)
    cases.act(roster, case, "resolve", {"outcome": "resolved", "result": "已修好"}, staff, now=NOW)
    db.session.commit()
    with db.engine.begin() as clerk:
        clerk.execute(update(Case).where(Case.id == case.id).values(state="followed_up"))
    assert case.state == "resolved"  # what the resident's request read
    assert cases.record_satisfaction(roster, case, 5, "", now=NOW)
    db.session.commit()
    assert (case.state, case.satisfaction) == ("followed_up", 5)
