"""Writing messages into the outbox, in the transaction of the action that causes them: an action
that is rolled back takes its messages with it, and a message never exists without its action.

Each message becomes one row per delivery: the recipient's own channel (settings.notify in
roster.yaml, ``log`` when none is set), and, when NOTIFY_WEBHOOK_URL is set, one more for that
webhook, so that a street office connects one SMS or WeChat gateway for every message."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from ..clock import aware, naive
from ..models import Notification

EVENTS = ("appointment.booked", "appointment.cancelled", "appointment.rescheduled", "appointment.reminder",
          "case.registered", "case.accepted", "case.dispatched", "case.state_changed", "case.result",
          "case.deadline_due", "case.deadline_passed", "case.arrival_overdue", "case.follow_up", "case.handed_over",
          "case.supervised", "case.supervision_answered", "case.supervision_sent_back")  # 督办: notify/supervision.py
KINDS = ("resident", "officer", "department", "staff", "duty_room")
# What a resident's own case or booking needs, which they get even when they declined the rest
# (Case.quiet, Appointment.quiet): the number, a booking made, cancelled or moved, and the result.
ESSENTIAL = ("appointment.booked", "appointment.cancelled", "appointment.rescheduled", "case.registered",
             "case.result")
CHANNELS = ("log", "email", "webhook")


@dataclass(frozen=True)
class Recipient:
    kind: str  # one of KINDS
    name: str
    address: str = ""  # a phone or an e-mail address: what a gateway delivers to
    channel: str = "log"  # one of CHANNELS
    target: str = ""  # the e-mail address or webhook URL the channel delivers to
    quiet: bool = False  # a resident who declined every message their case or booking does not need


@dataclass(frozen=True)
class Message:
    event: str
    recipient: Recipient
    text: str
    case: str | None = None  # the case number a person reads
    appointment: str | None = None  # the booking number
    detail: str | None = None  # a longer body where the channel carries one (e-mail, webhook)
    once_key: str | None = None  # a scheduled message: written once under this key, whoever writes it again


def global_webhook() -> str:
    return (os.environ.get("NOTIFY_WEBHOOK_URL") or "").strip()


def rows(messages: list[Message], now: datetime) -> list[dict]:
    """The outbox rows of ``messages``, ready to insert."""
    stamp = naive(aware(now))  # an action may hand over its time already naive (Beijing): not to be shifted again
    found = []
    for message in messages:
        if message.event not in EVENTS or message.recipient.kind not in KINDS:
            raise ValueError(f"unknown event or recipient kind: {message.event} {message.recipient.kind}")
        if message.recipient.quiet and message.event not in ESSENTIAL:
            continue
        deliveries = [(message.recipient.channel, message.recipient.target)]
        if global_webhook():
            deliveries.append(("webhook", ""))
        for (channel, target), suffix in zip(dict.fromkeys(deliveries), ("own", "all")):
            found.append({
                "uid": secrets.token_hex(16), "event": message.event, "channel": channel, "target": target,
                "recipient_kind": message.recipient.kind, "recipient_name": message.recipient.name[:100],
                "recipient_address": message.recipient.address[:300], "text": message.text,
                "case_number": message.case, "appointment_number": message.appointment,
                "created_at": stamp, "status": "pending", "attempts": 0, "next_attempt_at": stamp,
                "detail": message.detail,
                "once_key": f"{message.once_key}:{suffix}" if message.once_key else None})
    return found


def write(connection: Connection, messages: list[Message], now: datetime) -> int:
    """Insert into the outbox on ``connection``, inside the caller's transaction. A row whose
    ``once_key`` is already there is skipped (two passes of the scheduler at once write a
    reminder once); the answer counts the rows inserted."""
    found = rows(messages, now)
    once = [row for row in found if row["once_key"]]
    plain = [row for row in found if not row["once_key"]]
    inserted = 0
    if plain:
        connection.execute(insert(Notification), plain)
        inserted += len(plain)
    if once:
        if connection.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        for row in once:  # one by one: RETURNING says which were new (psycopg's rowcount here is -1)
            statement = (dialect_insert(Notification).values(**row)
                         .on_conflict_do_nothing(index_elements=["once_key"]).returning(Notification.id))
            inserted += len(connection.execute(statement).all())
    return inserted


def forget(*, cases: list[str] = (), appointments: list[str] = ()) -> int:
    """Delete the messages of purged cases and bookings (they hold the name, the phone and the
    text's number): the retention the consent text promises covers the outbox too."""
    from sqlalchemy import delete, or_

    from ..extensions import db

    conditions = []
    if cases:
        conditions.append(Notification.case_number.in_(list(cases)))
    if appointments:
        conditions.append(Notification.appointment_number.in_(list(appointments)))
    if not conditions:
        return 0
    return db.session.execute(delete(Notification).where(or_(*conditions))).rowcount
