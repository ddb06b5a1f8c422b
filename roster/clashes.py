"""Checks on duty expanded into dates: one officer in two places at once, duty while the station
is closed, a monthly table entry on a day off."""
from __future__ import annotations

from datetime import date, timedelta

from .describe import weekday_char
from .diagnostics import WARNING, Diagnostic
from .domain import Roster
from .model import WEEKDAYS
from .schedule import cancelled_by, duty_dates, occurrences
from .source import Source

OVERLAP_HORIZON_DAYS = 366


def _open_at(station, day: date, opens, closes) -> bool:
    code = WEEKDAYS[day.weekday()]
    return any(code in {d[-2:] for d in hours.byday} and hours.opens_at <= opens and closes <= hours.closes_at
               for hours in station.opening_hours)


def outside_opening_hours(model: Roster, source: Source, today: date) -> list[Diagnostic]:
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


def tables_on_holidays(model: Roster, source: Source) -> list[Diagnostic]:
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


def overlaps(model: Roster, source: Source, today: date) -> list[Diagnostic]:
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

