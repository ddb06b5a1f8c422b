"""The console's 实绩档案 pages, the dashboard's ranking and the workbook download, and who sees what."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from werkzeug.security import generate_password_hash

from tests.forms_app.staff.test_console import PASSWORD, login
from tests.forms_app.staff.test_officer_records import MONTH, grid_roster, month  # noqa: F401 - fixtures


@pytest.fixture
def readers(month):  # noqa: F811 - the fixture imported above
    """Accounts to read the month with: a clerk of wenhua-lu, wenchang's and binjiang's supervisors, a clerk of jiangwan."""
    from forms_app.extensions import db
    from forms_app.models import Staff

    for username, role, stations, street in (("clerk", "station", "wenhua-lu", None),
                                             ("wenchang", "supervisor", "", "wenchang"),
                                             ("binjiang", "supervisor", "", "binjiang"),
                                             ("jiangwan", "station", "jiangwan", None)):
        db.session.add(Staff(username=username, display_name=f"{username}员", role=role, stations=stations,
                             street_id=street, password_hash=generate_password_hash(PASSWORD),
                             created_at=datetime(2026, 9, 1)))
    db.session.commit()


def test_the_stations_officers_and_their_month(app, readers):
    clerk = login(app.test_client(), "clerk")
    page = clerk.get(f"/staff/officers?month={MONTH}").get_data(as_text=True)
    assert "陈浩" in page and "刘旺" in page and "江芸" not in page  # wenhua-lu's people only
    one = clerk.get(f"/staff/officers/chen-hao?month={MONTH}")
    text = one.get_data(as_text=True)
    assert one.status_code == 200 and "陈浩（警官）2026-11 实绩档案" in text
    assert "<dt>办理案件</dt><dd>3</dd>" in text and "已到 2，未到 1" in text and "4.0 分（2 人评价）" in text


@pytest.mark.parametrize("user, officer, status", [
    ("clerk", "chen-hao", 200), ("clerk", "jiang-yun", 404), ("wenchang", "chen-hao", 200),
    ("wenchang", "jiang-yun", 404), ("binjiang", "chen-hao", 404), ("binjiang", "jiang-yun", 200),
    ("jiangwan", "liu-wang", 404), ("clerk", "nobody", 404)])
def test_an_officer_of_another_street_or_station_is_not_found(app, readers, user, officer, status):
    client = login(app.test_client(), user)
    assert client.get(f"/staff/officers/{officer}?month={MONTH}").status_code == status


def test_a_wrong_month_is_said_in_words_and_kept_in_the_picker(app, readers):
    clerk = login(app.test_client(), "clerk")
    for bad in ("2026-13", "9999-12", "十一月", "\x00"):
        response = clerk.get("/staff/officers", query_string={"month": bad})
        assert response.status_code == 422 and "月份要写成“年-月”" in response.get_data(as_text=True)
    assert 'value="2026-13"' in clerk.get("/staff/officers?month=2026-13").get_data(as_text=True)


def test_the_dashboard_ranks_stations_and_grid_leaders(app, readers):
    clerk = login(app.test_client(), "clerk")
    page = clerk.get(f"/staff/dashboard?month={MONTH}").get_data(as_text=True)
    assert "站点联动排名" in page and "网格员（网格长）排名" in page
    assert "75%（3/4）" in page  # 处置率 of wenhua-lu
    assert "刘旺" in page and "50%（1/2）" in page


def test_the_workbook_download_carries_the_record_and_the_rankings(app, readers):
    from openpyxl import load_workbook

    clerk = login(app.test_client(), "clerk")
    response = clerk.get(f"/staff/reports/{MONTH}.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[2:5] == ["实绩档案", "站点联动排名", "网格长排名"]  # then 督办 (supervision_report.py)
    names = [row[0] for row in book["实绩档案"].iter_rows(min_row=3, values_only=True)]
    assert "陈浩" in names and "江芸" not in names


def test_the_report_command_writes_the_record_sheet(app, readers, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "report.xlsx"
    result = app.test_cli_runner().invoke(args=["report", "--month", MONTH, "--station", "wenhua-lu", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "实绩档案" in load_workbook(out).sheetnames
