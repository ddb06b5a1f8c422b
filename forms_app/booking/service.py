"""Booking, cancelling and rescheduling: the one service layer behind the HTML forms and the API.

Who commits: ``book`` commits by itself (transactions.py says on which connection), because a
unique constraint decides a race and the next seat is tried after it refused one; ``cancel`` and
``reschedule`` leave the commit to the caller (a move tries each seat in a savepoint)."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from roster import Roster

from .. import clock
from ..clock import aware, naive
from ..db.transactions import caller_transaction_open, own_connection
from ..extensions import db
from ..inputs import lookup_key, normalise_number, random_code, same_secret
from ..models import BOOKED, CANCELLED, Appointment, AppointmentEvent
from ..notify import choices, events, outbox
from ..notify.outbox import forget as forget_messages
from . import sql
from .slots import Slot, find_slot

PHONE_BUCKET = timedelta(minutes=5)


class BookingError(Exception):
    """A booking cannot be made or changed; ``message`` is for the resident."""

    code = "booking_error"

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class SlotTaken(BookingError):
    code = "slot_taken"


class PhoneBusy(BookingError):
    code = "phone_busy"


class NotOffered(BookingError):
    code = "not_offered"


class TooLate(BookingError):
    code = "too_late"


@dataclass(frozen=True)
class Resident:
    name: str
    phone: str  # normalised
    topic: str
    description: str
    consent_version: str | None = None  # consent.py
    quiet: bool = False  # only the messages the booking needs (notify/choices.py)


def new_number() -> str:
    """7KQX-M3TA: eight characters that read unambiguously over the phone."""
    return f"{random_code(4)}-{random_code(4)}"


def _buckets(start: datetime, end: datetime) -> list[datetime]:
    """Five-minute buckets covered by [start, end): overlapping bookings share at least one."""
    first = start.replace(minute=start.minute - start.minute % 5, second=0, microsecond=0)
    buckets, moment = [], first
    while moment < end:
        buckets.append(moment)
        moment += PHONE_BUCKET
    return buckets


def _phone_busy(phone: str, start: datetime, end: datetime, ignore: int | None = None) -> bool:
    holders = db.session.connection().execute(sql.PHONE_HOLDERS, {"phone": phone, "buckets": _buckets(start, end)})
    return any(found != ignore for found in holders.scalars())


@dataclass(frozen=True)
class Booked:
    """What a new booking gives back to the resident: the number, the private link, the time."""

    id: int
    number: str
    manage_token: str
    station_id: str
    officer_id: str
    starts_at: datetime  # naive Beijing time, as stored
    ends_at: datetime


def book(roster: Roster, station: str, officer: str, start: datetime, resident: Resident,
         now: datetime | None = None) -> Booked:
    """Claim a seat of the slot in one transaction per seat; the unique constraints decide races.

    The busiest write of the service, so its rows go in as plain INSERTs rather than through the
    ORM's unit of work (which took over half of a booking request): four on SQLite, one statement
    on PostgreSQL. The usual case is one transaction and no reads: a busy phone, a taken seat or
    a colliding number all fail an INSERT, and only then do we look at which it was."""
    now = now or clock.now()
    slot = find_slot(roster, station, officer, start, now)
    if slot is None:
        raise NotOffered("这个时间段不在公布的值班时间内，或已经过了可预约的时间，请重新选择", "slot")
    starts_at, ends_at = naive(slot.start), naive(slot.end)
    buckets = _buckets(starts_at, ends_at)
    for seat in range(1, roster.settings.slot_capacity + 1):
        for _ in range(5):  # a fresh number if the random one collides
            booked = Booked(0, new_number(), secrets.token_urlsafe(32), station, officer, starts_at, ends_at)
            messages = events.booking_messages(roster, "appointment.booked", number=booked.number, officer=officer,
                                               station=station, starts_at=starts_at, name=resident.name,
                                               phone=resident.phone, quiet=resident.quiet)
            try:
                return _store(booked, resident, seat, buckets, naive(now), f"{slot.start:%Y-%m-%d %H:%M} {officer}",
                              messages)
            except IntegrityError:
                db.session.rollback()
                if _phone_busy(resident.phone, starts_at, ends_at):
                    raise PhoneBusy("这个手机号在这个时间已经有预约了", "phone") from None
                if not _seat_free(slot, seat):
                    break  # someone took this seat: try the next one
    raise SlotTaken("这个时间段刚刚被别人约走了，请选择其他时间", "slot")


def _store(booked: Booked, resident: Resident, seat: int, buckets: list[datetime], now: datetime,
           detail: str, messages: list) -> Booked:
    """Write the booking's rows and its messages, and commit (transactions.py says on which
    connection); IntegrityError if the phone, the seat or the number is taken."""
    row = {"number": booked.number, "manage_token": booked.manage_token, "station_id": booked.station_id,
           "officer_id": booked.officer_id, "starts_at": booked.starts_at, "ends_at": booked.ends_at,
           "name": resident.name, "phone": resident.phone, "topic": resident.topic,
           "description": resident.description, "status": BOOKED, "consent_at": now,
           "consent_version": resident.consent_version, "created_at": now,
           "quiet": resident.quiet}
    if caller_transaction_open():
        new_id = sql.insert_rows(db.session.connection(), row, seat, buckets, detail)
        outbox.write(db.session.connection(), messages, now)
        db.session.commit()
    else:
        # the booking and its messages in one transaction: neither stands without the other
        with own_connection(db.engine, statements=2) as connection:
            new_id = sql.insert_rows(connection, row, seat, buckets, detail)
            outbox.write(connection, messages, now)
    return replace(booked, id=new_id)


def _seat_free(slot: Slot, seat: int) -> bool:
    holder = db.session.connection().execute(sql.SEAT_HOLDER, {"officer": slot.officer,
                                                               "starts_at": naive(slot.start), "seat": seat})
    return holder.scalar() is None


def purge_expired(retention_days: int, now: datetime | None = None) -> int:
    """Delete bookings (with their claims and history) that ended more than ``retention_days``
    ago: the consent text promises residents exactly this. The caller commits."""
    now = now or clock.now()
    cutoff = naive(now) - timedelta(days=retention_days)
    expired = db.session.scalars(select(Appointment).where(Appointment.ends_at < cutoff)).all()
    for appointment in expired:
        db.session.delete(appointment)
    forget_messages(appointments=[appointment.number for appointment in expired])
    return len(expired)


def by_token(token: str) -> Appointment | None:
    token = lookup_key(token)
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Appointment).where(Appointment.manage_token == token))


def by_number(number: str, token: str) -> Appointment | None:
    """Both must match: a number alone (read out at the desk) does not open a booking."""
    number = lookup_key(number or "")
    if number is None:
        return None
    found = db.session.scalar(select(Appointment).where(Appointment.number == number.upper()))
    if found is None or not same_secret(token or "", found.manage_token):
        return None
    return found


def find_for_resident(number: str, phone_last4: str) -> Appointment | None:
    """A booking by its number and the last four digits of its phone (a number on a screenshot or
    a slip of paper, where a link cannot be tapped); wrong digits look like no booking."""
    number = lookup_key(normalise_number(number))
    if not number:
        return None
    found = db.session.scalar(select(Appointment).where(Appointment.number == number))
    if found is None or not same_secret((phone_last4 or "").strip(), found.phone[-4:]):
        return None
    return found


def _check_notice(roster: Roster, appointment: Appointment, now: datetime) -> None:
    if appointment.status != BOOKED:
        raise BookingError("这个预约已经取消了")
    limit = aware(appointment.starts_at) - timedelta(minutes=roster.settings.min_notice_minutes)
    if now > limit:
        hours = roster.settings.min_notice_minutes / 60
        raise TooLate(f"离预约时间不到 {hours:g} 小时，不能在网上取消或改约了；请直接打电话给站点")


def cancel(roster: Roster, appointment: Appointment, reason: str, now: datetime | None = None) -> Appointment:
    """Cancel and free the slot; the caller commits."""
    now = now or clock.now()
    _check_notice(roster, appointment, now)
    sql.release_claims(db.session.connection(), appointment.id)
    db.session.expire(appointment, ["claims", "phone_claims"])
    appointment.status = CANCELLED
    appointment.cancelled_at = naive(now)
    appointment.cancel_reason = reason
    appointment.events.append(AppointmentEvent(at=naive(now), action="cancelled", detail=reason))
    events.write_now(events.booking_messages(
        roster, "appointment.cancelled", number=appointment.number, officer=appointment.officer_id,
        station=appointment.station_id, starts_at=appointment.starts_at, name=appointment.name,
        phone=appointment.phone, quiet=appointment.quiet), now)
    return appointment


def switch_quiet(appointment: Appointment, quiet: bool, now: datetime | None = None) -> bool:
    """The resident's choice of messages (notify/choices.py), in the booking's history (the caller
    commits); False when it was already so."""
    if bool(appointment.quiet) == quiet:
        return False
    appointment.quiet = quiet
    appointment.events.append(AppointmentEvent(at=naive(now or clock.now()), action=choices.ACTIONS[quiet],
                                               detail=choices.switched("booking", quiet)))
    return True


def reschedule(roster: Roster, appointment: Appointment, officer: str, start: datetime, reason: str,
               now: datetime | None = None) -> Appointment:
    """Move to another slot atomically (the caller commits): if every seat of the new slot is
    taken, the old booking stays as it was and SlotTaken is raised."""
    now = now or clock.now()
    _check_notice(roster, appointment, now)
    slot = find_slot(roster, appointment.station_id, officer, start, now)
    if slot is None:
        raise NotOffered("这个时间段不在公布的值班时间内，请重新选择", "slot")
    starts_at, ends_at = naive(slot.start), naive(slot.end)
    if _phone_busy(appointment.phone, starts_at, ends_at, ignore=appointment.id):
        raise PhoneBusy("这个手机号在这个时间已经有别的预约了", "slot")
    detail = (f"{appointment.starts_at:%Y-%m-%d %H:%M} {appointment.officer_id} → "
              f"{slot.start:%Y-%m-%d %H:%M} {officer}；{reason}")
    db.session.flush()
    for seat in range(1, roster.settings.slot_capacity + 1):
        try:
            with db.session.begin_nested():  # the old claims are freed first: a move within overlapping time works
                sql.move(db.session.connection(), appointment.id, officer, starts_at, ends_at, seat, appointment.phone,
                         _buckets(starts_at, ends_at), naive(now), detail)
        except IntegrityError:
            continue  # someone holds this seat: the savepoint is undone, try the next one
        db.session.expire(appointment)
        events.write_now(events.booking_messages(
            roster, "appointment.rescheduled", number=appointment.number, officer=officer,
            station=appointment.station_id, starts_at=starts_at, name=appointment.name, phone=appointment.phone,
            quiet=appointment.quiet), now)
        return appointment
    raise SlotTaken("这个时间段刚刚被别人约走了，请选择其他时间", "slot")
