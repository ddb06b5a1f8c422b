"""Officers' private calendar feeds of their own bookings (a secret URL a phone calendar polls)."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort
from sqlalchemy import select

from .. import audit, clock
from ..extensions import db
from ..inputs import same_secret
from ..models import BOOKED, CANCELLED, Appointment
from ..rosters import current_roster
from .calendars import appointment_event, calendar, feed_token, ics_response

bp = Blueprint("feeds", __name__, url_prefix="/feeds")


@bp.get("/officers/<officer>/<token>.ics")
def officer_feed(officer: str, token: str):
    roster = current_roster()
    if not roster.has_officer(officer) or not same_secret(token, feed_token(officer)):
        abort(404)
    # on the record before the read: on SQLite the row then takes the write lock in a transaction
    # of its own (db/sqlite.py), as a GET's read transaction could not
    audit.record("feed", actor="日历订阅 / calendar feed", target=officer)
    db.session.commit()
    since = clock.naive(clock.now() - timedelta(days=30))
    rows = db.session.scalars(select(Appointment).where(
        Appointment.officer_id == officer, Appointment.status.in_((BOOKED, CANCELLED)), Appointment.starts_at >= since)
        .order_by(Appointment.starts_at))
    cal = calendar(f"{roster.officer(officer).name}的预约")
    for appointment in rows:
        cal.add_component(appointment_event(appointment, roster, private=True))
    return ics_response(cal, headers={"Cache-Control": "private, no-store"})
