"""Delivering the outbox. A sender claims a batch of due notifications, delivers each one outside
any transaction, and records the attempt; a failed attempt is retried with back-off until
MAX_ATTEMPTS, then the notification is "failed" and staff see it.

Several senders may run at once, on several hosts against one PostgreSQL: a claim is a lease
(``claimed_by``, ``claimed_until``) taken with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so that
two senders never take the same row and neither waits for the other; on SQLite one conditional
UPDATE takes the batch, SQLite's write lock ordering the senders. A sender that dies holding a
claim loses it when the lease runs out, and another takes the row again. Delivery is therefore at
least once: a sender killed after the channel took a message and before it wrote "sent" lets the
message go again, with the same ``id`` (webhook) or Message-ID (e-mail) so that the receiver
drops the duplicate."""
from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update

from .. import clock
from ..clock import naive
from ..extensions import db
from ..models import Notification, NotificationAttempt
from .channels import DeliveryFailed, deliver

MAX_ATTEMPTS = 8  # 30 s, 1, 2, 4, 8, 16, 32 min, then 1 h: about two hours of a channel being down
LEASE = timedelta(minutes=2)
BATCH = 50


@dataclass
class Summary:
    sent: int = 0
    failed: int = 0
    pending: int = 0

    def line(self) -> str:
        return f"sent={self.sent} failed={self.failed} pending={self.pending}"


def sender_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=30) * 2 ** max(0, attempts - 1), timedelta(hours=1))


def _claimable(now: datetime):
    return or_(and_(Notification.status == "pending", Notification.next_attempt_at <= now),
               and_(Notification.status == "sending", Notification.claimed_until < now))


def claim(sender: str, now: datetime, limit: int = BATCH) -> tuple[str, list[int]]:
    """Take up to ``limit`` due notifications for ``sender`` and commit: the claim's own mark
    (unique, so a row is only ever finished by the claim that holds it) and the rows' ids."""
    now = naive(now)
    mark = f"{sender[:51]}#{secrets.token_hex(6)}"
    lease = {"status": "sending", "claimed_by": mark, "claimed_until": now + LEASE}
    if db.engine.dialect.name == "postgresql":
        ids = list(db.session.scalars(select(Notification.id).where(_claimable(now)).order_by(Notification.id)
                                      .limit(limit).with_for_update(skip_locked=True)))
        if ids:
            db.session.execute(update(Notification).where(Notification.id.in_(ids)).values(**lease))
    else:
        due = select(Notification.id).where(_claimable(now)).order_by(Notification.id).limit(limit).scalar_subquery()
        db.session.execute(update(Notification).where(Notification.id.in_(due), _claimable(now)).values(**lease))
        ids = list(db.session.scalars(select(Notification.id).where(Notification.claimed_by == mark)
                                      .order_by(Notification.id)))
    db.session.commit()
    return mark, ids


def _finish(note_id: int, mark: str, now: datetime, error: str | None) -> str:
    """Record the attempt and the outcome, only while the claim is still ours."""
    note = db.session.get(Notification, note_id)
    db.session.add(NotificationAttempt(notification_id=note_id, at=naive(now), sender=mark.split("#")[0],
                                       ok=error is None, error=error))
    attempts = note.attempts + 1
    if error is None:
        values = {"status": "sent", "sent_at": naive(now), "last_error": None}
    elif attempts >= MAX_ATTEMPTS:
        values = {"status": "failed", "last_error": error}
    else:
        values = {"status": "pending", "next_attempt_at": naive(now) + backoff(attempts), "last_error": error}
    done = db.session.execute(update(Notification).where(Notification.id == note_id, Notification.claimed_by == mark)
                              .values(attempts=attempts, claimed_by=None, claimed_until=None, **values))
    db.session.commit()
    return values["status"] if done.rowcount else "lost"  # the lease ran out and another sender holds it


def send_due(now: datetime | None = None, sender: str | None = None, limit: int | None = None) -> Summary:
    """One pass: deliver everything due now; the summary counts this pass and what is left."""
    sender = sender or sender_name()
    summary = Summary()
    taken = 0
    while limit is None or taken < limit:
        mark, ids = claim(sender, now or clock.now(), BATCH if limit is None else min(BATCH, limit - taken))
        if not ids:
            break
        taken += len(ids)
        for note_id in ids:
            note = db.session.get(Notification, note_id)
            db.session.expunge(note)  # read once: no transaction stays open while a channel is slow
            db.session.commit()
            try:
                deliver(note)
                error = None
            except DeliveryFailed as exc:
                error = str(exc)[:200]
            status = _finish(note_id, mark, now or clock.now(), error)
            summary.sent += status == "sent"
            summary.failed += status == "failed"
    summary.pending = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.status.in_(("pending", "sending"))))
    db.session.commit()
    return summary
