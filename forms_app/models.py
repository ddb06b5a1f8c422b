"""What the form service stores. Times are naive Beijing wall-clock times: Asia/Shanghai has
no daylight saving, so a naive local time is unambiguous and reads the same in every report.

Double booking is prevented by the database itself: a booking holds one SlotClaim row per
seat of its slot (unique per officer, start and seat) and one PhoneClaim row per five minutes
it covers (unique per phone and bucket). Two racing requests cannot both insert.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db

BOOKED, CANCELLED = "booked", "cancelled"


class Appointment(db.Model):
    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    manage_token: Mapped[str] = mapped_column(String(64), unique=True)
    station_id: Mapped[str] = mapped_column(String(64), index=True)
    officer_id: Mapped[str] = mapped_column(String(64), index=True)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    name: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(24))
    topic: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=BOOKED, index=True)
    consent_at: Mapped[datetime]
    created_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(200))

    claims: Mapped[list[SlotClaim]] = relationship(back_populates="appointment", cascade="all, delete-orphan")
    phone_claims: Mapped[list[PhoneClaim]] = relationship(back_populates="appointment", cascade="all, delete-orphan")
    events: Mapped[list[AppointmentEvent]] = relationship(back_populates="appointment", cascade="all, delete-orphan",
                                                          order_by="AppointmentEvent.id")


class SlotClaim(db.Model):
    __tablename__ = "slot_claims"
    __table_args__ = (UniqueConstraint("officer_id", "starts_at", "seat", name="uq_slot_claims_seat"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime]
    seat: Mapped[int]
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"), index=True)
    appointment: Mapped[Appointment] = relationship(back_populates="claims")


class PhoneClaim(db.Model):
    __tablename__ = "phone_claims"
    __table_args__ = (UniqueConstraint("phone", "bucket", name="uq_phone_claims_bucket"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(24))
    bucket: Mapped[datetime]
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"), index=True)
    appointment: Mapped[Appointment] = relationship(back_populates="phone_claims")


class AppointmentEvent(db.Model):
    """What happened to a booking: booked, rescheduled, cancelled, with the resident's reason."""

    __tablename__ = "appointment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")
    appointment: Mapped[Appointment] = relationship(back_populates="events")
