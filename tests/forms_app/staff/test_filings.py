"""The filed monthly register (报送): a station writes the month's narrative, files it, withdraws it;
read-only once filed; the street's list of who has filed by the 30th; the workbook, the CSV and
the report command carry the narrative and the filing; who may see and do what; the migration."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from roster import TZ
from tests.forms_app.staff.test_console import PASSWORD, login
from tests.helpers import csrf_token

MONTH = "2026-11"
PAGE = f"/staff/register-filings/wenhua-lu/{MONTH}"
TEXTS = {"work": "本月接待群众 12 人次，\n值班正常。", "problems": "夜间值班人手不足", "suggestions": "增派一名网格员"}


@pytest.fixture
def clock_at(monkeypatch):
    """Moves the service's clock: ``clock_at(datetime)``."""
    import forms_app.clock

    def move(moment: datetime) -> None:
        monkeypatch.setattr(forms_app.clock, "now", lambda: moment.replace(tzinfo=TZ))
    move(datetime(2026, 11, 20, 10, 0))
    return move


@pytest.fixture
def people(app, clock_at):
    """Two clerks of wenhua-lu, a clerk of jiangwan, the supervisors of wenchang and binjiang, an administrator."""
    from forms_app.extensions import db
    from forms_app.models import Staff

    with app.app_context():
        for username, role, stations, street in (("clerk", "station", "wenhua-lu", None),
                                                 ("second", "station", "wenhua-lu", None),
                                                 ("jiangwan", "station", "jiangwan", None),
                                                 ("wenchang", "supervisor", "", "wenchang"),
                                                 ("binjiang", "supervisor", "", "binjiang"),
                                                 ("admin", "admin", "", None)):
            db.session.add(Staff(username=username, display_name=f"{username}员", role=role, stations=stations,
                                 street_id=street, password_hash=generate_password_hash(PASSWORD),
                                 created_at=datetime(2026, 9, 1)))
        db.session.commit()
    return app


def post(client, path, intent="save", **texts):
    page = client.get(PAGE if path is None else path).get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="([0-9]+)"|value="([0-9]+)"[^>]*name="version"', page)
    data = {"csrf_token": csrf_token(page), "version": next(v for v in version.groups() if v), "intent": intent,
            **texts}
    return client.post(PAGE if path is None else path, data=data)


def filing(app, station="wenhua-lu", month=MONTH):
    from forms_app.extensions import db
    from forms_app.staff import filings

    with app.app_context():
        row = filings.find(station, month)
        db.session.remove()
        return row


def audit_actions(app):
    from forms_app.extensions import db
    from forms_app.models import AuditEntry

    with app.app_context():
        found = [(e.action, e.actor, e.target) for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
                 if e.action.startswith("register_")]
        db.session.remove()
        return found


def test_save_edit_and_file(people):
    clerk = login(people.test_client(), "clerk")
    page = clerk.get(PAGE).get_data(as_text=True)
    assert "报送期限：2026-11-30" in page and "未报送" in page and "<textarea" in page
    assert post(clerk, None, work="值班正常").status_code == 303
    assert filing(people).work == "值班正常" and filing(people).filed_at is None and filing(people).version == 1
    assert post(clerk, None, **TEXTS).status_code == 303  # an edit of the saved text
    row = filing(people)
    assert (row.work, row.problems, row.suggestions, row.version) == (TEXTS["work"], TEXTS["problems"], TEXTS["suggestions"], 2)
    assert post(clerk, None, intent="file", **TEXTS).status_code == 303
    row = filing(people)
    assert row.filed_at == datetime(2026, 11, 20, 10, 0) and row.filed_by == "clerk员"
    page = clerk.get(PAGE).get_data(as_text=True)
    assert "已报送" in page and "clerk员 于 2026-11-20 10:00 报送" in page and "夜间值班人手不足" in page
    assert "<textarea" not in page and "撤回报送" in page  # read-only, and may still be withdrawn
    assert audit_actions(people) == [("register_saved", "clerk员", "wenhua-lu 2026-11")] * 3 + [
        ("register_filed", "clerk员", "wenhua-lu 2026-11")]


def test_read_only_after_filing_until_withdrawn(people):
    clerk = login(people.test_client(), "clerk")
    assert post(clerk, None, intent="file", **TEXTS).status_code == 303
    page = clerk.get(PAGE).get_data(as_text=True)
    # a save sent anyway (an old tab) is refused, and what was typed is shown, not lost
    refused = clerk.post(PAGE, data={"csrf_token": csrf_token(page), "version": "1", "intent": "save",
                                     "work": "改过的内容", "problems": "无", "suggestions": "无"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "报送后不能修改" in text and "改过的内容" in text
    assert filing(people).work == TEXTS["work"] and filing(people).version == 1
    withdrawn = clerk.post(f"{PAGE}/withdraw", data={"csrf_token": csrf_token(page)})
    assert withdrawn.status_code == 303
    assert filing(people).filed_at is None and filing(people).filed_by is None
    assert "<textarea" in clerk.get(PAGE).get_data(as_text=True)
    assert post(clerk, None, work="改过的内容", problems="无", suggestions="无").status_code == 303
    assert filing(people).work == "改过的内容"
    assert [a for a, _, _ in audit_actions(people)] == ["register_saved", "register_filed", "register_withdrawn",
                                                        "register_saved"]


def test_filing_needs_every_part_and_bad_input_is_shown_again(people):
    clerk = login(people.test_client(), "clerk")
    missing = post(clerk, None, intent="file", work="值班正常", problems="", suggestions="")
    text = missing.get_data(as_text=True)
    assert missing.status_code == 409 and "报送前请填写存在问题、工作建议（没有可写“无”）" in text and "值班正常" in text
    assert filing(people) is None
    too_long = post(clerk, None, work="长" * 5001, problems="a\x00b", suggestions="无")
    text = too_long.get_data(as_text=True)
    assert too_long.status_code == 422 and "最多 5000 个字" in text and "含有无法识别的字符" in text and "长" * 5001 in text
    assert filing(people) is None and audit_actions(people) == []
    stale = clerk.post(PAGE, data={"csrf_token": csrf_token(clerk.get(PAGE).get_data(as_text=True)), "version": "x1",
                                   "work": "值班正常"})
    assert stale.status_code == 422 and "页面已过期" in stale.get_data(as_text=True)


def test_a_save_over_someone_elses_is_refused(people):
    first, second = login(people.test_client(), "clerk"), login(people.test_client(), "second")
    opened = second.get(PAGE).get_data(as_text=True)
    assert post(first, None, work="第一位写的").status_code == 303
    late = second.post(PAGE, data={"csrf_token": csrf_token(opened), "version": "0", "intent": "save", "work": "第二位写的"})
    assert late.status_code == 409 and "别人刚刚也保存了" in late.get_data(as_text=True) and "第二位写的" in late.get_data(as_text=True)
    assert filing(people).work == "第一位写的"


def test_a_month_not_begun_cannot_be_filed(people):
    clerk = login(people.test_client(), "clerk")
    path = "/staff/register-filings/wenhua-lu/2026-12"
    assert "这个月还没开始" in clerk.get(path).get_data(as_text=True)
    refused = post(clerk, path, intent="file", **TEXTS)
    assert refused.status_code == 409 and "这个月还没开始，不能报送" in refused.get_data(as_text=True)
    assert filing(people, month="2026-12") is None


def test_withdrawal_ends_at_the_deadline_for_the_station_and_a_late_filing_says_so(people, clock_at):
    clerk, admin = login(people.test_client(), "clerk"), login(people.test_client(), "admin")
    assert post(clerk, None, intent="file", **TEXTS).status_code == 303
    clock_at(datetime(2026, 12, 1, 8, 0))
    page = clerk.get(PAGE).get_data(as_text=True)
    assert "已报送" in page and "撤回报送" not in page
    refused = clerk.post(f"{PAGE}/withdraw", data={"csrf_token": csrf_token(page)})
    assert refused.status_code == 409 and "已过报送期限（2026-11-30），不能撤回" in refused.get_data(as_text=True)
    assert filing(people).filed_at is not None
    page = admin.get(PAGE).get_data(as_text=True)
    assert admin.post(f"{PAGE}/withdraw", data={"csrf_token": csrf_token(page)}).status_code == 303
    assert "逾期未报送" in clerk.get(PAGE).get_data(as_text=True)
    clock_at(datetime(2026, 12, 2, 9, 30))
    assert post(clerk, None, intent="file", **TEXTS).status_code == 303
    assert "逾期报送" in clerk.get(PAGE).get_data(as_text=True)
    assert filing(people).filed_at == datetime(2026, 12, 2, 9, 30)


def test_the_street_sees_who_has_filed_by_the_30th(people, clock_at):
    clerk, street = login(people.test_client(), "clerk"), login(people.test_client(), "wenchang")
    assert post(clerk, None, intent="file", **TEXTS).status_code == 303
    listed = street.get(f"/staff/register-filings?month={MONTH}").get_data(as_text=True)
    assert "文化路社区" in listed and "书院社区" in listed and "江湾社区" not in listed
    assert "已报送 1 个，逾期报送 0 个，未报送 1 个，逾期未报送 0 个" in listed and "clerk员" in listed
    clock_at(datetime(2026, 12, 1, 0, 0))
    listed = street.get(f"/staff/register-filings?month={MONTH}&street=wenchang").get_data(as_text=True)
    assert "已报送 1 个，逾期报送 0 个，未报送 0 个，逾期未报送 1 个" in listed
    admin = login(people.test_client(), "admin")
    everywhere = admin.get(f"/staff/register-filings?month={MONTH}").get_data(as_text=True)
    assert "逾期未报送 2 个" in everywhere and "江湾社区" in everywhere
    binjiang = admin.get(f"/staff/register-filings?month={MONTH}&street=binjiang").get_data(as_text=True)
    assert "江湾社区" in binjiang and "文化路社区" not in binjiang
    own = clerk.get(f"/staff/register-filings?month={MONTH}").get_data(as_text=True)
    assert "文化路社区" in own and "书院社区" not in own


@pytest.mark.parametrize("user, path, status", [
    ("jiangwan", PAGE, 404), ("binjiang", PAGE, 404), ("wenchang", PAGE, 200), ("admin", PAGE, 200),
    ("clerk", "/staff/register-filings/jiangwan/2026-11", 404), ("clerk", "/staff/register-filings/nowhere/2026-11", 404),
    ("clerk", "/staff/register-filings/wenhua-lu/2026-13", 404), ("clerk", "/staff/register-filings/wenhua-lu/0000-01", 404),
    ("wenchang", "/staff/register-filings?street=binjiang", 404), ("clerk", "/staff/register-filings?street=binjiang", 404),
    ("admin", "/staff/register-filings?street=nowhere", 404), ("binjiang", "/staff/register-filings?street=binjiang", 200)])
def test_who_may_see_a_stations_month(people, user, path, status):
    assert login(people.test_client(), user).get(path).status_code == status


def test_a_supervisor_reads_and_cannot_write(people):
    clerk, street = login(people.test_client(), "clerk"), login(people.test_client(), "wenchang")
    assert post(clerk, None, **TEXTS).status_code == 303
    page = street.get(PAGE).get_data(as_text=True)
    assert "夜间值班人手不足" in page and "<textarea" not in page and "撤回报送" not in page
    queue = street.get("/staff/").get_data(as_text=True)
    assert street.post(PAGE, data={"csrf_token": csrf_token(queue), "version": "1", "work": "督查改的"}).status_code == 403
    assert street.post(f"{PAGE}/withdraw", data={"csrf_token": csrf_token(queue)}).status_code == 403
    assert filing(people).work == TEXTS["work"] and filing(people).version == 1


def test_a_wrong_month_in_the_list_is_said_in_words(people):
    clerk = login(people.test_client(), "clerk")
    response = clerk.get("/staff/register-filings", query_string={"month": "2026-13"})
    assert response.status_code == 422 and "月份要写成“年-月”" in response.get_data(as_text=True)
    assert 'value="2026-13"' in response.get_data(as_text=True)


def test_the_workbook_and_the_csv_carry_the_narrative_and_the_filing(people):
    from openpyxl import load_workbook

    clerk = login(people.test_client(), "clerk")
    assert post(clerk, None, intent="file", **TEXTS).status_code == 303
    book = load_workbook(io.BytesIO(clerk.get(f"/staff/reports/{MONTH}.xlsx?station=wenhua-lu").data))
    assert book.sheetnames[-1] == "运行情况与报送"
    assert book["事件处置登记表"]["A1"].value == f"{MONTH} 事件处置登记表（文化路社区：已报送，clerk员，2026-11-20 10:00）"
    sheet = book["运行情况与报送"]
    assert [c.value for c in sheet[2]] == ["站点", "街道", "报送状态", "报送人", "报送时间", "报送期限", "运行工作情况",
                                           "存在问题", "工作建议"]
    row = [c.value for c in sheet[3]]
    assert row[:5] == ["文化路社区", "文昌街道", "已报送", "clerk员", datetime(2026, 11, 20, 10, 0)]
    assert "本月接待群众 12 人次" in row[6] and row[7:] == ["夜间值班人手不足", "增派一名网格员"]
    whole = load_workbook(io.BytesIO(login(people.test_client(), "admin").get(f"/staff/reports/{MONTH}.xlsx").data))
    assert whole["事件处置登记表"]["A1"].value == f"{MONTH} 事件处置登记表（已报送 1/3 个站点）"
    assert [r[2] for r in whole["运行情况与报送"].iter_rows(min_row=3, values_only=True)] == ["已报送", "未报送", "未报送"]
    sent = clerk.get(f"/staff/reports/{MONTH}.filings.csv")
    assert sent.status_code == 200 and sent.headers["Content-Disposition"] == f'attachment; filename="{MONTH}-filings.csv"'
    lines = list(csv.reader(io.StringIO(sent.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0][6:] == ["运行工作情况", "存在问题", "工作建议"] and lines[1][:4] == ["文化路社区", "文昌街道", "已报送", "clerk员"]
    assert lines[1][7] == "夜间值班人手不足"


def test_the_report_command_writes_the_narrative(people, tmp_path):
    from openpyxl import load_workbook

    clerk = login(people.test_client(), "clerk")
    assert post(clerk, None, intent="file", **TEXTS).status_code == 303
    runner = people.test_cli_runner()
    out = tmp_path / "report.xlsx"
    result = runner.invoke(args=["report", "--month", MONTH, "--street", "wenchang", "--out", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book["事件处置登记表"]["A1"].value == f"{MONTH} 事件处置登记表（已报送 1/2 个站点）"
    assert [r[7] for r in book["运行情况与报送"].iter_rows(min_row=3, values_only=True)] == ["夜间值班人手不足", "—"]
    result = runner.invoke(args=["report", "--month", MONTH, "--station", "wenhua-lu", "--out", str(tmp_path / "r.csv")])
    assert result.exit_code == 0 and "r-filings.csv" in result.output, result.output
    rows = list(csv.reader(io.StringIO((tmp_path / "r-filings.csv").read_text(encoding="utf-8").lstrip("\ufeff"))))
    assert rows[1][2:4] == ["已报送", "clerk员"] and rows[1][8] == "增派一名网格员"


def test_the_migration_goes_down_and_up(app):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    from forms_app.extensions import db

    with app.app_context():
        assert "register_filings" in inspect(db.engine).get_table_names()
        downgrade(revision="0013")
        assert "register_filings" not in inspect(db.engine).get_table_names()
        upgrade()
        assert "register_filings" in inspect(db.engine).get_table_names()
