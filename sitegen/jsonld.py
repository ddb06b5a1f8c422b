"""schema.org JSON-LD for search engines and mini-programs: office phones only, never private ones."""
from __future__ import annotations

import json

from roster.domain import Roster
from roster.model import Officer, Station

from . import links

_DAY_URIS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday",
             "SA": "Saturday", "SU": "Sunday"}


def _dump(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def _person(roster: Roster, officer: Officer, base_url: str) -> dict:
    person = {"@type": "Person", "name": officer.name, "jobTitle": officer.title or roster.role_name(officer.role),
              "telephone": officer.phone, "url": links.absolute(base_url, links.officer_dir(officer.id)),
              "worksFor": {"@type": "Organization", "name": officer.organisation}}
    if officer.specialties:
        person["knowsAbout"] = list(officer.specialties)
    return person


def _place(station: Station) -> dict:
    place = {"@type": "Place", "name": station.name,
             "address": {"@type": "PostalAddress", "streetAddress": station.address, "addressCountry": "CN"}}
    if station.location:
        place["geo"] = {"@type": "GeoCoordinates", "latitude": station.location.lat,
                        "longitude": station.location.lon}
    if station.opening_hours:
        place["openingHoursSpecification"] = [
            {"@type": "OpeningHoursSpecification", "dayOfWeek": [f"https://schema.org/{_DAY_URIS[d[-2:]]}" for d in h.byday],
             "opens": f"{h.opens_at:%H:%M}", "closes": f"{h.closes_at:%H:%M}"} for h in station.opening_hours]
    return place


def station_jsonld(roster: Roster, station: Station, base_url: str) -> str:
    street = roster.street(station.street)
    url = links.absolute(base_url, links.station_dir(station.id))
    channel = {"@type": "ServiceChannel", "serviceUrl": url, "serviceLocation": _place(station)}
    if station.phones:
        channel["servicePhone"] = {"@type": "ContactPoint", "telephone": station.phones[0].number,
                                   "contactType": station.phones[0].label}
    data = {
        "@context": "https://schema.org", "@type": "GovernmentService", "@id": url, "url": url,
        "name": f"{station.name}三官一师法律服务", "serviceType": "三官一师进社区",
        "provider": {"@type": "GovernmentOrganization", "name": street.name, "telephone": street.hotline},
        "areaServed": {"@type": "AdministrativeArea", "name": station.name},
        "availableChannel": channel,
        "employee": [_person(roster, o, base_url) for o in roster.officers_at(station.id)],
    }
    return _dump(data)


def officer_jsonld(roster: Roster, officer: Officer, base_url: str) -> str:
    data = {"@context": "https://schema.org", **_person(roster, officer, base_url)}
    data["workLocation"] = [_place(roster.station(a.station))
                            for a in {a.station: a for a in roster.assignments_of(officer.id)}.values()]
    return _dump(data)
