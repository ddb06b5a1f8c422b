"""Officers' private calendar feeds of their own bookings (a secret URL a phone calendar polls)."""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta, timezone

from flask import Blueprint, Response, abort, current_app, url_for
from icalendar import Calendar, Event
from sqlalchemy import select

from .extensions import db
from .models import BOOKED, CANCELLED, Appointment
from .rosters import current_roster
from .slots import aware, now_local

bp = Blueprint("feeds", __name__, url_prefix="/feeds")


def feed_token(officer_id: str) -> str:
    """Derived from SECRET_KEY: nothing to store, and rotating the key revokes every link."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"officer-feed:{officer_id}".encode(), hashlib.sha256).hexdigest()[:32]


def feed_url(officer_id: str) -> str:
    return url_for("feeds.officer_feed", officer=officer_id, token=feed_token(officer_id))


def appointment_event(appointment: Appointment, roster, *, private: bool) -> Event:
    station = roster.station(appointment.station_id) if roster.has_station(appointment.station_id) else None
    officer = roster.officer(appointment.officer_id) if roster.has_officer(appointment.officer_id) else None
    event = Event()
    event.add("uid", f"appointment-{appointment.number}@sanguan-board")
    event.add("dtstamp", datetime.now(timezone.utc))
    event.add("dtstart", aware(appointment.starts_at))
    event.add("dtend", aware(appointment.ends_at))
    # A polled feed keeps a cancelled booking as CANCELLED, so the officer's phone takes it off the day.
    event.add("status", "CANCELLED" if appointment.status == CANCELLED else "CONFIRMED")
    place = f"{station.name}，{station.address}" if station else appointment.station_id
    event.add("location", place)
    if private:  # the officer's own feed: who is coming and why
        event.add("summary", f"预约 {appointment.number}：{appointment.name}")
        event.add("description", f"事项：{appointment.topic}\n手机：{appointment.phone}\n{appointment.description}")
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


@bp.get("/officers/<officer>/<token>.ics")
def officer_feed(officer: str, token: str):
    roster = current_roster()
    if not roster.has_officer(officer) or not hmac.compare_digest(token, feed_token(officer)):
        abort(404)
    since = (now_local() - timedelta(days=30)).replace(tzinfo=None)
    rows = db.session.scalars(select(Appointment).where(
        Appointment.officer_id == officer, Appointment.status.in_((BOOKED, CANCELLED)), Appointment.starts_at >= since)
        .order_by(Appointment.starts_at))
    cal = calendar(f"{roster.officer(officer).name}的预约")
    for appointment in rows:
        cal.add_component(appointment_event(appointment, roster, private=True))
    return ics_response(cal, headers={"Cache-Control": "private, no-store"})


def ics_response(cal: Calendar, headers: dict) -> Response:
    """With a VTIMEZONE for Asia/Shanghai, which some calendar apps need to place +08:00 times."""
    cal.add_missing_timezones()
    return Response(cal.to_ical(), content_type="text/calendar; charset=utf-8", headers=headers)

