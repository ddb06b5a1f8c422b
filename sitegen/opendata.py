"""Open data (stations.json) and the small search index (search.json) with pinyin keys."""
from __future__ import annotations

import json
from datetime import date

from pypinyin import Style, lazy_pinyin

from roster.describe import duty_words
from roster.domain import Roster

from . import links


def _dump(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def pinyin_keys(text: str) -> str:
    """'文化路社区' → 'wenhualushequ whlsq', so that typing wenhua or whl finds it."""
    syllables = [s for s in lazy_pinyin(text, errors="ignore") if s.isascii()]
    initials = "".join(s[0] for s in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore") if s.isascii())
    return f"{''.join(syllables).lower()} {initials.lower()}"


def search_index(roster: Roster) -> str:
    """[[kind, name, path, detail, keys], …]; kind 0 = station, 1 = officer, 2 = street.

    The script matches a query against the name and the keys (pinyin, initials, address, role).

    One flat array keeps the file small enough for a phone: about 80 bytes per entry.
    """
    items = []
    for street in roster.streets:
        items.append([2, street.name, links.street_dir(street.id), roster.district(street.district).name,
                      pinyin_keys(street.name)])
    for station in roster.stations:
        street = roster.street(station.street)
        items.append([0, station.name, links.station_dir(station.id), street.name,
                      f"{pinyin_keys(station.name)} {station.address}"])
    for officer in roster.officers:
        role = roster.role_name(officer.role)
        stations = "、".join(roster.station(s).name for s in dict.fromkeys(a.station for a in roster.assignments_of(officer.id)))
        items.append([1, officer.name, links.officer_dir(officer.id), f"{role} · {stations}",
                      f"{pinyin_keys(officer.name)} {role} {officer.organisation}"])
    return _dump(items)


def stations_json(roster: Roster, base_url: str, today: date) -> str:
    """The whole roster as open data: what the board shows, in one file."""
    def officer_entry(officer_id: str, station_id: str) -> dict:
        officer = roster.officer(officer_id)
        duties = []
        for assignment in roster.assignments_of(officer_id):
            if assignment.station != station_id:
                continue
            for duty in assignment.duties:
                entry = duty.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
                entry["system"] = duty.system
                entry["opens_at"], entry["closes_at"] = f"{duty.opens_at:%H:%M}", f"{duty.closes_at:%H:%M}"
                entry["text"] = duty_words(duty)
                duties.append(entry)
        return {"id": officer.id, "name": officer.name, "role": officer.role, "role_name": roster.role_name(officer.role),
                "organisation": officer.organisation, "title": officer.title, "phone": officer.phone,
                "specialties": list(officer.specialties), "url": links.absolute(base_url, links.officer_dir(officer.id)),
                "duties": duties}

    stations = []
    for station in roster.stations:
        data = station.model_dump(mode="json", exclude_none=True)
        for hours in data.get("opening_hours", []):
            hours["opens_at"], hours["closes_at"] = hours["opens_at"][:5], hours["closes_at"][:5]
        data["url"] = links.absolute(base_url, links.station_dir(station.id))
        data["duty_calendar"] = links.absolute(base_url, links.station_dir(station.id) + "duty.ics")
        data["officers"] = [officer_entry(o.id, station.id) for o in roster.officers_at(station.id)]
        stations.append(data)
    document = {
        "generated": today.isoformat(),
        "roster_updated": roster.updated.isoformat(),
        "roles": dict(roster.roles),
        "districts": [d.model_dump(mode="json", exclude_none=True) for d in roster.districts],
        "streets": [s.model_dump(mode="json", exclude_none=True) for s in roster.streets],
        "stations": stations,
        "exceptions": [e.model_dump(mode="json", by_alias=True, exclude_none=True) for e in roster.exceptions],
    }
    return json.dumps(document, ensure_ascii=False, indent=1)
