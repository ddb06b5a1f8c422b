"""The monthly register and KPIs against a known month of cases."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from forms_app.cases import flow
from roster import TZ, load_roster
from tests.helpers import csrf_token

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)  # Monday
PASSWORD = "correct horse battery"


@pytest.fixture
def month(app, roster_dir):
    """November 2026: three cases at wenhua-lu, one at shuyuan, one in October (not counted)."""
    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.models import Staff

    roster = load_roster(roster_dir)
    with app.app_context():
        staff = Staff(username="wang", display_name="王工作人员", role="admin", stations="", password_hash=generate_password_hash(PASSWORD),
                      created_at=T0.replace(tzinfo=None))
        clerk = Staff(username="li", display_name="李工作人员", role="station", stations="wenhua-lu",
                      password_hash=generate_password_hash(PASSWORD), created_at=T0.replace(tzinfo=None))
        db.session.add_all([staff, clerk])
        db.session.flush()

        def new(station, when, name="张三", phone="13812345678"):
            return cases.register(roster, station=station, category="neighbours", description="楼上漏水，多次协商不成",
                                  location="", occurred="", name=name, phone=phone, contact_time="", anonymous=False,
                                  sensitive_consent=False, now=when)

        # 1: resolved (化解), on time, on-site dispatch arrived in 20 minutes, satisfaction 5
        one = new("wenhua-lu", T0)
        cases.act(roster, one, "accept", {}, staff, now=T0 + timedelta(hours=1))
        cases.act(roster, one, "dispatch", {"department": "司法所", "on_site": True}, staff, now=T0 + timedelta(hours=2))
        cases.act(roster, one, "arrive", {"arrived_at": T0 + timedelta(hours=2, minutes=20)}, staff, now=T0 + timedelta(hours=3))
        cases.act(roster, one, "resolve", {"outcome": "resolved", "result": "达成协议"}, staff, now=T0 + timedelta(days=2))
        one.satisfaction = 5
        # 2: not resolved, arrived late (50 minutes)
        two = new("wenhua-lu", T0 + timedelta(days=1), name="李四", phone="13912345678")
        cases.act(roster, two, "accept", {}, staff, now=T0 + timedelta(days=1, hours=1))
        cases.act(roster, two, "dispatch", {"department": "派出所", "on_site": True}, staff, now=T0 + timedelta(days=1, hours=2))
        cases.act(roster, two, "arrive", {"arrived_at": T0 + timedelta(days=1, hours=2, minutes=50)}, staff,
                  now=T0 + timedelta(days=1, hours=3))
        cases.act(roster, two, "resolve", {"outcome": "unresolved", "result": "建议诉讼"}, staff, now=T0 + timedelta(days=3))
        two.satisfaction = 3
        # 3: accepted a week late (overdue), still open
        three = new("wenhua-lu", T0 + timedelta(days=3), name="王五", phone="13712345678")
        cases.act(roster, three, "accept", {}, staff, now=T0 + timedelta(days=10))
        # 4: shuyuan, resolved on time, no dispatch
        four = new("shuyuan", T0 + timedelta(days=4), name="赵六", phone="13612345678")
        cases.act(roster, four, "accept", {}, staff, now=T0 + timedelta(days=4, hours=1))
        cases.act(roster, four, "resolve", {"outcome": "resolved", "result": "物业已维修"}, staff, now=T0 + timedelta(days=5))
        # October: not in November's register
        new("wenhua-lu", T0 - timedelta(days=10), name="钱七", phone="13512345678")
        db.session.commit()
        return roster


NOW = datetime(2026, 11, 30, 12, 0, tzinfo=TZ)


def test_register_rows(app, month):
    from forms_app.staff import reports

    with app.app_context():
        found = reports.cases_in(month, "2026-11")
        rows = reports.register_rows(month, found, full=False, now=NOW)
    assert len(rows) == 4
    assert [r[2] for r in rows] == ["文化路社区", "文化路社区", "文化路社区", "书院社区"]
    first = dict(zip(reports.REGISTER_COLUMNS, rows[0]))
    assert first["反映人"] == "张*" and first["联系电话"] == "138****5678"
    assert first["处置部门"] == "司法所" and first["处置结果"] == "已化解 达成协议"
    assert first["首问责任人"] == "王工作人员" and first["到场时间"] == datetime(2026, 11, 2, 11, 20)
    assert first["登记日期"] == date(2026, 11, 2) and first["当前状态"] == flow.STATES[found[0].state]
    assert [dict(zip(reports.REGISTER_COLUMNS, r))["是否按时"] for r in rows] == ["是", "是", "否", "是"]
    assert first["来源"] == "网上提交"  # registered through the resident's form (cases/sources.py)
    text = reports.csv_text(reports.REGISTER_COLUMNS, rows)
    assert "2026-11-02 11:20" in text and "None" not in text


def test_the_register_workbook_is_ready_to_filter_and_print(app, month):
    """Found by a station clerk: dates were text, columns narrow, no frozen header or filter, and
    it printed portrait across many pages without saying which month it was."""
    from forms_app.staff import reports

    with app.app_context():
        found = reports.cases_in(month, "2026-11")
        rows = reports.register_rows(month, found, full=False, now=NOW)
        kpis = reports.kpi_rows(reports.station_kpis(month, found, ["wenhua-lu", "shuyuan"], now=NOW))
    book = load_workbook(io.BytesIO(reports.workbook("2026-11", rows, kpis)))
    sheet = book["事件处置登记表"]
    header = [cell.value for cell in sheet[2]]
    assert header == reports.REGISTER_COLUMNS and "当前状态" in header and "满意度（1–5 分）" in header
    arrived = sheet.cell(row=3, column=header.index("到场时间") + 1)
    assert isinstance(arrived.value, datetime) and arrived.is_date and arrived.number_format == "yyyy-mm-dd hh:mm"
    assert sheet.cell(row=3, column=2).is_date
    from openpyxl.utils import get_column_letter

    last = get_column_letter(len(reports.REGISTER_COLUMNS))
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref == f"A2:{last}{2 + len(rows)}"
    assert sheet.column_dimensions["E"].width >= 30  # the summary can be read
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == "$2:$2" and "2026-11" in sheet.oddHeader.center.text
    rated = [row[header.index("满意度（1–5 分）")] for row in rows]
    assert sorted(r for r in rated if r) == [3, 5]  # rated cases carry their scores
    assert book["站点指标与排名"].freeze_panes == "A3"


def test_station_kpis_and_ranking(app, month):
    from forms_app.staff import reports

    with app.app_context():
        stations = ["wenhua-lu", "shuyuan", "jiangwan"]
        kpis = reports.station_kpis(month, reports.cases_in(month, "2026-11"), stations, now=NOW)
    by_id = {k.station: k for k in kpis}
    wenhua = by_id["wenhua-lu"]
    assert (wenhua.cases, wenhua.closed, wenhua.resolved) == (3, 2, 1)
    assert wenhua.resolution_rate == 0.5 and wenhua.on_time_rate == pytest.approx(2 / 3)
    assert wenhua.arrival_rate == 0.5 and wenhua.satisfaction == 4.0
    shuyuan = by_id["shuyuan"]
    assert (shuyuan.resolution_rate, shuyuan.on_time_rate, shuyuan.arrival_rate) == (1.0, 1.0, None)
    # shuyuan's one perfect case does not outrank wenhua-lu's three (ranking_min_cases: 3); jiangwan had none
    assert [(k.station, k.ranked) for k in kpis] == [("wenhua-lu", True), ("shuyuan", False), ("jiangwan", False)]
    rows = reports.kpi_rows(kpis)
    assert rows[0][0] == 1 and rows[1][0] is None and rows[0][5] == 0.5
    assert reports.kpi_text_rows(rows)[0][5] == "50.0%" and reports.kpi_text_rows(rows)[2][5] == "—"


def test_ranking_minimum_is_configurable(app, month, roster_dir):
    from forms_app.staff import reports

    path = roster_dir / "roster.yaml"
    text = path.read_text(encoding="utf-8")
    assert "settings:\n" in text
    path.write_text(text.replace("settings:\n", "settings:\n  ranking_min_cases: 1\n", 1), encoding="utf-8")
    relaxed = load_roster(roster_dir)
    with app.app_context():
        kpis = reports.station_kpis(relaxed, reports.cases_in(relaxed, "2026-11"), ["wenhua-lu", "shuyuan"], now=NOW)
    assert [k.station for k in kpis] == ["shuyuan", "wenhua-lu"]


def test_what_a_resident_typed_never_runs_as_a_spreadsheet_formula(app, month, tmp_path):
    from forms_app.cases import service as cases
    from forms_app.staff import reports

    with app.app_context():
        cases.register(month, station="shuyuan", category="neighbours", description='=HYPERLINK("http://evil","点我")',
                       location="", occurred="", name="@张", phone="13812345678", contact_time="", anonymous=False,
                       sensitive_consent=False, now=T0)
        found = reports.cases_in(month, "2026-11", station="shuyuan")
        rows = reports.register_rows(month, found, full=True, now=NOW)
    text = reports.csv_text(reports.REGISTER_COLUMNS, rows)
    assert "'=HYPERLINK" in text and "'@张" in text
    book = load_workbook(io.BytesIO(reports.workbook("2026-11", rows, [])))
    summary = [row[4].value for row in book["事件处置登记表"].iter_rows(min_row=3)]
    assert "'=HYPERLINK(\"http://evil\",\"点我\")" in summary


def test_report_command_writes_excel_and_csv(app, month, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "nov.xlsx"
    result = runner.invoke(args=["report", "--month", "2026-11", "--street", month.station("wenhua-lu").street,
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    register, ranking = book["事件处置登记表"], book["站点指标与排名"]
    assert [c.value for c in register[2]][:4] == ["编号", "登记日期", "站点", "类别"]
    assert register.max_row == 2 + 4 and register["F3"].value == "张*"
    assert [ranking.cell(row=r, column=2).value for r in range(3, ranking.max_row + 1)] == ["文化路社区", "书院社区"]
    assert ranking["F3"].value == 0.5 and ranking["F3"].number_format == "0.0%" and ranking["A4"].value == "—"
    csv_out = tmp_path / "nov.csv"
    assert runner.invoke(args=["report", "--month", "2026-11", "--station", "shuyuan", "--out", str(csv_out)]).exit_code == 0
    text = csv_out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("编号,登记日期") and len(text.splitlines()) == 2
    assert (tmp_path / "nov-kpi.csv").read_text(encoding="utf-8-sig").splitlines()[1].startswith("—,书院社区")
    bad = runner.invoke(args=["report", "--month", "2026-13", "--out", str(out)])
    assert bad.exit_code != 0 and "YYYY-MM" in bad.output
    nowhere = runner.invoke(args=["report", "--month", "2026-11", "--out", str(tmp_path / "no" / "such" / "dir.xlsx")])
    assert nowhere.exit_code == 1 and "写不了" in nowhere.output and "Traceback" not in nowhere.output


def login(client, username):
    page = client.get("/staff/login").get_data(as_text=True)
    assert client.post("/staff/login", data={"csrf_token": csrf_token(page), "username": username,
                                             "password": PASSWORD}).status_code == 303


def test_console_download_masks_unless_an_admin_asks_and_logs_it(client, app, month):
    from forms_app.extensions import db
    from forms_app.models import ExportLog

    login(client, "li")
    masked = client.get("/staff/reports/2026-11.csv")
    assert masked.status_code == 200 and "张*" in masked.get_data(as_text=True)
    assert "书院社区" not in masked.get_data(as_text=True)  # li sees wenhua-lu only
    assert client.get("/staff/reports/2026-11.xlsx?full=1").status_code == 403
    assert client.get("/staff/reports/2026-11.csv?station=shuyuan").status_code == 404
    client.post("/staff/logout", data={"csrf_token": csrf_token(client.get("/staff/").get_data(as_text=True))})
    login(client, "wang")
    full = client.get("/staff/reports/2026-11.xlsx?full=1")
    book = load_workbook(io.BytesIO(full.data))
    assert book["事件处置登记表"]["F3"].value == "张三"
    with app.app_context():
        logs = [(e.actor, e.full, e.format) for e in db.session.query(ExportLog).order_by(ExportLog.id)]
    assert logs == [("李工作人员", False, "csv"), ("王工作人员", True, "xlsx")]


def test_dashboard_shows_the_kpis(client, month):
    login(client, "wang")
    page = client.get("/staff/dashboard?month=2026-11").get_data(as_text=True)
    assert "文化路社区" in page and "50%" in page and "<svg" in page
    assert client.get("/staff/dashboard?month=nonsense").status_code == 404
    kpi = client.get("/staff/reports/2026-11.kpi.csv")
    assert kpi.status_code == 200 and kpi.get_data(as_text=True).splitlines()[1].startswith("\ufeff") is False
    assert kpi.get_data(as_text=True).lstrip("\ufeff").splitlines()[1].startswith("1,文化路社区,")
    assert client.get("/staff/reports/2026-13.csv").status_code == 404


HOSTILE = "门口\x01漏水\x1b[31m\u202e已处理\x7f"


def store_hostile_case(app, month):
    """A row written before the forms refused control characters, straight into the table."""
    from sqlalchemy import update

    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.models import Case

    with app.app_context():
        case = cases.register(month, station="wenhua-lu", category="neighbours", description="临时", location="",
                              occurred="", name="张三", phone="13812345678", contact_time="", anonymous=False,
                              sensitive_consent=False, now=T0 + timedelta(days=6))
        db.session.execute(update(Case).where(Case.id == case.id).values(description=HOSTILE, name="张\x02三"))
        db.session.commit()


def test_exports_survive_control_characters_already_stored(client, app, month, tmp_path):
    from forms_app.extensions import db
    from forms_app.models import ExportLog

    store_hostile_case(app, month)
    login(client, "wang")
    for fmt in ("xlsx", "csv", "kpi.csv"):
        response = client.get(f"/staff/reports/2026-11.{fmt}?full=1")
        assert response.status_code == 200, fmt
    book = load_workbook(io.BytesIO(client.get("/staff/reports/2026-11.xlsx?full=1").data))
    summaries = [row[4].value for row in book["事件处置登记表"].iter_rows(min_row=3)]
    assert "门口漏水[31m已处理" in summaries  # the controls are gone, the words stay
    assert "\x01" not in client.get("/staff/reports/2026-11.csv?full=1").get_data(as_text=True)
    result = app.test_cli_runner().invoke(args=["report", "--month", "2026-11", "--full", "--out",
                                                str(tmp_path / "nov.xlsx")])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.query(ExportLog).count() == 6  # five downloads and the command, each with its file


def test_a_download_that_fails_leaves_no_export_log_row(client, app, month, monkeypatch):
    from forms_app.extensions import db
    from forms_app.models import ExportLog
    from forms_app.staff import reports

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(reports, "workbook", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    login(client, "wang")
    assert client.get("/staff/reports/2026-11.xlsx").status_code == 500
    with app.app_context():
        assert db.session.query(ExportLog).count() == 0


def test_the_register_says_when_an_on_site_dispatch_was_not_attended(app, month):
    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.models import Staff
    from forms_app.staff import reports

    with app.app_context():
        clerk = db.session.scalar(select(Staff).limit(1))
        case = cases.register(month, station="shuyuan", category="neighbours", description="楼上漏水", location="",
                              occurred="", name="王五", phone="13812340001", contact_time="", anonymous=False,
                              sensitive_consent=False, now=T0)
        for action, payload in (("accept", {}), ("dispatch", {"department": "司法所", "on_site": True}),
                                ("no_arrival", {"reason": "改为电话调解"})):
            cases.act(month, case, action, payload, clerk, now=T0 + timedelta(hours=1))
        db.session.commit()
        rows = reports.register_rows(month, reports.cases_in(month, "2026-11", station="shuyuan"), full=False, now=NOW)
    row = next(dict(zip(reports.REGISTER_COLUMNS, r)) for r in rows if r[0] == case.number)
    assert row["到场时间"] == "未到场" and row["处置部门"] == "司法所"
