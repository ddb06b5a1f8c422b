"""What the form service stores. Times are naive Beijing wall-clock times: Asia/Shanghai has
no daylight saving, so a naive local time is unambiguous and reads the same in every report.

Double booking is prevented by the database itself: a booking holds one SlotClaim row per
seat of its slot (unique per officer, start and seat) and one PhoneClaim row per five minutes
it covers (unique per phone and bucket). Two racing requests cannot both insert.
"""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db

BOOKED, CANCELLED, ATTENDED, NO_SHOW = "booked", "cancelled", "attended", "no_show"


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
    consent_version: Mapped[str | None] = mapped_column(String(16))  # consent.py; empty before it was kept
    created_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    # The case the meeting's matter became: one column, so one case per appointment, and every
    # change of the booking's outcome can require it empty in the same row it writes.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), unique=True)
    # the resident asked for the essential messages only (notify/outbox.py ESSENTIAL)
    quiet: Mapped[bool] = mapped_column(default=False, server_default=false())
    case: Mapped[Case | None] = relationship()

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


# ---------------------------------------------------------------- complaints and their cases

class Staff(UserMixin, db.Model):
    """A console account: station staff see their stations, a street supervisor the street's,
    an administrator everything."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))  # station / supervisor / admin
    stations: Mapped[str] = mapped_column(Text, default="")  # comma-separated station ids
    street_id: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    # where the deadline and arrival notices reach them: a phone (for the gateway), an e-mail
    # address or a webhook URL (notify/events.py contact_recipient)
    contact: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime]
    # Part of every session's id: raising it (logout, a new password, "sign out everywhere") makes
    # every session cookie issued before worthless, on every worker, since the cookie is all a session is.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Failed logins in the window that began at failed_since; at the limit the account is locked
    # until locked_until (staff/lockout.py), in the database so that it holds on every worker and host.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    failed_since: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class Case(db.Model):
    """A resident's complaint or request, from registration to the archive."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    station_id: Mapped[str] = mapped_column(String(64), index=True)
    category: Mapped[str] = mapped_column(String(64), index=True)
    description: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(String(200), default="")
    occurred: Mapped[str] = mapped_column(String(100), default="")
    name: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(24))
    contact_time: Mapped[str] = mapped_column(String(100), default="")
    anonymous: Mapped[bool] = mapped_column(default=False)  # not to be named to the other party
    consent_at: Mapped[datetime]
    consent_version: Mapped[str | None] = mapped_column(String(16))  # consent.py; empty before it was kept
    # the resident asked for the essential messages only (notify/outbox.py ESSENTIAL)
    quiet: Mapped[bool] = mapped_column(default=False, server_default=false())
    sensitive_consent_at: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(String(16), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    # 承办人: the station account the owner handed the case to (cases/handlers.py); the owner stays answerable
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    extended_days: Mapped[int] = mapped_column(default=0)
    extension_reason: Mapped[str | None] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(64))
    dispatched_at: Mapped[datetime | None]
    dispatched_on_site: Mapped[bool] = mapped_column(default=False)
    arrived_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(16))  # resolved (化解) / unresolved
    result: Mapped[str | None] = mapped_column(Text)
    feedback_at: Mapped[datetime | None]
    feedback_channel: Mapped[str | None] = mapped_column(String(40))
    followed_up_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    satisfaction: Mapped[int | None]
    satisfaction_comment: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(index=True)
    # 来源 (cases/sources.py): web for the resident's form and the API; phone, counter, police … by a clerk
    source: Mapped[str] = mapped_column(String(16), default="web", server_default="web")

    # A resident's cases by phone (the purge, a clerk's search), newest first.
    __table_args__ = (Index("ix_cases_phone_created_at", "phone", "created_at"),)

    owner: Mapped[Staff | None] = relationship(foreign_keys=[owner_id])
    handler: Mapped[Staff | None] = relationship(foreign_keys=[handler_id])
    officers: Mapped[list[CaseOfficer]] = relationship(back_populates="case", cascade="all, delete-orphan",
                                                       order_by="CaseOfficer.id")

    @property
    def handler_name(self) -> str | None:
        """The handler's display name, for the ledger: it says who, not an account number."""
        return self.handler.display_name if self.handler is not None else None

    @property
    def officer_ids(self) -> list[str]:
        """The roster officers named on the case (cases/officers.py), in the order they were named."""
        return [named.officer_id for named in self.officers]
    photos: Mapped[list[CasePhoto]] = relationship(back_populates="case", cascade="all, delete-orphan")
    ledger: Mapped[list[LedgerEntry]] = relationship(back_populates="case", order_by="LedgerEntry.id")


class CaseOfficer(db.Model):
    """A roster officer (data/officers.yaml id) named as having handled a case, at the case's
    station (cases/officers.py): the per-officer record (staff/officer_records.py) counts these."""

    __tablename__ = "case_officers"
    __table_args__ = (UniqueConstraint("case_id", "officer_id", name="uq_case_officers_case_officer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    officer_id: Mapped[str] = mapped_column(String(64), index=True)
    station_id: Mapped[str] = mapped_column(String(64))
    named_at: Mapped[datetime]
    named_by: Mapped[str] = mapped_column(String(40))  # the display name of who named them
    case: Mapped[Case] = relationship(back_populates="officers")


class CasePhoto(db.Model):
    __tablename__ = "case_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(64), unique=True)  # random; the resident's name is not kept
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int]
    case: Mapped[Case] = relationship(back_populates="photos")


class LedgerEntry(db.Model):
    """台账: append-only. Rows are only ever inserted; see the guard in cases/ledger.py."""

    __tablename__ = "ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    actor: Mapped[str] = mapped_column(String(40))  # display name, or 群众 / 系统
    action: Mapped[str] = mapped_column(String(32))
    before: Mapped[str] = mapped_column(Text, default="{}")
    after: Mapped[str] = mapped_column(Text, default="{}")
    note: Mapped[str] = mapped_column(Text, default="")
    case: Mapped[Case] = relationship(back_populates="ledger")


class ExportLog(db.Model):
    """Every report download: who, when, which month and scope, and whether names were unmasked."""

    __tablename__ = "export_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    actor: Mapped[str] = mapped_column(String(40))
    month: Mapped[str] = mapped_column(String(7))
    scope: Mapped[str] = mapped_column(String(200))
    full: Mapped[bool] = mapped_column(default=False)
    format: Mapped[str] = mapped_column(String(8))


class RepeatGuard(db.Model):
    """The database's guard against a double submit: one row per station, phone and text a
    resident filed, naming the latest case filed with them and when. A second submission within
    the repeat window finds the row (its INSERT conflicts on the key) and gets that case; two at
    the same moment are ordered by the row lock, so one case results on every database.

    The key is a SHA-256 of the three values, not the values: the guard holds no readable
    personal data, and the purge deletes it with the case's details."""

    __tablename__ = "repeat_guards"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_number: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]


class IdempotentRequest(db.Model):
    """An API POST sent with an ``Idempotency-Key`` header, and the answer it got: the same key
    with the same body gets the same answer again instead of a second booking or case
    (api/idempotency.py). ``status`` is empty while the first request is still being handled."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "key", name="uq_idempotency_keys_scope_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))  # the method and route: POST /api/v1/cases
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of the request body
    status: Mapped[int | None]
    body: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(index=True)


class AuditEntry(db.Model):
    """Who saw or took personal data, and who signed in: append-only like the ledger
    (staff/audit.py guards it). Never holds the data itself, only what was looked at."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    actor: Mapped[str] = mapped_column(String(64))  # display name, the username tried, or 命令行 / 日历订阅
    action: Mapped[str] = mapped_column(String(32), index=True)
    target: Mapped[str] = mapped_column(String(100), default="")  # a case number, a month, an officer id
    address: Mapped[str] = mapped_column(String(64), default="")


class Notification(db.Model):
    """One message to one recipient through one channel: the outbox (forms_app/notify/). Written
    in the transaction of the action that causes it, delivered later by a sender. ``uid`` is the
    id a receiver sees, the same on every retry, so that it can drop a duplicate."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    event: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20))  # log, email, webhook
    target: Mapped[str] = mapped_column(String(300), default="")  # the e-mail address or webhook URL; "" = the global webhook
    recipient_kind: Mapped[str] = mapped_column(String(20))  # resident, officer, department, staff, duty_room
    recipient_name: Mapped[str] = mapped_column(String(100), default="")
    recipient_address: Mapped[str] = mapped_column(String(300), default="")  # phone or e-mail, for a gateway
    text: Mapped[str] = mapped_column(Text)
    case_number: Mapped[str | None] = mapped_column(String(20))
    appointment_number: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending, sending, sent, failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(Text)  # the longer body for e-mail and webhooks (the text is one SMS)
    # a scheduled message's key (a reminder, a deadline notice): it is written once, whoever runs the pass
    once_key: Mapped[str | None] = mapped_column(String(120), unique=True)

    __table_args__ = (Index("ix_notifications_due", "status", "next_attempt_at"),)


class NotificationAttempt(db.Model):
    """Every try to deliver a notification, kept for staff to see why one failed."""

    __tablename__ = "notification_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    sender: Mapped[str] = mapped_column(String(64))
    ok: Mapped[bool]
    error: Mapped[str | None] = mapped_column(String(200))


class ReportLink(db.Model):
    """A department's report-in (报到) link for one dispatch of one case (cases/report_in.py).
    Only the SHA-256 of its token is kept: the raw token is in the dispatch message alone."""

    __tablename__ = "report_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    department: Mapped[str] = mapped_column(String(64))
    dispatched_at: Mapped[datetime]  # the dispatch it belongs to: a later dispatch has another
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]  # revoked by the owner, replaced by a new dispatch, or the case closed
    ended_why: Mapped[str | None] = mapped_column(String(16))  # revoked, redispatched, closed


# Tables kept in their own modules, imported here so that the metadata (and Alembic) has them.
from .staff.filing_store import RegisterFiling  # noqa: E402,F401 - the filed monthly register
