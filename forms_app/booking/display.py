"""What the booking pages show, as strings made once per slot rather than in the templates."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from roster import TZ
from roster.describe import weekday_char

from ..clock import aware
from .slots import NEXT_DUTY_HORIZON_DAYS, Slot, place_of


def parse_slot_key(key: str) -> tuple[str, datetime] | None:
    officer, _, start = (key or "").partition("@")
    try:
        return officer, datetime.strptime(start, "%Y-%m-%dT%H:%M").replace(tzinfo=TZ)
    except ValueError:
        return None


def day_label(moment: datetime) -> str:
    return f"{moment.month}月{moment.day}日 周{weekday_char(moment)}"


def when_words(moment: datetime) -> str:
    """2027年1月5日 周二 09:00: a time far enough ahead to need its year."""
    return f"{moment.year}年{day_label(moment)} {moment:%H:%M}"


def person_words(roster, officer_id: str) -> str:
    officer = roster.officer(officer_id)
    return f"{roster.role_name(officer.role)} {officer.name}"


def next_words(roster, upcoming, today: date) -> str:
    """What the picker says when it has nothing to offer: when the next bookable time is, always."""
    if upcoming is None:
        return (f"{NEXT_DUTY_HORIZON_DAYS} 天内没有公布可以预约的值班时间。可以换一位人员，或直接拨打站点电话。")
    slot = upcoming.slot
    opens = "现在" if upcoming.opens_on <= today else f"{upcoming.opens_on.month}月{upcoming.opens_on.day}日起"
    return (f"现在没有可以预约的空位。下一个可以预约的时间：{when_words(slot.start)}（{person_words(roster, slot.officer)}），"
            f"{opens}可以在这里预约。也可以换一位人员，或直接拨打站点电话。")


@dataclass(frozen=True)
class SlotDay:
    """One day of the slot picker: its heading, the slots' form values, and per person the
    (value, label) of each slot."""

    label: str
    keys: frozenset[str]
    people: list[tuple[str, list[tuple[str, str]]]]

    @property
    def free(self) -> int:
        """Free slots of the day, said on its closed heading so that it reads as something to open."""
        return len(self.keys)


def group_by_day(roster, slots: list[Slot]) -> list[SlotDay]:
    """day → person → slots: a phone shows one person's times as a compact grid. Strings are made
    here, once per slot, rather than in the template: a station offers a hundred slots a fortnight."""
    days: dict[str, dict[str, list[tuple[str, str]]]] = {}
    people: dict[str, str] = {}
    for slot in slots:
        person = people.get(slot.officer)
        if person is None:
            person = people[slot.officer] = person_words(roster, slot.officer)
        label = f"{slot.start:%H:%M}" + (f"（余 {slot.remaining}）" if slot.remaining > 1 else "")
        days.setdefault(day_label(slot.start), {}).setdefault(person, []).append((slot.key, label))
    return [SlotDay(day, frozenset(key for items in by_person.values() for key, _ in items), list(by_person.items()))
            for day, by_person in days.items()]


def describe(roster, appointment) -> dict:
    officer = roster.officer(appointment.officer_id) if roster.has_officer(appointment.officer_id) else None
    station = roster.station(appointment.station_id) if roster.has_station(appointment.station_id) else None
    topics = {c.code: c.name for c in roster.settings.categories}
    start = aware(appointment.starts_at)
    room = place_of(roster, appointment.station_id, appointment.officer_id, start)
    return {
        "appointment": appointment, "officer": officer, "station": station,
        "role_name": roster.role_name(officer.role) if officer else "",
        "when": f"{when_words(start)}–{appointment.ends_at:%H:%M}", "room": room,
        "place": station_place(station, room) or appointment.station_id, "phones": station_phones(roster, station),
        "topic": topics.get(appointment.topic, appointment.topic), "bring": roster.settings.bring,
    }


def station_place(station, room: str | None) -> str:
    """文化路社区，青禾区文化路 18 号…，警务室: where to go, down to the room when the duty names one."""
    if station is None:
        return room or ""
    return "，".join(part for part in (station.name, station.address, room) if part)


def station_phones(roster, station) -> list[tuple[str, str]]:
    """(label, number) to call about a booking: the station's own phones, else its street's hotline."""
    if station is None:
        return []
    if station.phones:
        return [(p.label, p.number) for p in station.phones]
    return [(f"{roster.street(station.street).name}电话", roster.street(station.street).hotline)]
