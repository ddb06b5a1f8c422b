"""Checks that need more than one field: references, dates in order, clashes, coverage."""
from __future__ import annotations

import calendar
import difflib
from datetime import date, timedelta

from .describe import weekday_char
from .diagnostics import WARNING, Diagnostic
from .domain import Roster
from .model import BUILTIN_ROLES, WEEKDAYS, OfficersFile, RosterFile
from .phones import MOBILE, SHORT
from .repeats import repeated_entries
from .schedule import cancelled_by, duty_dates, occurrences
from .source import Source

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".svg"}
OVERLAP_HORIZON_DAYS = 366


def _duplicates(source: Source, items, path: tuple, what_zh: str, what_en: str) -> list[Diagnostic]:
    found, first = [], {}
    for i, item in enumerate(items):
        if item.id in first:
            line = source.position(path + (first[item.id], "id"))[0]
            found.append(source.diagnostic(
                path + (i, "id"), "duplicate-id", f"{what_zh}编号“{item.id}”重复（第一次在第 {line} 行）",
                f'duplicate {what_en} id "{item.id}" (first on line {line})',
                "每个编号只能用一次：改一个新编号，或删掉重复的一项", "each id may be used once: choose another id or remove the copy"))
        else:
            first[item.id] = i
    return found


def _unknown(source: Source, path: tuple, value: str, known, what_zh: str, what_en: str,
             defined_in: str) -> Diagnostic:
    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.75)
    hint_zh = f"是不是“{close[0]}”？" if close else f"先在 {defined_in} 里定义它，或改成已有的编号"
    hint_en = f'did you mean "{close[0]}"?' if close else f"define it in {defined_in} first, or use an existing id"
    return source.diagnostic(path, "unknown-reference", f"找不到{what_zh}“{value}”", f'unknown {what_en} "{value}"',
                             hint_zh, hint_en)


def _unknown_role(source: Source, path: tuple, value: str, roles: dict) -> Diagnostic:
    by_name = {name: code for code, name in roles.items()}
    listed_zh = "、".join(f"{code}（{name}）" for code, name in roles.items())
    wanted = by_name.get(value) or by_name.get(value.strip()) or (value.lower() if value.lower() in roles else None)
    if wanted:
        return source.diagnostic(path, "unknown-role", f"角色要写成英文代码：“{value}”应写作“{wanted}”",
                                 f'write the role code "{wanted}" instead of "{value}"', f"可选：{listed_zh}",
                                 "allowed: " + ", ".join(roles))
    close = difflib.get_close_matches(value, list(roles), n=1, cutoff=0.75)
    if close:
        return source.diagnostic(path, "unknown-role", f"没有“{value}”这个角色", f'unknown role "{value}"',
                                 f"是不是“{close[0]}”？", f'did you mean "{close[0]}"?')
    return source.diagnostic(path, "unknown-role", f"没有“{value}”这个角色", f'unknown role "{value}"',
                             f"可选：{listed_zh}；新角色先在 roster.yaml 的 settings.roles 里定义",
                             "allowed: " + ", ".join(roles) + "; define new roles in settings.roles in roster.yaml")


def _office_phone(source: Source, path: tuple, officer) -> list[Diagnostic]:
    """The board shows office phones only (PIPL): a mobile or an emergency number here is a mistake."""
    if MOBILE.match(officer.phone):
        return [source.diagnostic(path, "mobile-as-office-phone",
                                  f"{officer.name} 的办公电话是手机号 {officer.phone}，会公开在公示栏和网站上",
                                  f"{officer.name}'s office phone is a mobile number and will be published",
                                  "尽量填单位座机；确需公开手机号，须经本人同意", "prefer the office landline; publish a mobile only with consent",
                                  severity=WARNING)]
    if SHORT.match(officer.phone):
        return [source.diagnostic(path, "hotline-as-office-phone", f"{officer.phone} 是公共热线，不是 {officer.name} 的办公电话",
                                  f"{officer.phone} is a public hotline, not {officer.name}'s office phone",
                                  "填本人的办公座机", "write the officer's own office number")]
    return []


def written_ids(data: object, section: str) -> set[str]:
    """Ids written in a section of the raw file, including entries that failed validation.

    References to an entry that has its own error are not reported a second time.
    """
    items = data.get(section) if isinstance(data, dict) else None
    return {str(item["id"]) for item in items or () if isinstance(item, dict) and item.get("id") is not None}


def check_structure(officers: OfficersFile, roster: RosterFile, off_src: Source, ros_src: Source,
                    data_dir) -> list[Diagnostic]:
    """Ids, references and field combinations; needs no schedule expansion.

    ``officers`` and ``roster`` may hold only the entries that validated (see salvage in the
    loader), so that one bad entry does not hide the problems of all the others.
    """
    out: list[Diagnostic] = []
    out += _duplicates(off_src, officers.officers, ("officers",), "人员", "officer")
    out += _duplicates(ros_src, roster.districts, ("districts",), "区", "district")
    out += _duplicates(ros_src, roster.streets, ("streets",), "街道", "street")
    out += _duplicates(ros_src, roster.stations, ("stations",), "站点", "station")
    out += _duplicates(ros_src, roster.settings.roles, ("settings", "roles"), "角色", "role")
    out += repeated_entries(off_src) + repeated_entries(ros_src)

    roles = dict(BUILTIN_ROLES) | {r.id: r.name for r in roster.settings.roles}
    officer_ids = {o.id for o in officers.officers} | written_ids(off_src.data, "officers")
    station_ids = {s.id for s in roster.stations} | written_ids(ros_src.data, "stations")
    street_ids = {s.id for s in roster.streets} | written_ids(ros_src.data, "streets")
    district_ids = {d.id for d in roster.districts} | written_ids(ros_src.data, "districts")
    for i, role in enumerate(roster.settings.required_roles):
        if role not in roles:
            out.append(_unknown_role(ros_src, ("settings", "required_roles", i), role, roles))
    for role in roster.settings.booking_days_by_role:
        if role not in roles:
            out.append(_unknown_role(ros_src, ("settings", "booking_days_by_role", role), role, roles))
    for i, officer in enumerate(officers.officers):
        if officer.role not in roles:
            out.append(_unknown_role(off_src, ("officers", i, "role"), officer.role, roles))
        out += _office_phone(off_src, ("officers", i, "phone"), officer)
        if officer.photo:
            path = data_dir / officer.photo
            if path.suffix.lower() not in PHOTO_SUFFIXES:
                out.append(off_src.diagnostic(("officers", i, "photo"), "photo-type", "照片格式不支持",
                                              "unsupported photo format", "用 JPG、PNG、WebP 或 SVG 图片",
                                              "use a JPG, PNG, WebP or SVG image"))
            elif not path.is_file():
                out.append(off_src.diagnostic(
                    ("officers", i, "photo"), "photo-missing", f"找不到照片文件 {officer.photo}，将显示姓氏头像",
                    f"photo file {officer.photo} not found; an initials avatar will be shown",
                    f"把照片放到 {path}，或删掉 photo 这一行", f"put the photo at {path}, or remove the photo line",
                    severity=WARNING))
    for i, street in enumerate(roster.streets):
        if street.district not in district_ids:
            out.append(_unknown(ros_src, ("streets", i, "district"), street.district, district_ids, "区", "district",
                                "districts"))
    for i, station in enumerate(roster.stations):
        if station.street not in street_ids:
            out.append(_unknown(ros_src, ("stations", i, "street"), station.street, street_ids, "街道", "street",
                                "streets"))
        for j, hours in enumerate(station.opening_hours):
            out += _time_order(ros_src, ("stations", i, "opening_hours", j), hours.opens_at, hours.closes_at)
    for i, assignment in enumerate(roster.assignments):
        base = ("assignments", i)
        if assignment.officer not in officer_ids:
            out.append(_unknown(ros_src, base + ("officer",), assignment.officer, officer_ids, "人员", "officer",
                                "officers.yaml"))
        if assignment.station not in station_ids:
            out.append(_unknown(ros_src, base + ("station",), assignment.station, station_ids, "站点", "station",
                                "stations"))
        for j, duty in enumerate(assignment.duties):
            out += _check_duty(ros_src, base + ("duties", j), duty)
    for i, exc in enumerate(roster.exceptions):
        base = ("exceptions", i)
        if exc.to and exc.to < exc.from_:
            out.append(ros_src.diagnostic(base + ("to",), "date-order", f"结束日期 {exc.to} 早于开始日期 {exc.from_}",
                                          f"end date {exc.to} is before start date {exc.from_}",
                                          "把 from 和 to 对调，或改正日期", "swap from and to, or correct the dates"))
        if exc.station and exc.station not in station_ids:
            out.append(_unknown(ros_src, base + ("station",), exc.station, station_ids, "站点", "station", "stations"))
        if exc.officer and exc.officer not in officer_ids:
            out.append(_unknown(ros_src, base + ("officer",), exc.officer, officer_ids, "人员", "officer",
                                "officers.yaml"))
    for i, table in enumerate(roster.duty_tables):
        base = ("duty_tables", i)
        if table.station not in station_ids:
            out.append(_unknown(ros_src, base + ("station",), table.station, station_ids, "站点", "station", "stations"))
        year, month = map(int, table.month.split("-"))
        for j, entry in enumerate(table.entries):
            where = base + ("entries", j)
            if (entry.date.year, entry.date.month) != (year, month):
                out.append(ros_src.diagnostic(where + ("date",), "date-outside-month",
                                              f"日期 {entry.date} 不在本表的月份 {table.month} 内",
                                              f"date {entry.date} is outside this table's month {table.month}",
                                              "改正日期，或把这一行移到对应月份的值班表", "correct the date or move the entry to that month's table"))
            if entry.officer not in officer_ids:
                out.append(_unknown(ros_src, where + ("officer",), entry.officer, officer_ids, "人员", "officer",
                                    "officers.yaml"))
            out += _time_order(ros_src, where, entry.opens_at, entry.closes_at)
    return out


def _time_order(source: Source, path: tuple, opens, closes) -> list[Diagnostic]:
    if closes <= opens:
        return [source.diagnostic(path + ("closes_at",), "time-order",
                                  f"结束时间 {closes:%H:%M} 不晚于开始时间 {opens:%H:%M}",
                                  f"closing time {closes:%H:%M} is not after opening time {opens:%H:%M}",
                                  "结束时间要晚于开始时间；跨午夜的班次请拆成两段", "the end must be after the start; split a shift over midnight in two")]
    return []


def _check_duty(source: Source, path: tuple, duty) -> list[Diagnostic]:
    out = _time_order(source, path, duty.opens_at, duty.closes_at)
    if duty.valid_from and duty.valid_to and duty.valid_to < duty.valid_from:
        out.append(source.diagnostic(path + ("valid_to",), "date-order",
                                     f"valid_to {duty.valid_to} 早于 valid_from {duty.valid_from}",
                                     f"valid_to {duty.valid_to} is before valid_from {duty.valid_from}",
                                     "对调两个日期，或改正日期", "swap the two dates or correct them"))
    if duty.freq is None and not duty.dates:
        out.append(source.diagnostic(path, "no-recurrence", "没有写何时值班：要么写 freq（重复），要么写 dates（日期）",
                                     "no day given: write either freq (recurring) or dates (listed days)",
                                     "例如 freq: weekly 加 byday: [MO, WE]，或 dates: [2026-12-03]",
                                     "e.g. freq: weekly with byday: [MO, WE], or dates: [2026-12-03]"))
    if duty.freq and duty.dates:
        out.append(source.diagnostic(path + ("dates",), "freq-and-dates", "freq 和 dates 只能写一个",
                                     "write either freq or dates, not both", "把固定日期单独写成另一条值班",
                                     "move the listed dates into a duty of their own"))
    if duty.freq == "weekly" and not duty.byday:
        out.append(source.diagnostic(path + ("freq",), "weekly-needs-byday", "按周值班要写 byday（星期几）",
                                     "a weekly duty needs byday (which weekdays)", "例如 byday: [MO, WE, FR]",
                                     "e.g. byday: [MO, WE, FR]"))
    if duty.freq == "monthly" and not (duty.byday or duty.bymonthday):
        out.append(source.diagnostic(path + ("freq",), "monthly-needs-day", "按月值班要写 byday（如 1TH）或 bymonthday（如 15）",
                                     "a monthly duty needs byday (e.g. 1TH) or bymonthday (e.g. 15)",
                                     "每月第一个周四写 byday: [1TH]；每月 15 日写 bymonthday: [15]",
                                     "first Thursday: byday: [1TH]; the 15th: bymonthday: [15]"))
    if duty.freq != "monthly":
        for k, code in enumerate(duty.byday):
            if len(code) > 2:
                out.append(source.diagnostic(path + ("byday", k), "ordinal-not-monthly",
                                             f"“{code}”（第几个星期几）只能用于按月值班",
                                             f'"{code}" (nth weekday) only works with freq: monthly',
                                             "改成 freq: monthly，或去掉数字", "use freq: monthly, or drop the number"))
    if duty.interval > 1 and not duty.valid_from:
        out.append(source.diagnostic(path + ("interval",), "interval-needs-anchor",
                                     "隔周/隔月值班要写 valid_from，说明从哪一周（月）开始",
                                     "a duty every few weeks/months needs valid_from to fix which week (month) is first",
                                     "加上 valid_from: 2026-11-02 之类的开始日期", "add a start date such as valid_from: 2026-11-02"))
    return out


def check_coverage(model: Roster, off_src: Source, ros_src: Source, today: date) -> list[Diagnostic]:
    """Roles per station, officers without a station, clashes and next month's duty."""
    out: list[Diagnostic] = []
    station_index = {s.id: i for i, s in enumerate(model.stations)}
    for i, station in enumerate(model.stations):
        present = {o.role for o in model.officers_at(station.id)}
        for role in model.settings.required_roles:
            if role not in present:
                name = model.role_name(role)
                out.append(ros_src.diagnostic(
                    ("stations", i, "id"), "missing-role", f"站点“{station.name}”没有{name}",
                    f'station "{station.name}" has no {role}',
                    f"在 assignments 里给 {station.id} 安排一名 role 为 {role} 的人员",
                    f"add an assignment of an officer with role {role} to {station.id}"))
    for i, officer in enumerate(model.officers):
        if not model.assignments_of(officer.id):
            out.append(off_src.diagnostic(("officers", i, "id"), "no-station", f"{officer.name} 没有安排到任何站点",
                                          f"{officer.name} serves no station",
                                          "在 roster.yaml 的 assignments 里给他/她安排站点，或删除此人",
                                          "add an assignment in roster.yaml, or remove the person", severity=WARNING))
    out += _overlaps(model, ros_src, today)
    out += _outside_opening_hours(model, ros_src, today)
    out += _tables_on_holidays(model, ros_src)
    if today.day > 25:
        first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        busy = {o.station for o in occurrences(model, first, last)}
        for station in model.stations:
            if station.id not in busy:
                out.append(ros_src.diagnostic(
                    ("stations", station_index[station.id], "id"), "next-month-empty",
                    f"“{station.name}”下个月（{first:%Y-%m}）还没有任何值班安排",
                    f'"{station.name}" has no duty next month ({first:%Y-%m})',
                    "按规定每月 30 日前报下月值班表：在 duty_tables 里添加下月的表", "file next month's duty table by the 30th (duty_tables)",
                    severity=WARNING))
    return out


def _open_at(station, day: date, opens, closes) -> bool:
    code = WEEKDAYS[day.weekday()]
    return any(code in {d[-2:] for d in hours.byday} and hours.opens_at <= opens and closes <= hours.closes_at
               for hours in station.opening_hours)


def _outside_opening_hours(model: Roster, source: Source, today: date) -> list[Diagnostic]:
    """Duty when the station is closed: residents would find a locked door (checked over 8 weeks)."""
    out = []
    for a_index, assignment in enumerate(model.assignments):
        station = model.station(assignment.station)
        if not station.opening_hours:
            continue
        for d_index, duty in enumerate(assignment.duties):
            start = max(today, duty.valid_from) if duty.valid_from else today
            for day in duty_dates(duty, start, start + timedelta(weeks=8)):
                if not _open_at(station, day, duty.opens_at, duty.closes_at):
                    when = f"{day:%Y-%m-%d}（周{weekday_char(day)}）{duty.opens_at:%H:%M}–{duty.closes_at:%H:%M}"
                    out.append(source.diagnostic(
                        ("assignments", a_index, "duties", d_index), "outside-opening-hours",
                        f"{model.officer(assignment.officer).name} 在 {when} 值班，但“{station.name}”那时不开放",
                        f"{assignment.officer} is on duty {day} {duty.opens_at:%H:%M}-{duty.closes_at:%H:%M} "
                        f"while {station.id} is closed",
                        "调整值班时间，或修改站点的 opening_hours", "change the duty, or the station's opening_hours",
                        severity=WARNING))
                    break
    return out


def _tables_on_holidays(model: Roster, source: Source) -> list[Diagnostic]:
    out = []
    for t_index, table in enumerate(model.duty_tables):
        for e_index, entry in enumerate(table.entries):
            exc = cancelled_by(model.exceptions, entry.date, table.station, entry.officer)
            if exc:
                out.append(source.diagnostic(
                    ("duty_tables", t_index, "entries", e_index), "table-on-holiday",
                    f"{entry.date} 是“{exc.reason}”，这条值班不会显示", f"{entry.date} is a day off ({exc.reason}); "
                    "this entry will not be shown", "删掉这一条，或检查 exceptions 里的日期",
                    "remove the entry, or check the dates in exceptions", severity=WARNING))
    return out


def _overlaps(model: Roster, source: Source, today: date) -> list[Diagnostic]:
    multi = [o.id for o in model.officers if len({a.station for a in model.assignments_of(o.id)}) > 1
             or any(e.officer == o.id for t in model.duty_tables for e in t.entries)]
    out, reported = [], set()
    end = today + timedelta(days=OVERLAP_HORIZON_DAYS)
    for officer_id in multi:
        busy = occurrences(model, today, end, officer=officer_id)
        latest = None
        for occ in busy:
            if latest and occ.start < latest.end and occ.station != latest.station:
                pair = (latest.source, occ.source)
                if pair not in reported:
                    reported.add(pair)
                    out.append(_overlap_diagnostic(model, source, latest, occ))
            if latest is None or occ.end > latest.end:
                latest = occ
    return out


def _overlap_diagnostic(model: Roster, source: Source, first, second) -> Diagnostic:
    officer = model.officer(second.officer)
    a, b = model.station(first.station).name, model.station(second.station).name
    other_line = source.position(first.source)[0]
    when = f"{second.start:%Y-%m-%d %H:%M}"
    return source.diagnostic(
        second.source, "overlap",
        f"{officer.name} 在 {when} 同时在“{a}”和“{b}”值班（另一处在第 {other_line} 行）",
        f"{officer.id} is on duty at {first.station} and {second.station} at the same time, {when} "
        f"(the other duty is on line {other_line})",
        "调整其中一处的时间或日期，使两段值班不重叠", "change the time or days of one duty so that they do not overlap")

