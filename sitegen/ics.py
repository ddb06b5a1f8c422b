"""Duty calendars (RFC 5545): one feed per station and per officer, with RRULE where duty recurs."""
from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlparse

from icalendar import Calendar, Event, Timezone, TimezoneStandard

from roster.describe import duty_words
from roster.domain import Roster
from roster.model import DUTY_SYSTEMS, Assignment, Duty
from roster.schedule import TZ, cancelled_by, duty_dates

# Feeds start a month back so that a phone shows the recent past too, and reach a year ahead
# for duty on listed dates; recurring duty runs on by its RRULE.
PAST_DAYS = 31
AHEAD_DAYS = 400


def _shanghai() -> Timezone:
    """Asia/Shanghai as calendars commonly publish it: +08:00 all year (no DST since 1991).

    icalendar can derive this from zoneinfo, but that walks the whole transition history and
    costs ~30 ms per feed: too slow for thousands of stations.
    """
    zone = Timezone()
    zone.add("tzid", "Asia/Shanghai")
    zone.add("x-lic-location", "Asia/Shanghai")
    standard = TimezoneStandard()
    standard.add("tzname", "CST")
    standard.add("tzoffsetfrom", timedelta(hours=8))
    standard.add("tzoffsetto", timedelta(hours=8))
    standard.add("dtstart", datetime(1970, 1, 1))
    zone.add_component(standard)
    return zone


def _uid(host: str, *parts: object) -> str:
    digest = hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:16]
    return f"{digest}@{host}"


def _event(roster: Roster, assignment_station: str, officer_id: str, system: str, day: date, opens, closes,
           uid: str, stamp: datetime, description: str) -> Event:
    officer = roster.officer(officer_id)
    station = roster.station(assignment_station)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", datetime.combine(day, opens, tzinfo=TZ))
    event.add("dtend", datetime.combine(day, closes, tzinfo=TZ))
    event.add("summary", f"{roster.role_name(officer.role)}{officer.name}{DUTY_SYSTEMS[system]} · {station.name}")
    event.add("location", f"{station.name}，{station.address}")
    event.add("description", description)
    event.add("categories", [DUTY_SYSTEMS[system]])
    event.add("transp", "TRANSPARENT")
    return event


def _duty_events(roster: Roster, assignment: Assignment, duty: Duty, today: date, host: str,
                 stamp: datetime) -> list[Event]:
    officer = roster.officer(assignment.officer)
    start, end = today - timedelta(days=PAST_DAYS), today + timedelta(days=AHEAD_DAYS)
    words = duty_words(duty)
    description = f"{words}\n办公电话：{officer.phone}" + (f"\n{duty.note}" if duty.note else "")
    key = (assignment.officer, assignment.station, duty.model_dump_json())
    if duty.freq is None:
        events = []
        for day in duty_dates(duty, start, end):
            if cancelled_by(roster.exceptions, day, assignment.station, assignment.officer):
                continue
            events.append(_event(roster, assignment.station, assignment.officer, duty.system, day, duty.opens_at,
                                 duty.closes_at, _uid(host, *key, day), stamp, description))
        return events
    upcoming = duty_dates(duty, start, end)
    if not upcoming:
        return []
    first = upcoming[0]
    event = _event(roster, assignment.station, assignment.officer, duty.system, first, duty.opens_at,
                   duty.closes_at, _uid(host, *key), stamp, description)
    rule = {"FREQ": duty.freq.upper(), "WKST": "MO"}
    if duty.interval > 1:
        rule["INTERVAL"] = duty.interval
    if duty.byday:
        rule["BYDAY"] = list(duty.byday)
    if duty.bymonthday:
        rule["BYMONTHDAY"] = list(duty.bymonthday)
    if duty.valid_to:
        # With a TZID start, RFC 5545 wants UNTIL in UTC.
        rule["UNTIL"] = datetime.combine(duty.valid_to, duty.closes_at, tzinfo=TZ).astimezone(timezone.utc)
    event.add("rrule", rule)
    for exc in roster.exceptions:
        if exc.station not in (None, assignment.station) or exc.officer not in (None, assignment.officer):
            continue
        for day in duty_dates(duty, max(exc.from_, first), exc.until):
            event.add("exdate", datetime.combine(day, duty.opens_at, tzinfo=TZ))
    return [event]


def duty_calendar(roster: Roster, today: date, base_url: str, title: str, *, station: str | None = None,
                  officer: str | None = None) -> bytes:
    host = urlparse(base_url).hostname or "localhost"
    stamp = datetime.combine(roster.updated, datetime.min.time(), tzinfo=timezone.utc)
    cal = Calendar()
    cal.add("prodid", "-//sanguan-board//duty calendar//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", title)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    cal.add("refresh-interval", timedelta(days=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "P1D")
    cal.add_component(_shanghai())
    for _, assignment in roster.numbered_assignments(station, officer):
        for duty in assignment.duties:
            for event in _duty_events(roster, assignment, duty, today, host, stamp):
                cal.add_component(event)
    start = today - timedelta(days=PAST_DAYS)
    for table in roster.duty_tables:
        if station not in (None, table.station):
            continue
        for entry in table.entries:
            if officer not in (None, entry.officer) or entry.date < start:
                continue
            if cancelled_by(roster.exceptions, entry.date, table.station, entry.officer):
                continue
            who = roster.officer(entry.officer)
            description = f"{table.month} 值班表\n办公电话：{who.phone}" + (f"\n{entry.note}" if entry.note else "")
            cal.add_component(_event(roster, table.station, entry.officer, entry.system, entry.date, entry.opens_at,
                                     entry.closes_at, _uid(host, table.station, entry.model_dump_json()), stamp,
                                     description))
    return cal.to_ical()
