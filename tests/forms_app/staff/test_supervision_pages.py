"""督办 through the console: the case page's panel, the owner's queue, the supervisor's list and
the street overview, the workbook's sheet, permissions, the purge and the one-unfinished index."""
from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from roster import TZ, load_roster
from tests.forms_app.staff.test_console import PASSWORD, login
from tests.helpers import csrf_token

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)


@pytest.fixture
def desk(app, roster_dir, monkeypatch):
    """Clerks of wenhua-lu (owner, other), the supervisors of 文昌 and 滨江, an administrator, a case
    the owner accepted and an older one nobody touched."""
    import forms_app.clock
    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.models import Staff

    monkeypatch.setattr(forms_app.clock, "now", lambda: NOW)
    roster = load_roster(roster_dir)
    with app.app_context():
        made = {}
        for username, role, stations, street in (("owner", "station", "wenhua-lu", None),
                                                 ("other", "station", "wenhua-lu", None),
                                                 ("boss", "supervisor", "", "wenchang"),
                                                 ("farboss", "supervisor", "", "binjiang"),
                                                 ("admin", "admin", "", None)):
            made[username] = Staff(username=username, display_name=f"{username}员", role=role, stations=stations,
                                   street_id=street, password_hash=generate_password_hash(PASSWORD),
                                   created_at=NOW.replace(tzinfo=None))
            db.session.add(made[username])
        db.session.flush()
        older = cases.register(roster, station="wenhua-lu", category="neighbours", description="路灯坏了", location="",
                               occurred="", name="李四", phone="13812340000", contact_time="", anonymous=False,
                               sensitive_consent=False, now=NOW - timedelta(days=20))
        cases.act(roster, older, "accept", {}, made["owner"], NOW - timedelta(days=20))
        case = cases.register(roster, station="wenhua-lu", category="neighbours", description="楼上漏水", location="",
                              occurred="", name="张三丰", phone="13812345678", contact_time="", anonymous=False,
                              sensitive_consent=False, now=NOW)
        cases.act(roster, case, "accept", {}, made["owner"], NOW)
        db.session.commit()
        return {"number": case.number, "older": older.number, **{n: s.id for n, s in made.items()}}


def step(client, number, name, **fields):
    page = client.get(f"/staff/cases/{number}").get_data(as_text=True)
    token = csrf_token(page, f"{name}-") if f'name="{name}-csrf_token"' in page else csrf_token(page)
    return client.post(f"/staff/cases/{number}/supervision",
                       data={"step": name, f"{name}-csrf_token": token, **{f"{name}-{k}": v for k, v in fields.items()}})


def supervision_rows(app):
    from forms_app.cases.supervision_store import Supervision
    from forms_app.extensions import db

    with app.app_context():
        return [(s.state, s.instruction, s.reply, s.rounds) for s in db.session.scalars(select(Supervision))]


def ledger_actions(app, number):
    from forms_app.extensions import db
    from forms_app.models import Case

    with app.app_context():
        return [e.action for e in db.session.scalar(select(Case).where(Case.number == number)).ledger]


def messages(app):
    from forms_app.extensions import db
    from forms_app.models import Notification

    with app.app_context():
        return [(n.event, n.recipient_name) for n in db.session.scalars(select(Notification).where(
            Notification.event.like("case.supervis%")).order_by(Notification.id))]


def test_the_whole_life_through_the_pages(app, desk):
    number = desk["number"]
    boss, owner = login(app.test_client(), "boss"), login(app.test_client(), "owner")
    assert "督办要求" in boss.get(f"/staff/cases/{number}").get_data(as_text=True)
    answer = step(boss, number, "issue", instruction="请三天内上门查看并书面回复", deadline="2026-11-26")
    assert answer.status_code == 303, answer.get_data(as_text=True)
    assert messages(app) == [("case.supervised", "owner员")]
    # the owner's queue: the supervised case at the top, with its badge, before the older overdue one
    queue = owner.get("/staff/?owner=me").get_data(as_text=True)
    assert queue.index(number) < queue.index(desk["older"]) and "督办</a>" in queue
    page = owner.get(f"/staff/cases/{number}").get_data(as_text=True)
    assert "请三天内上门查看并书面回复" in page and "书面回复期限 2026-11-26" in page and "提交书面回复" in page
    assert step(owner, number, "answer", reply="已上门，漏水点已找到").status_code == 303
    assert messages(app)[-1] == ("case.supervision_answered", "boss员")
    assert step(boss, number, "send_back", reason="请写明维修时间", deadline="2026-11-27").status_code == 303
    assert messages(app)[-1] == ("case.supervision_sent_back", "owner员")
    assert "已退回，待重新回复" in owner.get(f"/staff/cases/{number}").get_data(as_text=True)
    assert step(owner, number, "answer", reply="周三已修好").status_code == 303
    assert step(boss, number, "close", note="同意办结").status_code == 303
    assert supervision_rows(app) == [("closed", "请三天内上门查看并书面回复", "周三已修好", 1)]
    assert ledger_actions(app, number)[-5:] == ["supervise", "supervision_answer", "supervision_send_back",
                                                "supervision_answer", "supervision_close"]
    page = boss.get(f"/staff/cases/{number}").get_data(as_text=True)
    assert "以往的督办" in page and "督办办结" in page and "同意办结" in page
    # finished: the queue no longer lifts it, and a new 督办 may be issued
    queue = owner.get("/staff/?owner=me").get_data(as_text=True)
    assert queue.index(desk["older"]) < queue.index(number)
    assert step(boss, number, "issue", instruction="再查一次", deadline="2026-11-30").status_code == 303


def test_permissions_a_clerk_cannot_issue_another_street_gets_404_only_the_owner_answers(app, desk):
    number = desk["number"]
    other, owner = login(app.test_client(), "other"), login(app.test_client(), "owner")
    assert step(owner, number, "issue", instruction="我自己督办", deadline="2026-11-26").status_code == 403
    far = login(app.test_client(), "farboss")
    assert far.get(f"/staff/cases/{number}").status_code == 404
    token = csrf_token(far.get("/staff/").get_data(as_text=True))
    assert far.post(f"/staff/cases/{number}/supervision", data={
        "step": "issue", "issue-csrf_token": token, "issue-instruction": "x", "issue-deadline": "2026-11-26"}).status_code == 404
    assert supervision_rows(app) == []
    boss = login(app.test_client(), "boss")
    assert step(boss, number, "issue", instruction="请回复", deadline="2026-11-26").status_code == 303
    refused = step(other, number, "answer", reply="我替他回")
    assert refused.status_code == 422 and "首问责任人" in refused.get_data(as_text=True)
    assert step(boss, number, "answer", reply="自问自答").status_code == 403
    assert supervision_rows(app) == [("issued", "请回复", None, 0)]
    admin = login(app.test_client(), "admin")
    assert step(admin, number, "answer", reply="管理员代为回复").status_code == 303


def test_bad_input_is_reshown_with_what_was_typed(app, desk):
    boss = login(app.test_client(), "boss")
    answer = step(boss, desk["number"], "issue", instruction="请尽快处理", deadline="2026-11-01")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "回复期限不能早于今天" in page and "请尽快处理" in page
    answer = step(boss, desk["number"], "issue", instruction="请尽快处理", deadline="下周")
    assert answer.status_code == 422 and "年-月-日" in answer.get_data(as_text=True)
    assert step(boss, desk["number"], "issue", instruction="", deadline="2026-11-26").status_code == 422
    assert supervision_rows(app) == []
    assert step(boss, desk["number"], "issue", instruction="第一件", deadline="2026-11-26").status_code == 303
    second = step(boss, desk["number"], "issue", instruction="第二件", deadline="2026-11-26")
    assert second.status_code == 422 and len(supervision_rows(app)) == 1


def test_the_list_and_the_overview_mark_what_is_overdue(app, desk, monkeypatch):
    import forms_app.clock

    boss = login(app.test_client(), "boss")
    assert step(boss, desk["number"], "issue", instruction="请回复漏水处理", deadline="2026-11-24").status_code == 303
    listed = boss.get("/staff/supervision").get_data(as_text=True)
    assert desk["number"] in listed and "文昌街道：1 件未办结</h2>" in listed
    street = boss.get("/staff/street").get_data(as_text=True)
    assert "文化路" in street or "wenhua" in street
    assert "化解率目标 90%" in street
    monkeypatch.setattr(forms_app.clock, "now", lambda: NOW + timedelta(days=3))
    listed = boss.get("/staff/supervision").get_data(as_text=True)
    assert "1 件超期未回复</strong>" in listed
    owner = login(app.test_client(), "owner")
    assert "督办·超期" in owner.get("/staff/").get_data(as_text=True)
    # reach: a clerk has neither page, another street is not the supervisor's, an administrator filters
    assert owner.get("/staff/supervision").status_code == 404 and owner.get("/staff/street").status_code == 404
    assert boss.get("/staff/supervision?street=binjiang").status_code == 404
    far = login(app.test_client(), "farboss")
    assert desk["number"] not in far.get("/staff/supervision").get_data(as_text=True)
    admin = login(app.test_client(), "admin")
    assert desk["number"] in admin.get("/staff/supervision?street=wenchang").get_data(as_text=True)
    assert desk["number"] not in admin.get("/staff/supervision?street=binjiang").get_data(as_text=True)
    assert admin.get("/staff/supervision?street=nowhere").status_code == 404
    assert admin.get("/staff/street?street=binjiang").status_code == 200
    bad = boss.get("/staff/street?month=2026-13")
    assert bad.status_code == 422 and "2026-13" in bad.get_data(as_text=True)


def test_the_overview_counts_open_overdue_and_due_soon_per_station(app, desk, roster_dir):
    from forms_app.staff import street

    with app.app_context():
        found = street.overview(load_roster(roster_dir), "wenchang", "2026-11", NOW)
        line = next(line for line in found.lines if line.station == "wenhua-lu")
        assert (line.open, line.overdue) == (2, 1)
        assert found.total.open == sum(l.open for l in found.lines)
        assert line.kpi.cases == 2  # reports.station_kpis' figure, both registered in November


def test_the_workbook_has_the_months_supervision_sheet_and_the_dashboard_counts_them(app, desk):
    from openpyxl import load_workbook

    boss = login(app.test_client(), "boss")
    assert step(boss, desk["number"], "issue", instruction="请书面回复处理情况", deadline="2026-11-26").status_code == 303
    assert "本月督办 1 件" in boss.get("/staff/dashboard?month=2026-11").get_data(as_text=True)
    download = boss.get("/staff/reports/2026-11.xlsx")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.data))["督办"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 1 and rows[0][1] == desk["number"] and rows[0][4] == "请书面回复处理情况"
    assert rows[0][6] == "待回复" and rows[0][13] == "待回复"
    assert list(load_workbook(io.BytesIO(boss.get("/staff/reports/2026-10.xlsx").data))["督办"]
                .iter_rows(min_row=3, values_only=True)) == []


def test_the_purge_takes_the_supervision_texts_with_the_ledger_notes(app, desk):
    from forms_app.cases import service as cases
    from forms_app.cases.supervision_store import Supervision
    from forms_app.extensions import db

    boss, owner = login(app.test_client(), "boss"), login(app.test_client(), "owner")
    assert step(boss, desk["older"], "issue", instruction="联系李四13812340000", deadline="2026-11-26").status_code == 303
    assert step(owner, desk["older"], "answer", reply="已联系李四").status_code == 303
    with app.app_context():
        assert cases.purge_expired(10, lambda _name: None, now=NOW + timedelta(days=400)) == 2
        db.session.commit()
        found = db.session.scalar(select(Supervision))
        assert (found.instruction, found.reply) == ("（已删除）", None) and found.issued_by == "boss员"
        from tests.forms_app.test_purge import _hits
        assert _hits(db, ["李四", "13812340000"]) == []


def test_the_database_keeps_one_unfinished_supervision_per_case(app, desk):
    from sqlalchemy.exc import IntegrityError

    from forms_app.cases.supervision_store import Supervision
    from forms_app.extensions import db
    from forms_app.models import Case

    with app.app_context():
        case_id = db.session.scalar(select(Case.id).where(Case.number == desk["number"]))
        row = {"case_id": case_id, "station_id": "wenhua-lu", "instruction": "x", "deadline": NOW.date(),
               "issued_at": NOW.replace(tzinfo=None), "issued_by": "boss员"}
        db.session.add(Supervision(state="closed", closed_at=NOW.replace(tzinfo=None), **row))
        db.session.add(Supervision(state="issued", **row))
        db.session.commit()  # a finished one beside an unfinished one
        db.session.add(Supervision(state="issued", **row))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
