"""Bookable slots: the published duty, cut into slot lengths, minus holidays, past and full slots."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from roster import Roster, occurrences

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


def officers_for(roster: Roster, station: str, officer: str | None = None, role: str | None = None) -> list[str]:
    found = [o.id for o in roster.officers_at(station)]
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


def available_slots(roster: Roster, station: str, *, officer: str | None = None, role: str | None = None,
                    first_day: date | None = None, days: int | None = None, now: datetime | None = None,
                    include_full: bool = False) -> list[Slot]:
    now = now or clock.now()
    first_day = max(first_day or now.date(), now.date())
    days = min(days or roster.settings.booking_days, roster.settings.booking_days)
    last_day = now.date() + timedelta(days=roster.settings.booking_days - 1)
    days = min(days, (last_day - first_day).days + 1)
    if days <= 0:
        return []
    officers = officers_for(roster, station, officer, role)
    candidates = candidate_slots(roster, station, officers, first_day, days, now)
    taken = taken_seats(officers, [start for _, start, _ in candidates])
    capacity = roster.settings.slot_capacity
    slots = []
    for officer_id, start, end in candidates:
        remaining = capacity - taken[(officer_id, naive(start))]
        if remaining > 0 or include_full:
            slots.append(Slot(officer_id, station, start, end, max(remaining, 0)))
    return slots


def find_slot(roster: Roster, station: str, officer: str, start: datetime, now: datetime | None = None) -> Slot | None:
    """The published slot that starts at ``start``, whether or not it is full; None if not offered."""
    now = now or clock.now()
    start = aware(start)
    if not roster.has_officer(officer) or officer not in officers_for(roster, station):
        return None
    settings = roster.settings
    length = timedelta(minutes=settings.slot_minutes)
    if start < now + timedelta(minutes=settings.min_notice_minutes):
        return None
    # The duty of the whole booking window, as the booking page asks for it: worked out once and
    # kept (schedule.occurrences). Then only the duty that holds ``start`` is cut into slots.
    last_day = now.date() + timedelta(days=settings.booking_days - 1)
    for occ in occurrences(roster, now.date(), last_day, station=station, officer=officer):
        if occ.start <= start < occ.end and start in _cut(occ, length):
            return Slot(officer, station, start, start + length, 0)
    return None
