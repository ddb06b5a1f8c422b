"""What the booking pages show, as strings made once per slot rather than in the templates."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from roster import TZ
from roster.describe import weekday_char

from ..clock import aware
from .slots import Slot


def parse_slot_key(key: str) -> tuple[str, datetime] | None:
    officer, _, start = (key or "").partition("@")
    try:
        return officer, datetime.strptime(start, "%Y-%m-%dT%H:%M").replace(tzinfo=TZ)
    except ValueError:
        return None


def day_label(moment: datetime) -> str:
    return f"{moment.month}月{moment.day}日 周{weekday_char(moment)}"


@dataclass(frozen=True)
class SlotDay:
    """One day of the slot picker: its heading, the slots' form values, and per person the
    (value, label) of each slot."""

    label: str
    keys: frozenset[str]
    people: list[tuple[str, list[tuple[str, str]]]]


def group_by_day(roster, slots: list[Slot]) -> list[SlotDay]:
    """day → person → slots: a phone shows one person's times as a compact grid. Strings are made
    here, once per slot, rather than in the template: a station offers a hundred slots a fortnight."""
    days: dict[str, dict[str, list[tuple[str, str]]]] = {}
    people: dict[str, str] = {}
    for slot in slots:
        person = people.get(slot.officer)
        if person is None:
            officer = roster.officer(slot.officer)
            person = people[slot.officer] = f"{roster.role_name(officer.role)} {officer.name}"
        label = f"{slot.start:%H:%M}" + (f"（余 {slot.remaining}）" if slot.remaining > 1 else "")
        days.setdefault(day_label(slot.start), {}).setdefault(person, []).append((slot.key, label))
    return [SlotDay(day, frozenset(key for items in by_person.values() for key, _ in items), list(by_person.items()))
            for day, by_person in days.items()]


def describe(roster, appointment) -> dict:
    officer = roster.officer(appointment.officer_id) if roster.has_officer(appointment.officer_id) else None
    station = roster.station(appointment.station_id) if roster.has_station(appointment.station_id) else None
    topics = {c.code: c.name for c in roster.settings.categories}
    start = aware(appointment.starts_at)
    return {
        "appointment": appointment, "officer": officer, "station": station,
        "role_name": roster.role_name(officer.role) if officer else "",
        "when": f"{start.year}年{day_label(start)} {start:%H:%M}–{appointment.ends_at:%H:%M}",
        "topic": topics.get(appointment.topic, appointment.topic), "bring": roster.settings.bring,
    }
