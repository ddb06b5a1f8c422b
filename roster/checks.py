"""Checks that need more than one field: ids, references, dates in order, field combinations."""
from __future__ import annotations

import difflib
from .diagnostics import WARNING, Diagnostic
from .model import BUILTIN_ROLES, OfficersFile, RosterFile
from .phones import MOBILE, SHORT
from .source import Source

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".svg"}


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
    loader), numbered like those models: ``off_src`` and ``ros_src`` are renumbered to match, so
    that one bad entry does not hide the problems of all the others nor move their line numbers.
    """
    out: list[Diagnostic] = []
    out += _duplicates(off_src, officers.officers, ("officers",), "人员", "officer")
    out += _duplicates(ros_src, roster.districts, ("districts",), "区", "district")
    out += _duplicates(ros_src, roster.streets, ("streets",), "街道", "street")
    out += _duplicates(ros_src, roster.stations, ("stations",), "站点", "station")
    out += _duplicates(ros_src, roster.settings.roles, ("settings", "roles"), "角色", "role")

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
    departments = set(roster.settings.departments)
    for department, contacts in roster.settings.department_contacts.items():
        where = ("settings", "department_contacts", department)
        if department not in departments:
            out.append(_unknown(ros_src, where, department, departments, "部门", "department",
                                "settings.departments"))
        for ref in contacts:
            if ref not in station_ids | street_ids:
                out.append(_unknown(ros_src, where + (ref,), ref, station_ids | street_ids, "街道或站点",
                                    "street or station", "streets 或 stations"))
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
        for j, vacancy in enumerate(station.vacancies):
            if vacancy.role not in roles:
                out.append(_unknown_role(ros_src, ("stations", i, "vacancies", j, "role"), vacancy.role, roles))
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
