"""Booking, cancelling and rescheduling: the one service layer behind the HTML forms and the API."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import DateTime, bindparam, func, insert, literal, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError

from roster import Roster

from .extensions import db
from .models import BOOKED, CANCELLED, Appointment, AppointmentEvent, PhoneClaim, SlotClaim
from .slots import Slot, aware, find_slot, naive, now_local
from .transactions import caller_transaction_open, own_connection

# Booking numbers are read out over the phone: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
NUMBER_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
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


def new_number() -> str:
    return "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(4)) + "-" + "".join(
        secrets.choice(NUMBER_ALPHABET) for _ in range(4))


def _buckets(start: datetime, end: datetime) -> list[datetime]:
    """Five-minute buckets covered by [start, end): overlapping bookings share at least one."""
    first = start.replace(minute=start.minute - start.minute % 5, second=0, microsecond=0)
    buckets, moment = [], first
    while moment < end:
        buckets.append(moment)
        moment += PHONE_BUCKET
    return buckets


def _phone_busy(phone: str, start: datetime, end: datetime, ignore: int | None = None) -> bool:
    query = select(PhoneClaim.appointment_id).where(PhoneClaim.phone == phone,
                                                    PhoneClaim.bucket.in_(_buckets(start, end)))
    return any(found != ignore for found in db.session.scalars(query))


def _claim(appointment: Appointment, slot: Slot, seat: int) -> None:
    appointment.claims = [SlotClaim(officer_id=slot.officer, starts_at=naive(slot.start), seat=seat)]
    appointment.phone_claims = [PhoneClaim(phone=appointment.phone, bucket=b)
                                for b in _buckets(naive(slot.start), naive(slot.end))]


# Built once and given parameters, not .values(): no statement and cache key to build for every
# booking.
INSERT_APPOINTMENT = insert(Appointment.__table__)
INSERT_SLOT_CLAIM = insert(SlotClaim.__table__)
INSERT_PHONE_CLAIM = insert(PhoneClaim.__table__)
INSERT_EVENT = insert(AppointmentEvent.__table__)


def _one_statement():
    """The same four INSERTs as one PostgreSQL statement (data-modifying CTEs): one round trip
    instead of six, and atomic on its own, so it needs no BEGIN and COMMIT either. A taken
    claim fails the whole statement, as it fails the transaction of the four."""
    rows = Appointment.__table__
    values = {name: bindparam(name, type_=rows.c[name].type) for name in (
        "number", "manage_token", "station_id", "officer_id", "starts_at", "ends_at", "name", "phone", "topic",
        "description", "status", "consent_at", "created_at")}
    new = insert(rows).values(values).returning(rows.c.id).cte("new_appointment")
    seat = insert(SlotClaim.__table__).from_select(
        ["officer_id", "starts_at", "seat", "appointment_id"],
        select(values["officer_id"], values["starts_at"], bindparam("seat"), new.c.id)).cte("new_seat")
    buckets = func.unnest(bindparam("buckets", type_=ARRAY(DateTime))).table_valued("bucket").render_derived()
    phone = insert(PhoneClaim.__table__).from_select(
        ["phone", "bucket", "appointment_id"],
        select(values["phone"], buckets.c.bucket, new.c.id).select_from(new).join(buckets, true())).cte("new_phone")
    event = insert(AppointmentEvent.__table__).from_select(
        ["appointment_id", "at", "action", "detail"],
        select(new.c.id, values["created_at"], literal("booked"), bindparam("detail"))).cte("new_event")
    return select(new.c.id).add_cte(seat, phone, event)


BOOK_POSTGRESQL = _one_statement()


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
    now = now or now_local()
    slot = find_slot(roster, station, officer, start, now)
    if slot is None:
        raise NotOffered("这个时间段不在公布的值班时间内，或已经过了可预约的时间，请重新选择", "slot")
    starts_at, ends_at = naive(slot.start), naive(slot.end)
    buckets = _buckets(starts_at, ends_at)
    for seat in range(1, roster.settings.slot_capacity + 1):
        for _ in range(5):  # a fresh number if the random one collides
            booked = Booked(0, new_number(), secrets.token_urlsafe(32), station, officer, starts_at, ends_at)
            try:
                return _store(booked, resident, seat, buckets, naive(now), f"{slot.start:%Y-%m-%d %H:%M} {officer}")
            except IntegrityError:
                db.session.rollback()
                if _phone_busy(resident.phone, starts_at, ends_at):
                    raise PhoneBusy("这个手机号在这个时间已经有预约了", "phone") from None
                if not _seat_free(slot, seat):
                    break  # someone took this seat: try the next one
    raise SlotTaken("这个时间段刚刚被别人约走了，请选择其他时间", "slot")


def _store(booked: Booked, resident: Resident, seat: int, buckets: list[datetime], now: datetime,
           detail: str) -> Booked:
    """Write the booking's rows and commit (transactions.py says on which connection);
    IntegrityError if the phone, the seat or the number is taken."""
    row = {"number": booked.number, "manage_token": booked.manage_token, "station_id": booked.station_id,
           "officer_id": booked.officer_id, "starts_at": booked.starts_at, "ends_at": booked.ends_at,
           "name": resident.name, "phone": resident.phone, "topic": resident.topic,
           "description": resident.description, "status": BOOKED, "consent_at": now, "created_at": now}
    if caller_transaction_open():
        new_id = insert_rows(db.session.connection(), row, seat, buckets, detail)
        db.session.commit()
    else:
        with own_connection(db.engine) as connection:
            new_id = insert_rows(connection, row, seat, buckets, detail)
    return replace(booked, id=new_id)


def insert_rows(connection, row: dict, seat: int, buckets: list[datetime], detail: str) -> int:
    """A booking's rows (appointment, seat claim, phone claims, history) on ``connection``; the
    caller commits. The load benchmark's baseline calls it too, to show what the rows alone cost."""
    if connection.dialect.name == "postgresql":
        return connection.execute(BOOK_POSTGRESQL, {**row, "seat": seat, "buckets": buckets,
                                                    "detail": detail}).scalar_one()
    new_id = connection.execute(INSERT_APPOINTMENT, row).inserted_primary_key[0]
    connection.execute(INSERT_SLOT_CLAIM, {
        "officer_id": row["officer_id"], "starts_at": row["starts_at"], "seat": seat, "appointment_id": new_id})
    connection.execute(INSERT_PHONE_CLAIM,
                       [{"phone": row["phone"], "bucket": bucket, "appointment_id": new_id} for bucket in buckets])
    connection.execute(INSERT_EVENT, {"appointment_id": new_id, "at": row["created_at"], "action": "booked",
                                      "detail": detail})
    return new_id


def _seat_free(slot: Slot, seat: int) -> bool:
    return db.session.scalar(select(SlotClaim.id).where(
        SlotClaim.officer_id == slot.officer, SlotClaim.starts_at == naive(slot.start), SlotClaim.seat == seat)) is None


def purge_expired(retention_days: int, now: datetime | None = None) -> int:
    """Delete bookings (with their claims and history) that ended more than ``retention_days``
    ago: the consent text promises residents exactly this."""
    now = now or now_local()
    cutoff = naive(now) - timedelta(days=retention_days)
    expired = db.session.scalars(select(Appointment).where(Appointment.ends_at < cutoff)).all()
    for appointment in expired:
        db.session.delete(appointment)
    db.session.commit()
    return len(expired)


def by_token(token: str) -> Appointment | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Appointment).where(Appointment.manage_token == token))


def by_number(number: str, token: str) -> Appointment | None:
    """Both must match: a number alone (read out at the desk) does not open a booking."""
    found = db.session.scalar(select(Appointment).where(Appointment.number == (number or "").upper()))
    if found is None or not secrets.compare_digest(found.manage_token, token or ""):
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
    now = now or now_local()
    _check_notice(roster, appointment, now)
    appointment.status = CANCELLED
    appointment.cancelled_at = naive(now)
    appointment.cancel_reason = reason
    appointment.claims = []
    appointment.phone_claims = []
    appointment.events.append(AppointmentEvent(at=naive(now), action="cancelled", detail=reason))
    db.session.commit()
    return appointment


def reschedule(roster: Roster, appointment: Appointment, officer: str, start: datetime, reason: str,
               now: datetime | None = None) -> Appointment:
    """Move to another slot atomically: if the new slot is taken, the old booking stays as it was."""
    now = now or now_local()
    _check_notice(roster, appointment, now)
    slot = find_slot(roster, appointment.station_id, officer, start, now)
    if slot is None:
        raise NotOffered("这个时间段不在公布的值班时间内，请重新选择", "slot")
    if _phone_busy(appointment.phone, naive(slot.start), naive(slot.end), ignore=appointment.id):
        raise PhoneBusy("这个手机号在这个时间已经有别的预约了", "slot")
    old = f"{appointment.starts_at:%Y-%m-%d %H:%M} {appointment.officer_id}"
    appointment_id = appointment.id
    for seat in range(1, roster.settings.slot_capacity + 1):
        appointment = db.session.get(Appointment, appointment_id)
        appointment.claims = []
        appointment.phone_claims = []
        db.session.flush()  # free the old claims first, so a move within overlapping time works
        _claim(appointment, slot, seat)
        appointment.officer_id, appointment.starts_at, appointment.ends_at = officer, naive(slot.start), naive(slot.end)
        appointment.events.append(AppointmentEvent(
            at=naive(now), action="rescheduled", detail=f"{old} → {slot.start:%Y-%m-%d %H:%M} {officer}；{reason}"))
        try:
            db.session.commit()
            return appointment
        except IntegrityError:
            db.session.rollback()
    raise SlotTaken("这个时间段刚刚被别人约走了，请选择其他时间", "slot")
