"""Bookable slots: the published duty, cut into slot lengths, minus holidays, past and full slots."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from roster import Roster, occurrences
from roster.model import Officer

from .. import clock
from ..clock import aware, naive
from ..extensions import db
from .sql import TAKEN_SEATS


@dataclass(frozen=True)
class Slot:
    officer: str
    station: str
    start: datetime  # aware, Asia/Shanghai
    end: datetime
    remaining: int

    @property
    def key(self) -> str:
        """The value a form posts back: officer and start, e.g. chen-hao@2026-11-23T09:00."""
        return f"{self.officer}@{self.start.isoformat(timespec='minutes')[:16]}"


# How far ahead a person's next duty is looked for when it lies past their booking window: the
# longest window the settings allow, so a person who comes even once a quarter can be booked.
NEXT_DUTY_HORIZON_DAYS = 90


def people_at(roster: Roster, station: str, today: date | None = None) -> list[Officer]:
    """Everyone the station's board shows on duty, so everyone it shows can be booked: the
    station's assignments in board order, then the people of its monthly duty tables who have a
    day still to come there (a table is published on the station page like an assignment)."""
    today = today or clock.now().date()
    found = list(roster.officers_at(station))
    seen = {o.id for o in found}
    extra = {entry.officer for table in roster.tables_at(station) for entry in table.entries
             if entry.date >= today and entry.officer not in seen and roster.has_officer(entry.officer)}
    found += sorted((roster.officer(o) for o in extra), key=lambda o: (roster.role_order(o.role), o.name))
    return found


def officers_for(roster: Roster, station: str, officer: str | None = None, role: str | None = None,
                 today: date | None = None) -> list[str]:
    found = [o.id for o in people_at(roster, station, today)]
    if officer:
        found = [o for o in found if o == officer]
    if role:
        found = [o for o in found if roster.officer(o).role == role]
    return found


def _cut(occ, length: timedelta):
    """The starts of the slots a duty is cut into: from its opening, every ``length``, while a
    whole slot fits before it closes."""
    start = occ.start
    while start + length <= occ.end:
        yield start
        start += length


def candidate_slots(roster: Roster, station: str, officers: list[str], first_day: date, days: int,
                    now: datetime) -> list[tuple[str, datetime, datetime]]:
    """(officer, start, end) cut from the duty, before counting bookings."""
    settings = roster.settings
    length = timedelta(minutes=settings.slot_minutes)
    earliest = now + timedelta(minutes=settings.min_notice_minutes)
    found = []
    for officer in officers:
        for occ in occurrences(roster, first_day, first_day + timedelta(days=days - 1), station=station,
                               officer=officer):
            found.extend((officer, start, start + length) for start in _cut(occ, length) if start >= earliest)
    found.sort(key=lambda s: (s[1], s[0]))
    return found


def taken_seats(officers: list[str], starts: list[datetime]) -> Counter:
    if not starts:
        return Counter()
    rows = db.session.connection().execute(
        TAKEN_SEATS, {"officers": officers, "first": naive(min(starts)), "last": naive(max(starts))})
    return Counter((officer, start) for officer, start in rows)


def window_end(roster: Roster, station: str, officer: str, now: datetime) -> date:
    """The last day ``officer`` can be booked at ``station``: the role's window (``booking_days_by_role``,
    else ``booking_days``) and, when that holds no slot of theirs, up to their next duty, so a
    judge who comes once a month can always be booked for the next visit. The one rule of the
    window, for the page and for the check of a posted slot."""
    settings = roster.settings
    days = settings.booking_days_by_role.get(roster.officer(officer).role, settings.booking_days)
    today = now.date()
    last = today + timedelta(days=days - 1)
    if _first_start(roster, station, officer, today, last, now) is not None:
        return last
    horizon = today + timedelta(days=NEXT_DUTY_HORIZON_DAYS - 1)
    first = _first_start(roster, station, officer, last + timedelta(days=1), horizon, now)
    return first.date() if first is not None else last


def _first_start(roster: Roster, station: str, officer: str, first_day: date, last_day: date,
                 now: datetime) -> datetime | None:
    """The first slot start of ``officer`` in [first_day, last_day] that the notice period allows."""
    if last_day < first_day:
        return None
    length = timedelta(minutes=roster.settings.slot_minutes)
    earliest = now + timedelta(minutes=roster.settings.min_notice_minutes)
    for occ in occurrences(roster, first_day, last_day, station=station, officer=officer):
        for start in _cut(occ, length):
            if start >= earliest:
                return start
    return None


def available_slots(roster: Roster, station: str, *, officer: str | None = None, role: str | None = None,
                    first_day: date | None = None, days: int | None = None, now: datetime | None = None,
                    include_full: bool = False) -> list[Slot]:
    """Free slots of the station's people, each person up to the end of their own window
    (``window_end``); ``first_day`` and ``days`` narrow it, never widen it."""
    now = now or clock.now()
    first_day = max(first_day or now.date(), now.date())
    officers = officers_for(roster, station, officer, role, now.date())
    candidates = []
    for officer_id in officers:
        last_day = window_end(roster, station, officer_id, now)
        if days:
            last_day = min(last_day, first_day + timedelta(days=days - 1))
        if last_day >= first_day:
            candidates += candidate_slots(roster, station, [officer_id], first_day, (last_day - first_day).days + 1, now)
    candidates.sort(key=lambda s: (s[1], s[0]))
    return _with_seats(roster, station, officers, candidates, include_full)


def _with_seats(roster: Roster, station: str, officers: list[str], candidates, include_full: bool) -> list[Slot]:
    taken = taken_seats(officers, [start for _, start, _ in candidates])
    capacity = roster.settings.slot_capacity
    slots = []
    for officer_id, start, end in candidates:
        remaining = capacity - taken[(officer_id, naive(start))]
        if remaining > 0 or include_full:
            slots.append(Slot(officer_id, station, start, end, max(remaining, 0)))
    return slots


@dataclass(frozen=True)
class NextBookable:
    """The first free slot past every window shown, and the day it opens for booking."""

    slot: Slot
    opens_on: date


def next_bookable(roster: Roster, station: str, *, officer: str | None = None, role: str | None = None,
                  now: datetime | None = None) -> NextBookable | None:
    """For a picker with nothing to offer: the first free slot after the selected people's windows,
    up to NEXT_DUTY_HORIZON_DAYS ahead, and when it can be booked. A day enters a person's window
    when it is ``days`` away, or once their earlier duty has passed (``window_end``); None if no
    duty with a free seat is published."""
    now = now or clock.now()
    today = now.date()
    horizon = today + timedelta(days=NEXT_DUTY_HORIZON_DAYS - 1)
    officers = officers_for(roster, station, officer, role, today)
    candidates, ends = [], {}
    for officer_id in officers:
        ends[officer_id] = window_end(roster, station, officer_id, now)
        first = ends[officer_id] + timedelta(days=1)
        if first <= horizon:
            candidates += candidate_slots(roster, station, [officer_id], first, (horizon - first).days + 1, now)
    candidates.sort(key=lambda s: (s[1], s[0]))
    free = _with_seats(roster, station, officers, candidates, include_full=False)
    if not free:
        return None
    slot = free[0]
    settings = roster.settings
    days = settings.booking_days_by_role.get(roster.officer(slot.officer).role, settings.booking_days)
    by_days = slot.start.date() - timedelta(days=days - 1)
    earlier = occurrences(roster, today, slot.start.date() - timedelta(days=1), station=station, officer=slot.officer)
    by_passing = earlier[-1].start.date() if earlier else today
    return NextBookable(slot, max(today, min(by_days, by_passing)))


def find_slot(roster: Roster, station: str, officer: str, start: datetime, now: datetime | None = None) -> Slot | None:
    """The published slot that starts at ``start``, whether or not it is full; None if not offered."""
    now = now or clock.now()
    start = aware(start)
    if not roster.has_officer(officer) or officer not in officers_for(roster, station, today=now.date()):
        return None
    settings = roster.settings
    length = timedelta(minutes=settings.slot_minutes)
    if start < now + timedelta(minutes=settings.min_notice_minutes):
        return None
    # The duty of the person's whole booking window, as the booking page asks for it: worked out
    # once and kept (schedule.occurrences). Then only the duty that holds ``start`` is cut into slots.
    last_day = window_end(roster, station, officer, now)
    for occ in occurrences(roster, now.date(), last_day, station=station, officer=officer):
        if occ.start <= start < occ.end and start in _cut(occ, length):
            return Slot(officer, station, start, start + length, 0)
    return None


def place_of(roster: Roster, station: str, officer: str, start: datetime) -> str | None:
    """The room of the duty a booked slot lies in (duty ``place``, e.g. 调解室), if the roster names one."""
    start = aware(start)
    for occ in occurrences(roster, start.date(), start.date(), station=station, officer=officer):
        if occ.start <= start < occ.end:
            return occ.place
    return None
