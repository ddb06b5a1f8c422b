"""Calendar files of bookings (RFC 5545): a resident's one appointment and an officer's feed."""
from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta, timezone
from urllib.parse import urlsplit

from flask import Response, current_app
from icalendar import Alarm, Calendar, Event

from .. import clock
from ..clock import aware
from ..inputs import without_hostile
from ..models import CANCELLED, Appointment
from .display import station_phones, station_place
from .slots import place_of

# A resident's reminders: the day before (to gather the papers to bring) and an hour before.
REMINDERS = (timedelta(days=-1), timedelta(hours=-1))


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
    room = place_of(roster, appointment.station_id, appointment.officer_id, appointment.starts_at)
    place = station_place(station, room) or appointment.station_id
    event.add("location", place)
    if private:  # the officer's own feed: who is coming and why
        # rows stored before the forms refused control characters must still make a valid file
        event.add("summary", f"预约 {appointment.number}：{without_hostile(appointment.name, multi_line=False)}")
        event.add("description", f"事项：{appointment.topic}\n手机：{appointment.phone}\n"
                                 f"{without_hostile(appointment.description).replace(chr(13), '')}")
        return event
    # The same UID and a higher SEQUENCE for every change: a calendar that imported the booking
    # moves it, or takes it off the day, when it reads the file of the move or the cancellation.
    # (A polled feed is read whole each time and needs none.)
    # (A resident's choice of messages, notify/choices.py, is in the history too, and changes no meeting.)
    moves = [e for e in appointment.events if e.action in ("booked", "rescheduled", "cancelled")]
    event.add("sequence", max(len(moves) - 1, 0))
    who = f"{roster.role_name(officer.role)}{officer.name}" if officer else appointment.officer_id
    phones = "；".join(f"{label} {number}" for label, number in station_phones(roster, station))
    summary = f"见{who}（预约号 {appointment.number}）"
    event.add("summary", ("已取消：" if appointment.status == CANCELLED else "") + summary)
    event.add("description", f"地点：{place}\n" + (f"电话：{phones}\n" if phones else "")
              + f"请带：{roster.settings.bring}\n预约号：{appointment.number}")
    if appointment.status != CANCELLED:
        for before in REMINDERS:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{summary}，地点：{place}")
            alarm.add("trigger", before)
            event.add_component(alarm)
    return event


def calendar(name: str, method: str | None = None) -> Calendar:
    """``method``: PUBLISH for a resident's booking, CANCEL for its cancellation (RFC 5546), so a
    calendar app that imported the booking removes it; none for a polled feed."""
    cal = Calendar()
    cal.add("prodid", "-//sanguan-board//appointments//ZH")
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    return cal


def ics_response(cal: Calendar, headers: dict) -> Response:
    """With a VTIMEZONE for Asia/Shanghai, which some calendar apps need to place +08:00 times."""
    cal.add_missing_timezones()
    return Response(cal.to_ical(), content_type="text/calendar; charset=utf-8", headers=headers)

