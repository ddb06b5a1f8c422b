"""Page models: everything a template shows, computed from the roster before anything is written."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from roster.describe import duty_words, short_date, time_range, weekday_char, weekday_phrase
from roster.domain import Roster
from roster.model import DUTY_SYSTEMS, WEEKDAY_NAMES, WEEKDAYS, Officer, Station
from roster.phones import display_phone, tel_uri
from roster.schedule import cancelled_by, duty_dates, occurrences

from . import links

# The on-duty-today box reads a schedule embedded in the page; it covers this many days
# from the build, so the site is rebuilt daily (make publish / cron) to stay current.
EMBEDDED_DAYS = 62
UPCOMING_DAYS = 62
EXCEPTION_NOTICE_DAYS = 90


@dataclass
class Phone:
    label: str
    number: str

    @property
    def display(self) -> str:
        return display_phone(self.number)

    @property
    def tel(self) -> str:
        return tel_uri(self.number)


@dataclass
class DutyLine:
    words: str
    next_day: str | None
    station_id: str
    station_name: str


@dataclass
class OfficerCard:
    officer: Officer
    role_name: str
    phone: Phone
    duties: list[DutyLine]
    book_url: str | None


@dataclass
class WeekCell:
    time: str
    role_name: str
    name: str
    officer_id: str
    system: str
    every_other: bool


@dataclass
class VacancyNotice:
    """A role nobody holds for now, and whom to call instead (the station's phone or the street's)."""

    role_name: str
    phone: Phone

    @property
    def words(self) -> str:
        return f"{self.role_name}岗位暂缺，咨询请拨打{self.phone.label}"


@dataclass
class StationView:
    station: Station
    street_name: str
    street_id: str
    district_name: str
    url: str
    phones: list[Phone]
    hotline: Phone
    opening_hours: list[str]
    map_url: str
    cards: list[OfficerCard]
    week: list[tuple[str, list[WeekCell]]]
    upcoming: list[dict]
    closures: list[str]
    schedule_json: str
    book_url: str | None
    complaint_url: str | None
    roles_present: list[str] = field(default_factory=list)
    vacancies: list[VacancyNotice] = field(default_factory=list)


def _station_phones(roster: Roster, station: Station) -> list[Phone]:
    return [Phone(p.label, p.number) for p in station.phones]


def opening_hours_words(station: Station) -> list[str]:
    """周一至周五 08:30–12:00、14:30–17:30: hours of the same days on one line."""
    grouped: dict[str, list[str]] = {}
    for hours in station.opening_hours:
        grouped.setdefault(weekday_phrase(hours.byday), []).append(time_range(hours.opens_at, hours.closes_at))
    return [f"{days} {'、'.join(ranges)}" for days, ranges in grouped.items()]


def _next_day(roster: Roster, station_id: str, officer_id: str, today: date, duty) -> str | None:
    horizon = today + timedelta(days=400)
    for day in duty_dates(duty, today, horizon):
        if not cancelled_by(roster.exceptions, day, station_id, officer_id):
            return short_date(day, today)
    return None


def _over(duty, today: date) -> bool:
    """A duty whose last day has passed: past reception days are not shown as if still coming."""
    if duty.valid_to and duty.valid_to < today:
        return True
    return duty.freq is None and all(day < today for day in duty.dates)


def duty_lines(roster: Roster, officer_id: str, today: date, station_id: str | None = None) -> list[DutyLine]:
    lines = []
    for assignment in roster.assignments_of(officer_id):
        if station_id not in (None, assignment.station):
            continue
        station = roster.station(assignment.station)
        for duty in assignment.duties:
            next_day = _next_day(roster, station.id, officer_id, today, duty)
            if next_day is None and _over(duty, today):
                continue
            lines.append(DutyLine(duty_words(duty, today), next_day, station.id, station.name))
    for table in roster.duty_tables:
        if station_id not in (None, table.station):
            continue
        days = [e for e in table.entries if e.officer == officer_id and e.date >= today]
        if days:
            station = roster.station(table.station)
            words = "、".join(f"{short_date(e.date, today)} {time_range(e.opens_at, e.closes_at)}" for e in days)
            lines.append(DutyLine(f"{words}（{table.month} 值班表）", short_date(days[0].date, today), station.id,
                                  station.name))
    return lines


def _week(roster: Roster, station_id: str, today: date) -> list[tuple[str, list[WeekCell]]]:
    """The weekly pattern of daily/weekly duty now in force, Monday to Sunday."""
    rows: dict[str, list[WeekCell]] = {code: [] for code in WEEKDAYS}
    for assignment in roster.assignments_at(station_id):
        officer = roster.officer(assignment.officer)
        for duty in assignment.duties:
            if duty.freq not in ("daily", "weekly") or (duty.valid_to and duty.valid_to < today):
                continue
            days = duty.byday or WEEKDAYS
            for code in days:
                rows[code[-2:]].append(WeekCell(time_range(duty.opens_at, duty.closes_at),
                                                roster.role_name(officer.role), officer.name, officer.id,
                                                DUTY_SYSTEMS[duty.system], duty.interval > 1))
    for cells in rows.values():
        cells.sort(key=lambda c: (c.time, c.role_name))
    return [(WEEKDAY_NAMES[code], rows[code]) for code in WEEKDAYS]


def _upcoming(roster: Roster, station_id: str, today: date) -> list[dict]:
    """Dated duty in the coming weeks that a week table cannot show: monthly visits, receptions, tables."""
    found = []
    for occ in occurrences(roster, today, today + timedelta(days=UPCOMING_DAYS), station=station_id):
        if occ.source[0] == "assignments":
            duty = roster.assignments[occ.source[1]].duties[occ.source[3]]
            if duty.freq in ("daily", "weekly"):
                continue
        officer = roster.officer(occ.officer)
        found.append({"date": short_date(occ.start.date(), today), "weekday": weekday_char(occ.start),
                      "time": time_range(occ.start.time(), occ.end.time()), "role_name": roster.role_name(officer.role),
                      "name": officer.name, "officer_id": officer.id, "system": DUTY_SYSTEMS[occ.system],
                      "note": occ.note})
    return found


def _closures(roster: Roster, station_id: str, today: date) -> list[str]:
    notices = []
    for exc in sorted(roster.exceptions, key=lambda e: e.from_):
        if exc.station not in (None, station_id) or exc.until < today:
            continue
        if exc.from_ > today + timedelta(days=EXCEPTION_NOTICE_DAYS):
            continue
        if exc.officer and exc.officer not in {a.officer for a in roster.assignments_at(station_id)}:
            continue
        span = short_date(exc.from_, today) + (f"至{short_date(exc.until, today)}" if exc.to and exc.to != exc.from_ else "")
        who = f"{roster.role_name(roster.officer(exc.officer).role)}{roster.officer(exc.officer).name}" if exc.officer else "全部值班"
        notices.append(f"{span}：{who}暂停（{exc.reason}）")
    return notices


def schedule_data(roster: Roster, today: date, *, station: str | None = None, officer: str | None = None) -> str:
    """Compact JSON for the on-duty-now box: people once, then per day [person, from, to, duty, place]."""
    people: dict[str, int] = {}
    names: list[list[str]] = []
    days: dict[str, list] = {}
    end = today + timedelta(days=EMBEDDED_DAYS)
    for occ in occurrences(roster, today, end, station=station, officer=officer):
        if occ.officer not in people:
            person = roster.officer(occ.officer)
            people[occ.officer] = len(names)
            names.append([person.name, roster.role_name(person.role)])
        place = roster.station(occ.station).name if station is None else (occ.place or "")
        days.setdefault(occ.start.date().isoformat(), []).append(
            [people[occ.officer], f"{occ.start:%H:%M}", f"{occ.end:%H:%M}", DUTY_SYSTEMS[occ.system], place])
    closed = {}
    for exc in roster.exceptions:
        # A station page shows closures of the whole station; an officer page, the officer's own days off.
        applies = exc.officer in (None, officer) and exc.station in (None, station)
        if applies and exc.until >= today and exc.from_ <= end:
            day = max(exc.from_, today)
            while day <= min(exc.until, end):
                closed[day.isoformat()] = exc.reason
                day += timedelta(days=1)
    data = {"from": today.isoformat(), "to": end.isoformat(), "people": names, "days": days, "closed": closed}
    # "</" must not end the <script> element that carries this JSON.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def station_view(roster: Roster, station: Station, today: date, forms_url: str | None) -> StationView:
    street = roster.street(station.street)
    cards = []
    for officer in roster.officers_at(station.id):
        cards.append(OfficerCard(officer, roster.role_name(officer.role), Phone("办公电话", officer.phone),
                                 duty_lines(roster, officer.id, today, station.id),
                                 links.booking_url(forms_url, station.id, officer.id)))
    return StationView(
        station=station, street_name=street.name, street_id=street.id,
        district_name=roster.district(street.district).name, url=links.station_dir(station.id),
        phones=_station_phones(roster, station), hotline=Phone(f"{street.name}热线", street.hotline),
        opening_hours=opening_hours_words(station), map_url=links.map_url(station.name, station.address, station.location),
        cards=cards, week=_week(roster, station.id, today), upcoming=_upcoming(roster, station.id, today),
        closures=_closures(roster, station.id, today), schedule_json=schedule_data(roster, today, station=station.id),
        book_url=links.booking_url(forms_url, station.id), complaint_url=links.complaint_url(forms_url, station.id),
        roles_present=list(dict.fromkeys(c.role_name for c in cards)),
        vacancies=_vacancies(roster, station, street))


def _vacancies(roster: Roster, station: Station, street) -> list[VacancyNotice]:
    phones = _station_phones(roster, station)
    phone = phones[0] if phones else Phone(f"{street.name}热线", street.hotline)
    return [VacancyNotice(roster.role_name(v.role), phone) for v in roster.vacancies_at(station.id)]


@dataclass(frozen=True)
class ServedStation:
    """A station on an officer's page, with that officer's duty there."""

    station_id: str
    name: str
    path: str
    address: str
    duties: list[DutyLine]
    book_url: str | None


@dataclass(frozen=True)
class OfficerView:
    officer: Officer
    role_name: str
    phone: Phone
    stations: list[ServedStation]
    closures: list[str]
    schedule_json: str


def officer_view(roster: Roster, officer: Officer, today: date, forms_url: str | None) -> OfficerView:
    served = []
    for station_id in dict.fromkeys(a.station for a in roster.assignments_of(officer.id)):
        station = roster.station(station_id)
        served.append(ServedStation(station_id, station.name, links.station_dir(station_id), station.address,
                                    duty_lines(roster, officer.id, today, station_id),
                                    links.booking_url(forms_url, station_id, officer.id)))
    for line in duty_lines(roster, officer.id, today):  # duty at a station the officer is not assigned to
        if line.station_id not in {s.station_id for s in served}:
            station = roster.station(line.station_id)
            served.append(ServedStation(station.id, station.name, links.station_dir(station.id), station.address,
                                        [line], None))
    closures = [f"{e.from_}" + (f" 至 {e.to}" if e.to and e.to != e.from_ else "") + f"：{e.reason}"
                for e in roster.exceptions if e.until >= today and e.officer == officer.id]
    return OfficerView(officer, roster.role_name(officer.role), Phone("办公电话", officer.phone), served, closures,
                       schedule_data(roster, today, officer=officer.id))


@dataclass(frozen=True)
class PersonLink:
    role_name: str
    name: str
    path: str


@dataclass(frozen=True)
class StationEntry:
    """A station in a street's list: its people, linked."""

    name: str
    path: str
    kind: str
    people: list[PersonLink]


@dataclass(frozen=True)
class StreetView:
    id: str
    name: str
    path: str
    hotline: Phone
    stations: list[StationEntry]


@dataclass(frozen=True)
class DistrictView:
    name: str
    streets: list[StreetView]


def district_views(roster: Roster) -> list[DistrictView]:
    """Districts → streets → stations → people: the home page and the street pages."""
    districts = []
    for district in roster.districts:
        streets = []
        for street in roster.streets_of(district.id):
            stations = [StationEntry(s.name, links.station_dir(s.id), s.kind,
                                     [PersonLink(roster.role_name(o.role), o.name, links.officer_dir(o.id))
                                      for o in roster.officers_at(s.id)])
                        for s in roster.stations_of(street.id)]
            streets.append(StreetView(street.id, street.name, links.street_dir(street.id),
                                      Phone("街道热线", street.hotline), stations))
        districts.append(DistrictView(district.name, streets))
    return districts
