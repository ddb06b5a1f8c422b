"""Where each page lives, and the links into the form service: one place for every URL."""
from __future__ import annotations

from urllib.parse import quote, urlencode


def station_dir(station_id: str) -> str:
    return f"stations/{station_id}/"


def officer_dir(officer_id: str) -> str:
    return f"officers/{officer_id}/"


def street_dir(street_id: str) -> str:
    return f"streets/{street_id}/"


def absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + "/" + path.lstrip("/")


def webcal(url: str) -> str:
    """The subscribe form of a feed URL: phones keep webcal:// calendars up to date."""
    return "webcal://" + url.split("://", 1)[1]


def booking_url(forms_url: str | None, station_id: str, officer_id: str | None = None) -> str | None:
    """The form service's booking form with station (and officer) prefilled."""
    if not forms_url:
        return None
    query = {"station": station_id}
    if officer_id:
        query["officer"] = officer_id
    return forms_url.rstrip("/") + "/book?" + urlencode(query)


def complaint_url(forms_url: str | None, station_id: str) -> str | None:
    if not forms_url:
        return None
    return forms_url.rstrip("/") + "/complaint?" + urlencode({"station": station_id})


def map_url(name: str, address: str, location) -> str:
    """A link into the AMap web/app picker; a resident chooses to follow it, nothing loads from it."""
    if location is not None:
        return (f"https://uri.amap.com/marker?position={location.lon},{location.lat}"
                f"&name={quote(name)}&src=sanguan-board&coordinate=gaode&callnative=1")
    return f"https://uri.amap.com/search?keyword={quote(address)}&src=sanguan-board&callnative=1"
