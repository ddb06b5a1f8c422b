"""Checks on a whole roster: roles per station (and vacancies), officers without a station, next
month's duty tables, officers replaced within a year.

They run on what can be checked (``roster/salvage.py``) even while other entries have errors,
and say, as ``Skipped``, what they had to leave out and why.
"""
from __future__ import annotations

import calendar
import difflib
import re
from datetime import date, timedelta

from .clashes import outside_opening_hours, overlaps, tables_on_holidays
from .diagnostics import WARNING, Diagnostic, Skipped
from .domain import Roster
from .salvage import Checkable
from .schedule import occurrences
from .source import Source

# Seed 000: departments file next month's duty table by the 30th; the check reminds from the 25th.
TABLE_REMINDER_DAY = 25
TABLE_DUE_DAY = 30
# Seed 004: officers and lawyers stay in a community at least a year (原则上至少一年不做变动).
TENURE_DAYS = 365


WHOLE_ROSTER_CHECKS = ("每个站点人员是否齐全、同一时间两处值班、值班是否在开放时间内、下月值班表、接替是否满一年",
                       "roles per station, clashes, opening hours, next month's tables, the one-year rule")
SCHEDULE_CHECKS = ("同一时间两处值班、值班是否在开放时间内、节假日里的值班、接替是否满一年",
                   "clashes, opening hours, duty on days off and the one-year rule")


def whole_roster_skipped(unread: list[str]) -> Skipped:
    files = "、".join(unread)
    return Skipped(*WHOLE_ROSTER_CHECKS, f"{files} 读不出来（见上面的错误），改正后才能检查",
                   f"{', '.join(unread)} could not be read (see the errors above)")


def check_coverage(ready: Checkable, off_src: Source, ros_src: Source, today: date,
                   defaulted: frozenset[str]) -> tuple[list[Diagnostic], list[Skipped]]:
    """Every check of a whole roster on what can be checked, and what each had to leave out."""
    model = ready.roster
    officers = off_src.renumbered(ready.officer_positions)
    stations = ros_src.renumbered(ready.roster_positions)
    out, skipped = [], []
    if defaulted & {"settings.required_roles", "settings.roles"}:
        skipped.append(Skipped("每个站点人员是否齐全", "roles per station",
                               "settings 里的 required_roles 或 roles 有错误", "settings.required_roles or settings.roles has an error"))
    else:
        required = tuple(r for r in model.settings.required_roles if r in model.roles)
        if len(required) < len(model.settings.required_roles):
            skipped.append(Skipped("站点有没有未知角色的人员", "stations for an unknown required role",
                                   "settings.required_roles 里有未知的角色", "settings.required_roles names an unknown role"))
        more, skipped_here = station_roles(model, off_src, stations, today, required)
        out += more
        skipped += skipped_here
    more, skipped_here = officers_without_station(model, officers, ros_src)
    out += more
    skipped += skipped_here
    out += overlaps(model, stations, today)
    out += outside_opening_hours(model, stations, today)
    out += tables_on_holidays(model, stations)
    out += next_month_tables(model, stations, today)
    out += replacements(model, stations, today)
    written = ros_src.as_written()
    bad_stations = ready.left_out.get("stations", ())
    if bad_stations:
        lines = _lines(written, "stations", bad_stations)
        skipped.append(Skipped("这些站点人员是否齐全、下月值班表", "roles and next month's table of these stations",
                               f"{written.file} 第 {lines} 行的站点有错误",
                               f"the stations on line(s) {_lines(written, 'stations', bad_stations, ', ')} have errors"))
    if ready.hours_left_out:
        lines = _lines(written, "stations", ready.hours_left_out)
        skipped.append(Skipped("值班是否在开放时间内", "duty within opening hours",
                               f"{written.file} 第 {lines} 行的站点开放时间有错误", "the opening hours of the stations on "
                               f"line(s) {_lines(written, 'stations', ready.hours_left_out, ', ')} have errors"))
    left = [(section, ready.left_out.get(section, ())) for section in ("assignments", "duty_tables", "exceptions")]
    if any(indices for _, indices in left):
        where_zh = "；".join(f"{section} 第 {_lines(written, section, indices)} 行" for section, indices in left if indices)
        where_en = "; ".join(f"{section} on line(s) {_lines(written, section, indices, ', ')}"
                             for section, indices in left if indices)
        skipped.append(Skipped(*SCHEDULE_CHECKS, f"没有算进有错误（或引用了有错误的人员、站点）的条目：{where_zh}",
                               f"entries with errors (or naming an officer or station with errors) were left out: "
                               f"{where_en}"))
    return out, skipped


def _lines(source: Source, section: str, indices, sep: str = "、") -> str:
    return sep.join(str(_line(source, section, i)) for i in indices)


def _written(data: object, section: str) -> list[tuple[int, dict]]:
    items = data.get(section) if isinstance(data, dict) else None
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)] if isinstance(items, list) else []


def _line(source: Source, section: str, index: int) -> int:
    return source.values.get((section, index), (1, 1))[0]


def written_roles(off_src: Source) -> dict[str, str]:
    """Officer id → role as written, also for officers whose entry has another error."""
    roles: dict[str, str] = {}
    for _, item in _written(off_src.data, "officers"):
        if item.get("id") is not None and isinstance(item.get("role"), str):
            roles.setdefault(str(item["id"]), item["role"].strip())
    return roles


def station_roles(model: Roster, off_src: Source, ros_src: Source, today: date,
                  required: tuple[str, ...]) -> tuple[list[Diagnostic], list[Skipped]]:
    """Every station has each required role, or a vacancy for it that has not run out.

    An assignment counts as written, even if its duty has an error: the officer is meant to be
    there, and the duty's own message says what to fix. An assignment whose officer cannot be
    told (an unknown id, an officer with an unknown role) leaves the role unknown, so the station
    is skipped for that role rather than blamed for it.
    """
    out, skipped = [], []
    roles_of = written_roles(off_src)
    written = _written(ros_src.data, "assignments")
    station_ids = [s.id for s in model.stations] + [str(item.get("id")) for _, item in _written(ros_src.data, "stations")]
    known_stations = set(station_ids)
    by_station: dict[str, list[tuple[int, str | None]]] = {}
    for a_index, item in written:
        station_id = str(item.get("station"))
        if station_id in known_stations:
            by_station.setdefault(station_id, []).append((a_index, str(item.get("officer"))))
        else:
            # an assignment to an unknown station that a station's id is the "did you mean" of
            # leaves that station undecided: fixing the typo may give it its role
            meant = _meant(station_id, station_ids)
            if meant:
                by_station.setdefault(meant, []).append((a_index, None))
    for i, station in enumerate(model.stations):
        mine = by_station.get(station.id, [])
        present = {roles_of.get(officer) for _, officer in mine}
        unknown = [a_index for a_index, officer in mine if roles_of.get(officer) not in model.roles]
        vacancies = {}
        for j, vacancy in enumerate(station.vacancies):
            vacancies.setdefault(vacancy.role, (j, vacancy))
        for role in required:
            name = model.role_name(role)
            vacancy = vacancies.get(role)
            if role in present:
                if vacancy:
                    out.append(ros_src.diagnostic(
                        ("stations", i, "vacancies", vacancy[0]), "vacancy-filled",
                        f"“{station.name}”已经有{name}，但仍登记着{name}岗位暂缺", f'"{station.name}" has a {role} but '
                        f"still declares the {role} post vacant", "删掉 vacancies 里的这一项",
                        "remove this entry from vacancies", severity=WARNING))
            elif unknown:
                lines = [str(_line(ros_src.as_written(), "assignments", a)) for a in unknown]
                skipped.append(Skipped(
                    f"“{station.name}”有没有{name}", f"whether {station.id} has a {role}",
                    f"{ros_src.file} 第 {'、'.join(lines)} 行的安排引用的人员或站点有错误，看不出是谁在哪里",
                    f"the assignment on line(s) {', '.join(lines)} names an officer or station with an error"))
            elif vacancy and today <= vacancy[1].expected:
                v = vacancy[1]
                out.append(ros_src.diagnostic(
                    ("stations", i, "vacancies", vacancy[0]), "vacancy",
                    f"“{station.name}”{name}岗位暂缺（{v.reason}），预计 {v.expected} 前到岗；网站上会写明暂缺",
                    f'"{station.name}" has no {role} for now ({v.reason}), expected by {v.expected}; the site says so',
                    f"有人到岗后在 assignments 里安排他/她，并删掉这条 vacancies；{v.expected} 后仍缺人将是错误",
                    f"when someone comes, add the assignment and remove this vacancy; after {v.expected} it is an error",
                    severity=WARNING))
            elif vacancy:
                v = vacancy[1]
                out.append(ros_src.diagnostic(
                    ("stations", i, "vacancies", vacancy[0], "expected"), "vacancy-overdue",
                    f"“{station.name}”{name}岗位暂缺，预计到岗日期 {v.expected} 已过，仍没有{name}",
                    f'"{station.name}" still has no {role}: the vacancy was expected to be filled by {v.expected}',
                    f"在 assignments 里给 {station.id} 安排一名{name}；确实还要等，就把 expected 改成新的预计日期",
                    f"assign a {role} to {station.id}, or set expected to the new date if it takes longer"))
            else:
                out.append(ros_src.diagnostic(
                    ("stations", i, "id"), "missing-role", f"站点“{station.name}”没有{name}",
                    f'station "{station.name}" has no {role}',
                    f"在 assignments 里给 {station.id} 安排一名 role 为 {role} 的人员；暂时没有人，就在站点下写 vacancies"
                    "（role、reason、expected）",
                    f"add an assignment of an officer with role {role} to {station.id}; if nobody is available yet, "
                    "declare it under the station's vacancies (role, reason, expected)"))
    return out, skipped


def _meant(reference: str, known: list[str]) -> str | None:
    """The id an unknown reference probably means (the same guess as its "did you mean" hint)."""
    if reference in known:
        return None
    close = difflib.get_close_matches(reference, known, n=1, cutoff=0.75)
    return close[0] if close else None


def officers_without_station(model: Roster, off_src: Source,
                             ros_src: Source) -> tuple[list[Diagnostic], list[Skipped]]:
    """Officers no assignment names. An officer that an unknown reference probably means (the
    "did you mean" of its message) is not blamed: fixing the typo gives them a station."""
    serving = {str(item.get("officer")) for _, item in _written(ros_src.data, "assignments")}
    known = {o.id for o in model.officers} | set(written_roles(off_src))
    meant = {_meant(officer, sorted(known)) for officer in serving - known}
    out, skipped = [], []
    for i, officer in enumerate(model.officers):
        if officer.id in serving:
            continue
        if officer.id in meant:
            skipped.append(Skipped(f"{officer.name} 有没有安排到站点", f"whether {officer.id} serves a station",
                                   f"有一条安排引用的人员编号和 {officer.id} 相近但不存在",
                                   f"an assignment names an unknown officer id close to {officer.id}"))
            continue
        out.append(off_src.diagnostic(("officers", i, "id"), "no-station", f"{officer.name} 没有安排到任何站点",
                                      f"{officer.name} serves no station",
                                      "在 roster.yaml 的 assignments 里给他/她安排站点，或删除此人",
                                      "add an assignment in roster.yaml, or remove the person", severity=WARNING))
    return out, skipped


def _next_month(today: date) -> date:
    return (today.replace(day=1) + timedelta(days=32)).replace(day=1)


def _month_key(value: object) -> str | None:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", str(value).strip())
    return f"{match.group(1)}-{int(match.group(2)):02d}" if match else None


def next_month_tables(model: Roster, ros_src: Source, today: date) -> list[Diagnostic]:
    """From the 25th, every station without a duty table for next month (a table written with an
    error counts as written: its own message says what to fix)."""
    if today.day < TABLE_REMINDER_DAY:
        return []
    first = _next_month(today)
    month = f"{first:%Y-%m}"
    due = today.replace(day=min(TABLE_DUE_DAY, calendar.monthrange(today.year, today.month)[1]))
    tabled = {str(item.get("station")) for _, item in _written(ros_src.data, "duty_tables")
              if _month_key(item.get("month")) == month}
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    busy = {o.station for o in occurrences(model, first, last)}
    when_zh = f"应在 {due:%m月%d日} 前报送" if today <= due else f"报送期限 {due:%m月%d日} 已过"
    when_en = f"due by {due}" if today <= due else f"it was due by {due}"
    out = []
    for i, station in enumerate(model.stations):
        if station.id in tabled and station.id in busy:
            continue
        if station.id in tabled:
            out.append(ros_src.diagnostic(
                ("stations", i, "id"), "next-month-empty", f"“{station.name}”下个月（{month}）没有任何值班安排",
                f'"{station.name}" has no duty next month ({month})',
                "下月值班表里的日期都不值班（节假日、暂停）：检查 duty_tables 和 exceptions",
                "next month's table has no day that takes place (days off, closures): check duty_tables and exceptions",
                severity=WARNING))
            continue
        none_zh, none_en = ("，下个月也没有任何值班安排", "; it has no duty at all next month") if station.id not in busy else ("", "")
        out.append(ros_src.diagnostic(
            ("stations", i, "id"), "next-month-table",
            f"“{station.name}”还没有下月（{month}）的值班表，{when_zh}{none_zh}",
            f'"{station.name}" has no duty table for next month ({month}), {when_en}{none_en}',
            f"在 duty_tables 里添加 month: {month}、station: {station.id} 的值班表",
            f"add a duty_tables entry with month: {month} and station: {station.id}", severity=WARNING))
    return out


def _years_later(day: date) -> date:
    return day + timedelta(days=TENURE_DAYS)


def replacements(model: Roster, ros_src: Source, today: date) -> list[Diagnostic]:
    """A role holder replaced before a year was up, or a new holder still inside the year.

    The roster holds only who serves now; the previous holder is what ``replaces`` records (git
    history is not there when the check runs, and a renamed id would look like a replacement).
    """
    out = []
    for i, assignment in enumerate(model.assignments):
        before = assignment.replaces
        if before is None or not model.has_officer(assignment.officer):
            continue
        officer, station = model.officer(assignment.officer), model.station(assignment.station)
        role = model.role_name(officer.role)
        where = ("assignments", i, "replaces")
        previous = model.officer(before.officer) if model.has_officer(before.officer) else None
        name = previous.name if previous else before.officer
        began = before.serving_since or (previous.serving_since if previous else None)
        handover = before.until or officer.serving_since
        if handover is None:
            out.append(ros_src.diagnostic(
                where, "replacement-undated", f"{officer.name} 接替 {name}，但没有写哪一天接替",
                f"{officer.id} replaces {name} but no date is given",
                f"在 officers.yaml 里给 {officer.name} 写 serving_since，或在 replaces 下写 until（前任最后一天）",
                f"give {officer.id} a serving_since in officers.yaml, or write until (the last day of {name})",
                severity=WARNING))
            continue
        if began and handover < _years_later(began):
            months = (handover.year - began.year) * 12 + handover.month - began.month
            out.append(ros_src.diagnostic(
                where, "replaced-early",
                f"“{station.name}”的{role} {name} 从 {began} 到 {handover} 只服务了约 {months} 个月就换成了 {officer.name}；"
                "下社区人员原则上至少一年不变动",
                f"{name}, {officer.role} at {station.id} since {began}, was replaced by {officer.id} on {handover}, "
                "within a year; officers should stay at least a year",
                "确需调整的，报街道办备案；否则请原人员继续服务", "if the change is needed, report it to the street office",
                severity=WARNING))
        elif today < _years_later(handover):
            out.append(ros_src.diagnostic(
                where, "replaced-recently",
                f"“{station.name}”的{role}在 {handover} 由 {name} 换成了 {officer.name}，不满一年；"
                f"{_years_later(handover)} 前原则上不要再调整",
                f"the {officer.role} of {station.id} changed from {name} to {officer.id} on {handover}, less than a "
                f"year ago; it should not change again before {_years_later(handover)}",
                "街道办知悉即可；需要再调整时先报街道办", "for the street office's information; report any further change",
                severity=WARNING))
    return out
