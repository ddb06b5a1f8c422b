"""Calendar files of bookings (RFC 5545): a resident's one appointment and an officer's feed."""
from __future__ import annotations

import hashlib
import hmac
from datetime import timezone
from urllib.parse import urlsplit

from flask import Response, current_app
from icalendar import Calendar, Event

from .. import clock
from ..clock import aware
from ..inputs import without_hostile
from ..models import CANCELLED, Appointment


def feed_token(officer_id: str) -> str:
    """Derived from SECRET_KEY: nothing to store, and rotating the key revokes every link."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"officer-feed:{officer_id}".encode(), hashlib.sha256).hexdigest()[:32]


def feed_url(officer_id: str) -> str:
    """The full link an officer subscribes to, built from FORMS_URL: it is handed out from the
    command line, where there is no request to take the host from."""
    public = urlsplit(current_app.config["FORMS_URL"])
    adapter = current_app.url_map.bind(public.netloc, script_name=public.path or "/", url_scheme=public.scheme)
    return adapter.build("feeds.officer_feed", {"officer": officer_id, "token": feed_token(officer_id)},
                         force_external=True)


def appointment_event(appointment: Appointment, roster, *, private: bool) -> Event:
    station = roster.station(appointment.station_id) if roster.has_station(appointment.station_id) else None
    officer = roster.officer(appointment.officer_id) if roster.has_officer(appointment.officer_id) else None
    event = Event()
    event.add("uid", f"appointment-{appointment.number}@sanguan-board")
    event.add("dtstamp", clock.now().astimezone(timezone.utc))
    event.add("dtstart", aware(appointment.starts_at))
    event.add("dtend", aware(appointment.ends_at))
    # A polled feed keeps a cancelled booking as CANCELLED, so the officer's phone takes it off the day.
    event.add("status", "CANCELLED" if appointment.status == CANCELLED else "CONFIRMED")
    place = f"{station.name}，{station.address}" if station else appointment.station_id
    event.add("location", place)
    if private:  # the officer's own feed: who is coming and why
        # rows stored before the forms refused control characters must still make a valid file
        event.add("summary", f"预约 {appointment.number}：{without_hostile(appointment.name, multi_line=False)}")
        event.add("description", f"事项：{appointment.topic}\n手机：{appointment.phone}\n"
                                 f"{without_hostile(appointment.description).replace(chr(13), '')}")
    else:
        who = f"{roster.role_name(officer.role)}{officer.name}" if officer else appointment.officer_id
        event.add("summary", f"见{who}（预约号 {appointment.number}）")
        event.add("description", f"地点：{place}\n请带：{roster.settings.bring}\n预约号：{appointment.number}")
    return event


def calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//sanguan-board//appointments//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    return cal


def ics_response(cal: Calendar, headers: dict) -> Response:
    """With a VTIMEZONE for Asia/Shanghai, which some calendar apps need to place +08:00 times."""
    cal.add_missing_timezones()
    return Response(cal.to_ical(), content_type="text/calendar; charset=utf-8", headers=headers)

