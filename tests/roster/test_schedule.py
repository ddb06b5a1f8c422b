"""Duty schedules → dates and occurrences: RRULE edge cases on tiny in-memory rosters."""
from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import roster
from roster.domain import Roster
from roster.model import Duty, OfficersFile, RosterFile
from roster.schedule import TZ, cancelled_by, duty_dates, occurrences
from tests.helpers import SMALL_ROSTER

SMALL = SMALL_ROSTER


def duty(**fields) -> Duty:
    fields.setdefault("system", "resident")
    fields.setdefault("opens_at", "09:00")
    fields.setdefault("closes_at", "11:30")
    return Duty.model_validate(fields)


def dates(d: Duty, start: str, end: str) -> list[str]:
    return [x.isoformat() for x in duty_dates(d, date.fromisoformat(start), date.fromisoformat(end))]


def make_roster(assignments, exceptions=(), duty_tables=()) -> Roster:
    """A two-station, three-officer roster built straight from the model classes."""
    officers = OfficersFile.model_validate({"officers": [
        {"id": "wang-fang", "name": "王芳", "role": "judge", "organisation": "某法院", "phone": "0731-28810001"},
        {"id": "li-lei", "name": "李雷", "role": "police", "organisation": "某派出所", "phone": "0731-28810002"},
        {"id": "han-mei", "name": "韩梅", "role": "lawyer", "organisation": "某律所", "phone": "0731-28810003"},
    ]})
    data = RosterFile.model_validate({
        "districts": [{"id": "d", "name": "区"}],
        "streets": [{"id": "s", "name": "街道", "district": "d", "hotline": "12345"}],
        "stations": [{"id": "north", "name": "北社区", "street": "s", "address": "北路 1 号"},
                     {"id": "south", "name": "南社区", "street": "s", "address": "南路 1 号"}],
        "assignments": list(assignments),
        "exceptions": list(exceptions),
        "duty_tables": list(duty_tables),
    })
    return Roster(settings=data.settings, officers=officers.officers, districts=data.districts,
                  streets=data.streets, stations=data.stations, assignments=data.assignments,
                  exceptions=data.exceptions, duty_tables=data.duty_tables, data_dir=Path("."),
                  updated=date(2026, 11, 1))


def days_of(occs) -> list[str]:
    return [o.start.date().isoformat() for o in occs]


# ---------------------------------------------------------------- weekly

def test_weekly_byday():
    d = duty(freq="weekly", byday=["MO", "WE"])
    assert dates(d, "2026-11-01", "2026-11-15") == ["2026-11-02", "2026-11-04", "2026-11-09", "2026-11-11"]


def test_weekly_window_bounds_are_inclusive():
    d = duty(freq="weekly", byday=["MO", "WE"])
    assert dates(d, "2026-11-02", "2026-11-04") == ["2026-11-02", "2026-11-04"]
    assert dates(d, "2026-11-03", "2026-11-03") == []
    assert dates(d, "2026-11-10", "2026-11-01") == []        # an empty window


def test_daily_every_day():
    d = duty(freq="daily")
    assert dates(d, "2026-12-30", "2027-01-02") == ["2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"]


def test_daily_every_other_day_from_valid_from():
    d = duty(freq="daily", interval=2, valid_from="2026-11-01")
    assert dates(d, "2026-11-04", "2026-11-09") == ["2026-11-05", "2026-11-07", "2026-11-09"]


# ---------------------------------------------------------------- every other week

def test_every_other_week_is_anchored_to_the_week_of_valid_from():
    # 2026-01-05 is a Monday: its week is week one, then 19 Jan, 2 Feb ...
    d = duty(system="rotation", freq="weekly", interval=2, byday=["MO", "WE"], valid_from="2026-01-07")
    # Monday 5 Jan is in week one but before valid_from, so it is not a duty day
    assert dates(d, "2026-01-01", "2026-02-06") == ["2026-01-07", "2026-01-19", "2026-01-21", "2026-02-02",
                                                    "2026-02-04"]


def test_every_other_week_keeps_its_phase_in_any_window():
    d = duty(system="rotation", freq="weekly", interval=2, byday=["WE"], valid_from="2026-01-05")
    # 8 weeks after 5 Jan is 2 Mar, so 4 Mar and 18 Mar; 11 and 25 Mar are off weeks
    assert dates(d, "2026-03-01", "2026-03-31") == ["2026-03-04", "2026-03-18"]
    # a window starting on an off week
    assert dates(d, "2026-03-09", "2026-03-20") == ["2026-03-18"]
    # the same holds a year later: 2027-01-04 is 52 weeks after 2026-01-05
    assert dates(d, "2027-01-01", "2027-01-31") == ["2027-01-06", "2027-01-20"]


def test_every_other_week_with_valid_from_on_a_sunday():
    # Sunday 11 Jan belongs to the week of Monday 5 Jan (weeks start on Monday)
    d = duty(system="rotation", freq="weekly", interval=2, byday=["WE"], valid_from="2026-01-11")
    assert dates(d, "2026-01-01", "2026-02-10") == ["2026-01-21", "2026-02-04"]


def test_two_rotations_alternate():
    odd = duty(freq="weekly", interval=2, byday=["WE"], valid_from="2026-01-05")
    even = duty(freq="weekly", interval=2, byday=["WE"], valid_from="2026-01-12")
    a, b = set(dates(odd, "2026-01-01", "2026-12-31")), set(dates(even, "2026-01-01", "2026-12-31"))
    assert not a & b
    all_wednesdays = {d.isoformat() for d in (date(2026, 1, 7) + timedelta(weeks=n) for n in range(52))}
    assert a | b == all_wednesdays


# ---------------------------------------------------------------- monthly

def test_first_thursday_across_months():
    d = duty(system="visiting", freq="monthly", byday=["1TH"])
    # 1 Jan 2026 is a Thursday; 1 Oct 2026 too
    assert dates(d, "2026-01-01", "2026-06-30") == ["2026-01-01", "2026-02-05", "2026-03-05", "2026-04-02",
                                                    "2026-05-07", "2026-06-04"]
    assert dates(d, "2026-09-02", "2026-10-31") == ["2026-09-03", "2026-10-01"]
    assert dates(d, "2026-09-04", "2026-10-31") == ["2026-10-01"]


def test_last_friday_across_months_and_years():
    d = duty(system="visiting", freq="monthly", byday=["-1FR"])
    assert dates(d, "2026-10-01", "2027-03-31") == ["2026-10-30", "2026-11-27", "2026-12-25", "2027-01-29",
                                                    "2027-02-26", "2027-03-26"]


def test_window_starting_mid_month_keeps_later_ordinals_of_that_month():
    d = duty(system="visiting", freq="monthly", byday=["-1FR", "1TH"])
    assert dates(d, "2026-11-10", "2026-12-31") == ["2026-11-27", "2026-12-03", "2026-12-25"]


def test_fifth_monday_only_in_months_that_have_one():
    d = duty(system="visiting", freq="monthly", byday=["5MO"])
    expected = []
    for month in range(1, 13):
        mondays = [day for day in range(1, calendar.monthrange(2026, month)[1] + 1)
                   if date(2026, month, day).weekday() == 0]
        if len(mondays) == 5:
            expected.append(date(2026, month, mondays[4]).isoformat())
    assert expected == ["2026-03-30", "2026-06-29", "2026-08-31", "2026-11-30"]
    assert dates(d, "2026-01-01", "2026-12-31") == expected


def test_bymonthday_31_is_skipped_in_short_months():
    d = duty(system="visiting", freq="monthly", bymonthday=[31])
    assert dates(d, "2026-01-01", "2026-12-31") == ["2026-01-31", "2026-03-31", "2026-05-31", "2026-07-31",
                                                    "2026-08-31", "2026-10-31", "2026-12-31"]


def test_bymonthday_minus_one_is_the_last_day_including_leap_february():
    d = duty(system="visiting", freq="monthly", bymonthday=[-1])
    assert dates(d, "2027-01-01", "2027-04-30") == ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30"]
    assert dates(d, "2028-01-01", "2028-04-30") == ["2028-01-31", "2028-02-29", "2028-03-31", "2028-04-30"]


def test_bymonthday_several_days_sorted():
    d = duty(system="visiting", freq="monthly", bymonthday=[15, 1])
    assert dates(d, "2026-11-01", "2026-12-31") == ["2026-11-01", "2026-11-15", "2026-12-01", "2026-12-15"]


def test_every_other_month_is_anchored_to_the_month_of_valid_from():
    d = duty(system="visiting", freq="monthly", interval=2, bymonthday=[10], valid_from="2026-01-20")
    # January's 10th is before valid_from; then March, May ...
    assert dates(d, "2026-01-01", "2026-07-31") == ["2026-03-10", "2026-05-10", "2026-07-10"]
    assert dates(d, "2026-08-01", "2026-12-31") == ["2026-09-10", "2026-11-10"]


# ---------------------------------------------------------------- bounds and listed dates

def test_valid_from_and_valid_to_bound_the_duty_inclusively():
    d = duty(freq="weekly", byday=["TU"], valid_from="2026-11-10", valid_to="2026-11-24")
    assert dates(d, "2026-11-01", "2026-12-31") == ["2026-11-10", "2026-11-17", "2026-11-24"]
    assert dates(d, "2026-11-11", "2026-11-20") == ["2026-11-17"]
    assert dates(d, "2026-12-01", "2026-12-31") == []
    assert dates(d, "2026-10-01", "2026-11-09") == []


def test_valid_to_alone():
    d = duty(freq="monthly", byday=["1TU"], valid_to="2027-01-05")
    assert dates(d, "2026-11-01", "2027-06-30") == ["2026-11-03", "2026-12-01", "2027-01-05"]


def test_listed_dates_in_window_sorted_and_unique():
    d = duty(system="reception", dates=["2027-01-14", "2026-12-10", "2026-12-10", "2027-03-11"])
    assert dates(d, "2026-11-01", "2027-01-31") == ["2026-12-10", "2027-01-14"]
    assert dates(d, "2026-12-10", "2026-12-10") == ["2026-12-10"]
    assert dates(d, "2027-04-01", "2027-12-31") == []


def test_listed_dates_respect_validity():
    d = duty(system="reception", dates=["2026-12-10", "2027-01-14", "2027-03-11"], valid_from="2027-01-01",
             valid_to="2027-02-28")
    assert dates(d, "2026-01-01", "2027-12-31") == ["2027-01-14"]


# ---------------------------------------------------------------- occurrences and exceptions

WEEKLY_NORTH = {"officer": "wang-fang", "station": "north",
                "duties": [{"system": "resident", "freq": "weekly", "byday": ["MO", "TH"],
                            "opens_at": "08:30", "closes_at": "12:00", "place": "调解室", "note": "上午"}]}
WEEKLY_SOUTH = {"officer": "wang-fang", "station": "south",
                "duties": [{"system": "rotation", "freq": "weekly", "byday": ["MO"],
                            "opens_at": "14:00", "closes_at": "17:00"}]}
POLICE_NORTH = {"officer": "li-lei", "station": "north",
                "duties": [{"system": "resident", "freq": "weekly", "byday": ["MO"],
                            "opens_at": "09:00", "closes_at": "10:00"}]}


def test_occurrences_carry_times_station_source_and_are_sorted():
    model = make_roster([WEEKLY_NORTH, WEEKLY_SOUTH, POLICE_NORTH])
    occs = occurrences(model, date(2026, 11, 2), date(2026, 11, 2))
    assert [(o.start.strftime("%H:%M"), o.end.strftime("%H:%M"), o.officer, o.station, o.system) for o in occs] == [
        ("08:30", "12:00", "wang-fang", "north", "resident"),
        ("09:00", "10:00", "li-lei", "north", "resident"),
        ("14:00", "17:00", "wang-fang", "south", "rotation"),
    ]
    assert occs[0].source == ("assignments", 0, "duties", 0)
    assert occs[2].source == ("assignments", 1, "duties", 0)
    assert (occs[0].place, occs[0].note) == ("调解室", "上午")
    assert (occs[2].place, occs[2].note) == (None, None)


def test_occurrences_filter_by_station_and_officer():
    model = make_roster([WEEKLY_NORTH, WEEKLY_SOUTH, POLICE_NORTH])
    window = (date(2026, 11, 1), date(2026, 11, 30))
    assert {o.station for o in occurrences(model, *window, station="south")} == {"south"}
    assert len(occurrences(model, *window, station="south")) == 5        # Mondays 2, 9, 16, 23, 30
    assert {o.officer for o in occurrences(model, *window, officer="li-lei")} == {"li-lei"}
    both = occurrences(model, *window, station="north", officer="wang-fang")
    assert {(o.station, o.officer) for o in both} == {("north", "wang-fang")}
    assert len(both) == 9                                                 # 5 Mondays + 4 Thursdays
    assert occurrences(model, *window, station="north", officer="han-mei") == []


def test_occurrences_are_worked_out_once_per_question(monkeypatch):
    from roster import schedule

    model = make_roster([WEEKLY_NORTH, WEEKLY_SOUTH, POLICE_NORTH])
    window = (date(2026, 11, 1), date(2026, 11, 30))
    first = occurrences(model, *window, station="north")
    first.clear()  # a caller's list is its own: the memo keeps the answer
    expanded = []
    original = schedule._expand
    monkeypatch.setattr(schedule, "_expand", lambda *args: expanded.append(args) or original(*args))
    assert len(occurrences(model, *window, station="north")) == 14      # wang-fang 9, li-lei 5: from the memo
    assert expanded == []
    assert len(occurrences(model, *window, station="south")) == 5
    assert len(expanded) == 1

    monkeypatch.setattr(schedule, "MEMO_LIMIT", 2)
    occurrences(model, *window, officer="li-lei")                        # the memo was full: it starts again
    assert len(model.occurrence_memo) == 1


def test_holiday_for_all_stations_removes_every_duty():
    model = make_roster([WEEKLY_NORTH, WEEKLY_SOUTH, POLICE_NORTH],
                        exceptions=[{"from": "2026-11-09", "to": "2026-11-12", "reason": "放假"}])
    occs = occurrences(model, date(2026, 11, 2), date(2026, 11, 16))
    assert sorted(set(days_of(occs))) == ["2026-11-02", "2026-11-05", "2026-11-16"]


def test_one_day_exception_without_to():
    model = make_roster([WEEKLY_NORTH], exceptions=[{"from": "2026-11-05", "reason": "停电"}])
    assert days_of(occurrences(model, date(2026, 11, 2), date(2026, 11, 9))) == ["2026-11-02", "2026-11-09"]


def test_exception_for_one_station_only():
    model = make_roster([WEEKLY_NORTH, WEEKLY_SOUTH, POLICE_NORTH],
                        exceptions=[{"from": "2026-11-09", "station": "north", "reason": "线路检修"}])
    occs = occurrences(model, date(2026, 11, 9), date(2026, 11, 9))
    assert [(o.officer, o.station) for o in occs] == [("wang-fang", "south")]


def test_leave_of_one_officer_only():
    model = make_roster([WEEKLY_NORTH, WEEKLY_SOUTH, POLICE_NORTH],
                        exceptions=[{"from": "2026-11-09", "to": "2026-11-09", "officer": "wang-fang",
                                     "reason": "年休假"}])
    occs = occurrences(model, date(2026, 11, 9), date(2026, 11, 9))
    assert [(o.officer, o.station) for o in occs] == [("li-lei", "north")]


def test_exception_for_one_officer_at_one_station():
    model = make_roster([WEEKLY_NORTH, WEEKLY_SOUTH],
                        exceptions=[{"from": "2026-11-09", "officer": "wang-fang", "station": "south",
                                     "reason": "外出培训"}])
    occs = occurrences(model, date(2026, 11, 9), date(2026, 11, 9))
    assert [(o.officer, o.station) for o in occs] == [("wang-fang", "north")]


def test_cancelled_by_returns_the_exception():
    model = make_roster([WEEKLY_NORTH], exceptions=[{"from": "2026-10-01", "to": "2026-10-08", "reason": "国庆"}])
    exc = cancelled_by(model.exceptions, date(2026, 10, 8), "north", "wang-fang")
    assert exc is not None and exc.reason == "国庆"
    assert cancelled_by(model.exceptions, date(2026, 10, 9), "north", "wang-fang") is None
    assert cancelled_by(model.exceptions, date(2026, 9, 30), "north", "wang-fang") is None


DUTY_TABLE = {"month": "2026-12", "station": "south", "entries": [
    {"date": "2026-12-19", "officer": "han-mei", "opens_at": "09:00", "closes_at": "11:30", "note": "周六专场"},
    {"date": "2026-12-05", "officer": "han-mei", "opens_at": "09:00", "closes_at": "11:30"},
    {"date": "2026-12-12", "officer": "li-lei", "opens_at": "14:00", "closes_at": "16:00", "system": "reception"},
]}


def test_duty_table_entries_are_occurrences():
    model = make_roster([WEEKLY_NORTH], duty_tables=[DUTY_TABLE])
    occs = occurrences(model, date(2026, 12, 1), date(2026, 12, 31), station="south")
    assert [(o.start.isoformat(), o.officer, o.system, o.source, o.note) for o in occs] == [
        ("2026-12-05T09:00:00+08:00", "han-mei", "rotation", ("duty_tables", 0, "entries", 1), None),
        ("2026-12-12T14:00:00+08:00", "li-lei", "reception", ("duty_tables", 0, "entries", 2), None),
        ("2026-12-19T09:00:00+08:00", "han-mei", "rotation", ("duty_tables", 0, "entries", 0), "周六专场"),
    ]
    assert days_of(occurrences(model, date(2026, 12, 1), date(2026, 12, 31), officer="han-mei")) == [
        "2026-12-05", "2026-12-19"]
    assert occurrences(model, date(2026, 12, 6), date(2026, 12, 11), station="south") == []
    assert occurrences(model, date(2026, 12, 1), date(2026, 12, 31), station="north", officer="han-mei") == []


def test_duty_table_entries_are_cancelled_by_exceptions():
    model = make_roster([], duty_tables=[DUTY_TABLE],
                        exceptions=[{"from": "2026-12-12", "station": "south", "reason": "检修"},
                                    {"from": "2026-12-19", "officer": "han-mei", "reason": "病假"}])
    assert days_of(occurrences(model, date(2026, 12, 1), date(2026, 12, 31))) == ["2026-12-05"]


# ---------------------------------------------------------------- time zone

def test_all_times_are_shanghai_wall_clock_with_no_dst():
    model = make_roster([{"officer": "wang-fang", "station": "north",
                          "duties": [{"system": "resident", "freq": "daily", "opens_at": "08:30",
                                      "closes_at": "12:00"}]}])
    occs = occurrences(model, date(2026, 1, 1), date(2026, 12, 31))
    assert len(occs) == 365
    for occ in occs:
        assert occ.start.tzinfo is TZ and occ.end.tzinfo is TZ
        assert occ.start.utcoffset() == timedelta(hours=8)
        assert occ.end.utcoffset() == timedelta(hours=8)
        assert (occ.start.timetz().replace(tzinfo=None), occ.end.time()) == (time(8, 30), time(12, 0))
        assert occ.end - occ.start == timedelta(hours=3, minutes=30)
    # the dates where Europe and America change their clocks change nothing here
    for day in (date(2026, 3, 8), date(2026, 3, 29), date(2026, 10, 25), date(2026, 11, 1)):
        [occ] = [o for o in occs if o.start.date() == day]
        assert occ.start.isoformat() == f"{day.isoformat()}T08:30:00+08:00"
    assert str(TZ) == "Asia/Shanghai"


def test_utc_instant_of_a_duty():
    model = make_roster([WEEKLY_NORTH])
    [occ] = occurrences(model, date(2026, 7, 2), date(2026, 7, 2))
    assert occ.start.astimezone(timezone.utc) == datetime(2026, 7, 2, 0, 30, tzinfo=timezone.utc)


# ---------------------------------------------------------------- the small fixture

def test_small_fixture_schedule():
    model = roster.load_roster(SMALL, today=date(2026, 11, 22))
    december = occurrences(model, date(2026, 12, 1), date(2026, 12, 31))
    # 周明辉: first Tuesday at 文化路, second Tuesday at 书院
    zhou = [(o.start.date().isoformat(), o.station) for o in december if o.officer == "zhou-minghui"]
    assert zhou == [("2026-12-01", "wenhua-lu"), ("2026-12-08", "shuyuan")]
    # 何建国: alternate Wednesdays; week of 2026-01-05 at 文化路, the next at 书院, plus reception on 10 Dec
    he = [(o.start.date().isoformat(), o.station, o.system) for o in december if o.officer == "he-jianguo"]
    assert he == [("2026-12-02", "shuyuan", "rotation"), ("2026-12-09", "wenhua-lu", "rotation"),
                  ("2026-12-10", "wenhua-lu", "reception"), ("2026-12-16", "shuyuan", "rotation"),
                  ("2026-12-23", "wenhua-lu", "rotation"), ("2026-12-30", "shuyuan", "rotation")]
    # the duty table puts 谢宁 on two Saturdays at 江湾
    saturdays = [o for o in december if o.start.weekday() == 5]
    assert [(o.start.date().isoformat(), o.officer, o.station) for o in saturdays] == [
        ("2026-12-05", "xie-ning", "jiangwan"), ("2026-12-19", "xie-ning", "jiangwan")]
    # the New Year holiday cancels everything 1–3 January
    assert occurrences(model, date(2027, 1, 1), date(2027, 1, 3)) == []
    assert occurrences(model, date(2027, 1, 4), date(2027, 1, 4)) != []
    assert {o.system for o in occurrences(model, date(2026, 12, 1), date(2027, 1, 31))} == {
        "resident", "rotation", "visiting", "reception"}
