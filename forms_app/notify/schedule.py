"""The scheduled messages: what no action writes, because time alone makes it due. Each pass of
``send-notifications`` first calls ``write_due``, which writes whatever is due by now, in its own
transaction, under a once-only key (outbox.Message.once_key): several senders at once, or a pass
run again, write each message once.

- ``appointment.reminder``: the resident of a booking of tomorrow (Beijing date), from
  settings.reminder_hour today. A booking made or moved after that moment gets none: its
  confirmation has just told them. The key holds the booking's time, so a moved booking is reminded
  of its new time, and a cancelled one (no longer booked) of nothing.
- ``case.deadline_due``: an open case whose deadline falls by the end of the next working day
  (cases/deadlines.py notice_until), once per deadline.
- ``case.deadline_passed``: an open case past its deadline, once per deadline.
- ``case.arrival_overdue``: an on-site dispatch with no arrival and no "未到场" recorded,
  settings.arrival_minutes after the dispatch, once per dispatch.

The case notices go to the case's owner (首问责任人), its handler (承办人) if it was handed to one,
and the active supervisors of the station's street, through their own contact (Staff.contact)."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from roster import Roster

from .. import clock
from ..cases.deadlines import notice_until
from ..cases.flow import OPEN
from ..cases.service import arrival_excused
from ..clock import aware, naive
from ..extensions import db
from ..models import BOOKED, Appointment, AppointmentEvent, Case, Notification, Staff
from . import events, outbox, texts
from .outbox import Message

# the states in which an arrival (or "未到场") can still be recorded: cases/flow.py arrive, no_arrival
WAITING_FOR_ARRIVAL = ("dispatched", "handling")
CHUNK = 500  # keys per look-up in the outbox


def write_due(roster: Roster, now: datetime | None = None) -> int:
    """Write every scheduled message due by ``now``; the answer counts the outbox rows written
    (none for what an earlier pass, or another sender, already wrote)."""
    now = aware(now or clock.now())
    try:
        messages = reminders(roster, now) + case_notices(roster, now)
        written = outbox.write(db.session.connection(), messages, now) if messages else 0
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return written


def reminder_moment(roster: Roster, starts_at: datetime) -> datetime:
    """When the resident of a booking at ``starts_at`` is reminded: the day before, at reminder_hour."""
    day_before = aware(starts_at).date() - timedelta(days=1)
    return datetime.combine(day_before, time(roster.settings.reminder_hour), tzinfo=aware(starts_at).tzinfo)


def reminders(roster: Roster, now: datetime) -> list[Message]:
    tomorrow = datetime.combine(now.date() + timedelta(days=1), time())
    moment = reminder_moment(roster, tomorrow)
    if now < moment:
        return []
    # made or moved after the reminder moment: the confirmation just told them
    told_already = exists().where(AppointmentEvent.appointment_id == Appointment.id,
                                  AppointmentEvent.action.in_(("booked", "rescheduled")),
                                  AppointmentEvent.at >= naive(moment))
    found = db.session.scalars(select(Appointment).where(
        Appointment.status == BOOKED, Appointment.starts_at >= tomorrow,
        Appointment.starts_at < tomorrow + timedelta(days=1), ~told_already).order_by(Appointment.id))
    found = [(booking, f"reminder:{booking.number}:{booking.starts_at:%Y%m%dT%H%M}") for booking in found]
    written = _written([key for _booking, key in found])
    messages = []
    for booking, key in found:
        if key in written:
            continue
        who = roster.officer(booking.officer_id) if roster.has_officer(booking.officer_id) else None
        resident = outbox.Recipient("resident", booking.name, booking.phone, events.channel_for(roster, "resident"),
                                    quiet=booking.quiet)
        text = texts.render("appointment.reminder", "resident", number=booking.number,
                            when=f"{aware(booking.starts_at):%m月%d日%H:%M}",
                            officer=who.name if who else booking.officer_id,
                            link=texts.short_link(booking.number, kind="b"))
        messages.append(Message("appointment.reminder", resident, text, appointment=booking.number, once_key=key))
    return messages


def case_notices(roster: Roster, now: datetime) -> list[Message]:
    moment = naive(now)
    cases = select(Case).options(joinedload(Case.owner), joinedload(Case.handler)).order_by(Case.id)
    due_soon = db.session.scalars(cases.where(
        Case.state.in_(OPEN), Case.due_at >= moment, Case.due_at <= notice_until(now))).all()
    passed = db.session.scalars(cases.where(Case.state.in_(OPEN), Case.due_at < moment)).all()
    unarrived = [case for case in db.session.scalars(select(Case).where(
        Case.state.in_(WAITING_FOR_ARRIVAL), Case.dispatched_on_site.is_(True), Case.arrived_at.is_(None),
        Case.dispatched_at <= moment - timedelta(minutes=roster.settings.arrival_minutes)).order_by(Case.id))
        if not arrival_excused(case)]
    supervisors = _supervisors()
    due = []  # (event, case, station, person, key, values) of every notice due, written or not
    for event, cases, stamp, values in (
            ("case.deadline_due", due_soon, lambda c: c.due_at, lambda c: {"due": f"{c.due_at:%m月%d日}"}),
            ("case.deadline_passed", passed, lambda c: c.due_at, lambda c: {"due": f"{c.due_at:%m月%d日}"}),
            ("case.arrival_overdue", unarrived, lambda c: c.dispatched_at,
             lambda c: {"dispatched": f"{c.dispatched_at:%H:%M}", "due": f"{c.dispatched_at:%m月%d日}"})):
        for case in cases:
            station = roster.station(case.station_id) if roster.has_station(case.station_id) else None
            for person in _people(case, station, supervisors):
                due.append((event, case, station, person,
                            f"{event}:{case.number}:{stamp(case):%Y%m%dT%H%M%S}:{person.id}", values))
    written = _written([key for *_, key, _values in due])
    messages = []
    for event, case, station, person, key, values in due:
        if key in written:
            continue
        text = texts.render(event, "staff", number=case.number, link=texts.staff_link(case.number), **values(case))
        recipient = events.contact_recipient(roster, "staff", person.display_name, person.contact)
        messages.append(Message(event, recipient, text, case=case.number, once_key=key,
                                detail=f"{station.name if station else case.station_id}：{text}"))
    return messages


def _written(keys: list[str]) -> set[str]:
    """The keys already in the outbox. An overdue case stays overdue for many passes: asking once
    costs less than rendering and inserting its notices again, only for the insert to skip them
    (which still guards a key another sender writes in the meantime)."""
    found = set()
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start:start + CHUNK]
        found.update(key.removesuffix(":own") for key in db.session.scalars(
            select(Notification.once_key).where(Notification.once_key.in_([f"{k}:own" for k in chunk]))))
    return found


def _supervisors() -> dict[str, list[Staff]]:
    by_street: dict[str, list[Staff]] = {}
    for person in db.session.scalars(select(Staff).where(
            Staff.role == "supervisor", Staff.active.is_(True)).order_by(Staff.id)):
        by_street.setdefault(person.street_id or "", []).append(person)
    return by_street


def _people(case: Case, station, supervisors: dict[str, list[Staff]]) -> list[Staff]:
    """The owner (if the case has one and the account is active), the handler it was handed to
    (承办人, who works it), and the street's supervisors, each once."""
    found = [p for p in (case.owner, case.handler) if p is not None and p.active]
    for person in supervisors.get(station.street if station else "", []):
        if person not in found:
            found.append(person)
    return found
