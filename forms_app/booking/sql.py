"""The statements of a booking's rows, per database. Built once and given parameters (not
``.values()``): no statement and cache key to build for every booking.

A booking's rows are the appointment, one seat claim (unique per officer, start and seat), one
phone claim per five minutes it covers (unique per phone and bucket) and a line of its history.
``insert_claims`` is the one way claim rows are written, for a new booking on SQLite and for a
move on both databases; on PostgreSQL a new booking writes the same rows as one statement
(``BOOK_POSTGRESQL``), from the same parameters.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, bindparam, delete, func, insert, literal, select, true, update
from sqlalchemy.dialects.postgresql import ARRAY

from ..models import Appointment, AppointmentEvent, PhoneClaim, SlotClaim

INSERT_APPOINTMENT = insert(Appointment.__table__)
INSERT_SLOT_CLAIM = insert(SlotClaim.__table__)
INSERT_PHONE_CLAIM = insert(PhoneClaim.__table__)
INSERT_EVENT = insert(AppointmentEvent.__table__)

_claims = SlotClaim.__table__.c
_phones = PhoneClaim.__table__.c
# Every booking page runs it.
TAKEN_SEATS = select(_claims.officer_id, _claims.starts_at).where(
    _claims.officer_id.in_(bindparam("officers", expanding=True)), _claims.starts_at >= bindparam("first"),
    _claims.starts_at <= bindparam("last"))
SEAT_HOLDER = select(_claims.id).where(_claims.officer_id == bindparam("officer"),
                                       _claims.starts_at == bindparam("starts_at"), _claims.seat == bindparam("seat"))
PHONE_HOLDERS = select(_phones.appointment_id).where(_phones.phone == bindparam("phone"),
                                                     _phones.bucket.in_(bindparam("buckets", expanding=True)))


def _one_statement():
    """The four INSERTs of a new booking as one PostgreSQL statement (data-modifying CTEs): one
    round trip instead of six, and atomic on its own, so it needs no BEGIN and COMMIT either. A
    taken claim fails the whole statement, as it fails the transaction of the four."""
    rows = Appointment.__table__
    values = {name: bindparam(name, type_=rows.c[name].type) for name in (
        "number", "manage_token", "station_id", "officer_id", "starts_at", "ends_at", "name", "phone", "topic",
        "description", "status", "consent_at", "consent_version", "created_at", "quiet")}
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


def insert_rows(connection, row: dict, seat: int, buckets: list[datetime], detail: str) -> int:
    """A new booking's rows on ``connection``; the caller commits. The load benchmark's baseline
    calls it too, to show what the rows alone cost."""
    if connection.dialect.name == "postgresql":
        return connection.execute(BOOK_POSTGRESQL, {**row, "seat": seat, "buckets": buckets,
                                                    "detail": detail}).scalar_one()
    new_id = connection.execute(INSERT_APPOINTMENT, row).inserted_primary_key[0]
    insert_claims(connection, new_id, row["officer_id"], row["starts_at"], seat, row["phone"], buckets)
    connection.execute(INSERT_EVENT, {"appointment_id": new_id, "at": row["created_at"], "action": "booked",
                                      "detail": detail})
    return new_id


def insert_claims(connection, appointment_id: int, officer_id: str, starts_at: datetime, seat: int, phone: str,
                  buckets: list[datetime]) -> None:
    """The seat and phone claims of a booking; IntegrityError if another booking holds one."""
    connection.execute(INSERT_SLOT_CLAIM, {"officer_id": officer_id, "starts_at": starts_at, "seat": seat,
                                           "appointment_id": appointment_id})
    connection.execute(INSERT_PHONE_CLAIM,
                       [{"phone": phone, "bucket": bucket, "appointment_id": appointment_id} for bucket in buckets])


def release_claims(connection, appointment_id: int) -> None:
    """Free a booking's seat and times, for a cancellation or before its move."""
    connection.execute(delete(SlotClaim.__table__).where(_claims.appointment_id == appointment_id))
    connection.execute(delete(PhoneClaim.__table__).where(_phones.appointment_id == appointment_id))


def move(connection, appointment_id: int, officer_id: str, starts_at: datetime, ends_at: datetime, seat: int,
         phone: str, buckets: list[datetime], at: datetime, detail: str) -> None:
    """A booking's new slot, claims and history line; IntegrityError if the seat is taken."""
    release_claims(connection, appointment_id)
    insert_claims(connection, appointment_id, officer_id, starts_at, seat, phone, buckets)
    connection.execute(update(Appointment.__table__).where(Appointment.__table__.c.id == appointment_id).values(
        officer_id=officer_id, starts_at=starts_at, ends_at=ends_at))
    connection.execute(INSERT_EVENT, {"appointment_id": appointment_id, "at": at, "action": "rescheduled",
                                      "detail": detail})
