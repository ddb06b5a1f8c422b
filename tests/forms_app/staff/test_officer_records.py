"""The per-officer record (实绩档案) and seed 002's ranking (到场率, 及时率, 处置率) against a
fixture month whose numbers are known."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from roster import TZ, load_roster

MONTH = "2026-11"
GRID = "liu-wang"  # a grid worker added to wenhua-lu's board, standing for the grid leader


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def grid_roster(roster_dir):
    """The small roster with a grid worker (网格员) on wenhua-lu's board."""
    officers = roster_dir / "officers.yaml"
    officers.write_text(officers.read_text(encoding="utf-8") + """
  - id: liu-wang
    name: 刘旺
    role: grid-worker
    organisation: 文化路社区网格站
    phone: 0731-28817001
""", encoding="utf-8")
    stations = roster_dir / "roster.yaml"
    stations.write_text(stations.read_text(encoding="utf-8").replace(
        "assignments:\n", "assignments:\n  - officer: liu-wang\n    station: wenhua-lu\n    duties:\n      - {system: resident, freq: weekly, "
        "byday: [MO, TU, WE, TH, FR], opens_at: \"08:30\", closes_at: \"17:30\"}\n", 1), encoding="utf-8")
    return roster_dir


def walk(roster, staff, registered, station="wenhua-lu", officers=(), steps=()):
    """A case registered at ``registered``, accepted at once, its officers named, then ``steps``
    of (action, moment, payload)."""
    from forms_app.cases import service as cases

    case = cases.register(roster, station=station, category="neighbours", description="楼上漏水", location="",
                          occurred="", name="张三", phone="13812345678", contact_time="", anonymous=False,
                          sensitive_consent=False, now=registered)
    if steps and steps[0][0] == "reject":
        cases.act(roster, case, "reject", steps[0][2], staff, steps[0][1])
        return case
    cases.act(roster, case, "accept", {}, staff, registered)
    for officer in officers:
        cases.act(roster, case, "name_officer", {"officer": officer}, staff, registered)
    for action, moment, payload in steps:
        if action == "satisfaction":
            assert cases.record_satisfaction(roster, case, payload, "", now=moment)
        else:
            cases.act(roster, case, action, payload, staff, moment)
    return case


def on_site(moment):
    return ("dispatch", moment, {"department": "司法所", "on_site": True})


def resolve(moment, outcome):
    return ("resolve", moment, {"outcome": outcome, "result": "已处理"})


@pytest.fixture
def month(grid_roster, staff, monkeypatch):
    """November 2026 at wenhua-lu, with 陈浩 (police) and 刘旺 (grid worker) named on its cases."""
    import forms_app.clock
    from forms_app.extensions import db
    from forms_app.models import Appointment, Staff

    monkeypatch.setattr(forms_app.clock, "now", lambda: at(12, 1))
    roster = load_roster(grid_roster)
    db.session.add(Staff(username="shu", display_name="书院工作人员", password_hash="x", role="station", stations="shuyuan",
                         created_at=datetime(2026, 9, 1)))
    db.session.flush()
    shu = db.session.query(Staff).filter_by(username="shu").one()
    # A: on time, arrived in 20 minutes, resolved, rated 5
    walk(roster, staff, at(11, 2), officers=("chen-hao", GRID), steps=(
        on_site(at(11, 2, 10)), ("arrive", at(11, 2, 10, 30), {"arrived_at": at(11, 2, 10, 20)}),
        resolve(at(11, 3), "resolved"), ("satisfaction", at(11, 4), 5)))
    # B: arrived after an hour, resolved late (dispatched has 3 working days), not resolved, rated 3
    walk(roster, staff, at(11, 5), officers=("chen-hao",), steps=(
        on_site(at(11, 5, 10)), ("arrive", at(11, 5, 11, 30), {"arrived_at": at(11, 5, 11)}),
        resolve(at(11, 20), "unresolved"), ("satisfaction", at(11, 21), 3)))
    # C: registered in October, still being worked in November: counts in November
    walk(roster, staff, at(10, 20), officers=("chen-hao", GRID), steps=(("handle", at(10, 21), {"note": "约谈"}),))
    # D: registered and resolved in October: not November's
    walk(roster, staff, at(10, 1), officers=("chen-hao",), steps=(resolve(at(10, 5), "resolved"),))
    # E: rejected with its reason in November: disposed, at the station
    walk(roster, staff, at(11, 10), steps=(("reject", at(11, 10, 10), {"reason": "不属于受理范围"}),))
    # F: 陈浩 at shuyuan: not counted at wenhua-lu
    walk(roster, shu, at(11, 12), station="shuyuan", officers=("chen-hao",), steps=(resolve(at(11, 12, 15), "resolved"),))
    for number, (starts, status, station) in enumerate(((at(11, 9, 9), "attended", "wenhua-lu"),
                                                        (at(11, 16, 9), "attended", "wenhua-lu"),
                                                        (at(11, 23, 9), "no_show", "wenhua-lu"),
                                                        (at(10, 26, 9), "attended", "wenhua-lu"),
                                                        (at(11, 10, 9), "attended", "shuyuan"),
                                                        (at(11, 11, 9), "cancelled", "wenhua-lu"))):
        db.session.add(Appointment(number=f"AAAA-{number:04d}", manage_token=f"m{number:030d}", station_id=station,
                                   officer_id="chen-hao", starts_at=starts.replace(tzinfo=None),
                                   ends_at=(starts + timedelta(minutes=30)).replace(tzinfo=None), name="孙八",
                                   phone="13312345678", topic="legal-advice", status=status,
                                   consent_at=datetime(2026, 10, 1), created_at=datetime(2026, 10, 1)))
    db.session.commit()
    return roster


def test_an_officers_month_counts_what_the_fixture_says(month):
    from forms_app.staff import officer_records

    (police,) = officer_records.records(month, MONTH, ["wenhua-lu"], only="chen-hao")
    assert (police.name, police.role, police.stations) == ("陈浩", "警官", ["文化路社区"])
    assert (police.cases, police.on_time, police.on_site, police.arrived, police.resolved) == (3, 1, 2, 1, 1)
    assert (police.satisfaction, len(police.ratings)) == (4.0, 2)
    assert (police.attended, police.no_shows) == (2, 1)
    # October: D only (C was registered in October too, and is still open)
    (october,) = officer_records.records(month, "2026-10", ["wenhua-lu"], only="chen-hao")
    assert (october.cases, october.resolved, october.attended) == (2, 1, 1)
    # at both stations, F and the shuyuan appointment count too
    (both,) = officer_records.records(month, MONTH, ["wenhua-lu", "shuyuan"], only="chen-hao")
    assert (both.cases, both.resolved, both.attended) == (4, 2, 3)


def test_every_person_of_the_station_has_a_record_named_or_not(month):
    from forms_app.staff import officer_records

    found = {r.officer: r for r in officer_records.records(month, MONTH, ["wenhua-lu"])}
    assert set(found) == {"zhou-minghui", "he-jianguo", "chen-hao", "song-jiayi", GRID}
    assert found["zhou-minghui"].cases == 0 and found["zhou-minghui"].satisfaction is None
    assert (found[GRID].cases, found[GRID].resolved) == (2, 1)


def test_the_ranking_rates_per_station_and_the_disposal_rate_is_not_the_resolution_rate(month):
    from forms_app.staff import ranking, reports

    found = ranking.cases_handled(MONTH, ["wenhua-lu"])
    (station,) = ranking.by_station(month, found, ["wenhua-lu"])
    # A, B, C and E; ended: A, B (resolved) and E (rejected); on time: A and E; on site: A and B, in time: A
    assert (station.handled, station.disposed, station.on_time, station.on_site, station.arrived) == (4, 3, 2, 2, 1)
    assert (station.disposal_rate, station.on_time_rate, station.arrival_rate) == (0.75, 2 / 3, 0.5)
    assert station.ranked and station.score == pytest.approx((0.75 + 2 / 3 + 0.5) / 3)
    (kpi,) = reports.station_kpis(month, reports.cases_in(month, MONTH, stations=["wenhua-lu"]), ["wenhua-lu"])
    assert kpi.resolution_rate == 0.5 != station.disposal_rate  # 化解率: A of A and B


def test_the_grid_worker_stands_for_the_grid_leader_in_the_ranking(month):
    from forms_app.staff import ranking

    assert ranking.grid_leader_role(month) == "grid-worker"
    found = ranking.cases_handled(MONTH, ["wenhua-lu"])
    (leader,) = ranking.by_grid_leader(month, found, ["wenhua-lu"])
    assert (leader.key, leader.name, leader.where) == (GRID, "刘旺", "文化路社区")
    assert (leader.handled, leader.disposed, leader.disposal_rate, leader.on_time_rate, leader.arrival_rate) == (
        2, 1, 0.5, 1.0, 1.0)
    assert not leader.ranked  # two cases, under settings.ranking_min_cases


def test_the_monthly_workbook_has_the_record_and_the_rankings(month):
    import io

    from openpyxl import load_workbook

    from forms_app.staff import officer_records, reports

    extra = officer_records.sheets(month, MONTH, ["wenhua-lu"])
    book = load_workbook(io.BytesIO(reports.workbook(MONTH, [], [], extra)))
    assert book.sheetnames == ["事件处置登记表", "站点指标与排名", "实绩档案", "站点联动排名", "网格长排名"]
    rows = {row[0]: row for row in book["实绩档案"].iter_rows(min_row=3, values_only=True)}
    assert rows["陈浩"][4:] == (3, 1, 2, 1, 1, 4.0, 2, 2, 1)
    station = next(book["站点联动排名"].iter_rows(min_row=3, values_only=True))
    assert station[1] == "文化路社区" and station[5] == 0.75 and book["站点联动排名"]["F3"].number_format == "0.0%"
    assert next(book["网格长排名"].iter_rows(min_row=3, values_only=True))[1] == "刘旺"
