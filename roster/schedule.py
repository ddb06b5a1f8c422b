"""Duty schedules → concrete occurrences, with RRULE semantics (python-dateutil).

All times are wall-clock times in Asia/Shanghai, which has had no daylight saving since
1991, so a duty of 08:30–12:00 is 08:30–12:00 on every date.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil import rrule

from .domain import Roster
from .model import Duty, DutyException

TZ = ZoneInfo("Asia/Shanghai")
_FREQ = {"daily": rrule.DAILY, "weekly": rrule.WEEKLY, "monthly": rrule.MONTHLY}
_WEEKDAY = {"MO": rrule.MO, "TU": rrule.TU, "WE": rrule.WE, "TH": rrule.TH, "FR": rrule.FR, "SA": rrule.SA,
            "SU": rrule.SU}


@dataclass(frozen=True, order=True)
class Occurrence:
    start: datetime
    end: datetime
    officer: str
    station: str
    system: str
    # Where it was written, e.g. ("assignments", 3, "duties", 0): for messages and links.
    source: tuple = ()
    place: str | None = None
    note: str | None = None


def byday_weekdays(byday: tuple[str, ...]) -> list:
    result = []
    for code in byday:
        n, day = (int(code[:-2]), code[-2:]) if len(code) > 2 else (None, code)
        result.append(_WEEKDAY[day](n) if n else _WEEKDAY[day])
    return result


def duty_rule(duty: Duty, window_start: date) -> rrule.rrule | None:
    """The dateutil rule of a recurring duty, or None for a duty on listed dates only.

    With interval 1 the phase does not matter, so the rule starts at the window to keep
    expansion cheap; with a longer interval valid_from anchors the phase (checked elsewhere).
    """
    if duty.freq is None:
        return None
    anchor = duty.valid_from or window_start
    if duty.interval == 1:
        anchor = max(anchor, window_start)
    elif duty.freq == "weekly":
        anchor = anchor - timedelta(days=anchor.weekday())  # the week of valid_from is week one
    elif duty.freq == "monthly":
        anchor = anchor.replace(day=1)
    kwargs = {}
    if duty.byday:
        kwargs["byweekday"] = byday_weekdays(duty.byday)
    if duty.bymonthday:
        kwargs["bymonthday"] = duty.bymonthday
    until = datetime.combine(duty.valid_to, duty.opens_at) if duty.valid_to else None
    return rrule.rrule(_FREQ[duty.freq], interval=duty.interval, dtstart=datetime.combine(anchor, duty.opens_at),
                       until=until, wkst=rrule.MO, **kwargs)


def duty_dates(duty: Duty, start: date, end: date) -> list[date]:
    """Dates in [start, end] on which ``duty`` falls, before exceptions."""
    lo = max(start, duty.valid_from) if duty.valid_from else start
    hi = min(end, duty.valid_to) if duty.valid_to else end
    if hi < lo:
        return []
    rule = duty_rule(duty, lo)
    if rule is None:
        return sorted(d for d in set(duty.dates) if lo <= d <= hi)
    found = rule.between(datetime.combine(lo, datetime.min.time()), datetime.combine(hi, datetime.max.time()),
                         inc=True)
    return [d.date() for d in found if d.date() >= lo]


def cancelled_by(exceptions: tuple[DutyException, ...], day: date, station: str,
                 officer: str) -> DutyException | None:
    """The exception (holiday, leave) that cancels this officer's duty at this station, if any."""
    for exc in exceptions:
        if exc.from_ <= day <= exc.until and exc.station in (None, station) and exc.officer in (None, officer):
            return exc
    return None


def _at(day: date, moment) -> datetime:
    return datetime.combine(day, moment, tzinfo=TZ)


# Enough for every officer of a city's stations over the booking window, day by day; past that
# the memo starts again rather than grow without bound.
MEMO_LIMIT = 20_000


def occurrences(roster: Roster, start: date, end: date, *, station: str | None = None,
                officer: str | None = None) -> list[Occurrence]:
    """Every duty in [start, end] (both inclusive), exceptions removed, sorted by time."""
    key = (start, end, station, officer)
    found = roster.occurrence_memo.get(key)
    if found is None:
        found = tuple(_expand(roster, start, end, station, officer))
        if len(roster.occurrence_memo) >= MEMO_LIMIT:
            roster.occurrence_memo.clear()
        roster.occurrence_memo[key] = found
    return list(found)


def _expand(roster: Roster, start: date, end: date, station: str | None, officer: str | None) -> list[Occurrence]:
    found: list[Occurrence] = []
    for a_index, assignment in roster.numbered_assignments(station, officer):
        for d_index, duty in enumerate(assignment.duties):
            for day in duty_dates(duty, start, end):
                if cancelled_by(roster.exceptions, day, assignment.station, assignment.officer):
                    continue
                found.append(Occurrence(_at(day, duty.opens_at), _at(day, duty.closes_at), assignment.officer,
                                        assignment.station, duty.system, ("assignments", a_index, "duties", d_index),
                                        duty.place, duty.note))
    for t_index, table in enumerate(roster.duty_tables):
        if station not in (None, table.station):
            continue
        for e_index, entry in enumerate(table.entries):
            if officer not in (None, entry.officer) or not start <= entry.date <= end:
                continue
            if cancelled_by(roster.exceptions, entry.date, table.station, entry.officer):
                continue
            found.append(Occurrence(_at(entry.date, entry.opens_at), _at(entry.date, entry.closes_at), entry.officer,
                                    table.station, entry.system, ("duty_tables", t_index, "entries", e_index),
                                    None, entry.note))
    found.sort()
    return found


def today() -> date:
    return datetime.now(TZ).date()
