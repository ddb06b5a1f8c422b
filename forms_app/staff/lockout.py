"""Per-account lockout: after LOGIN_LOCKOUT_FAILURES failed logins for one account within
LOGIN_LOCKOUT_WINDOW_MINUTES, from however many addresses, the account refuses every login (the
right password too) for LOGIN_LOCKOUT_MINUTES, or until an administrator unlocks it.

The per-address rate limits (limits.py) cannot stop guesses spread over many addresses; this count
can, because it is kept on the account's row: every worker and host sees the same one, and each
failure is one UPDATE that the database serialises, so parallel guesses cannot slip past it."""
from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, or_, select, update

from ..clock import naive
from ..extensions import db
from ..models import Staff

log = logging.getLogger(__name__)

DEFAULTS = {
    "LOGIN_LOCKOUT_FAILURES": 10,
    "LOGIN_LOCKOUT_WINDOW_MINUTES": 15,
    "LOGIN_LOCKOUT_MINUTES": 15,
}


def setting(name: str) -> int:
    return int(current_app.config.get(name) or DEFAULTS[name])


def is_locked(staff: Staff, now: datetime) -> bool:
    return staff.locked_until is not None and staff.locked_until > naive(now)


def seconds_left(staff: Staff, now: datetime) -> int:
    db.session.refresh(staff)
    return max(1, math.ceil((staff.locked_until - naive(now)).total_seconds())) if staff.locked_until else 0


def record_failure(staff: Staff, now: datetime) -> bool:
    """Count one failed login (and commit it); True when it locked the account."""
    stamp = naive(now)
    fresh = or_(Staff.failed_since.is_(None),
                Staff.failed_since <= stamp - timedelta(minutes=setting("LOGIN_LOCKOUT_WINDOW_MINUTES")))
    db.session.execute(update(Staff).where(Staff.id == staff.id).values(
        failed_logins=case((fresh, 1), else_=Staff.failed_logins + 1),
        failed_since=case((fresh, stamp), else_=Staff.failed_since)))
    until = stamp + timedelta(minutes=setting("LOGIN_LOCKOUT_MINUTES"))
    # The count starts again after the lock, so that one more wrong guess afterwards does not re-lock.
    locking = db.session.execute(update(Staff).where(
        Staff.id == staff.id, Staff.failed_logins >= setting("LOGIN_LOCKOUT_FAILURES")).values(
        locked_until=until, failed_logins=0, failed_since=None))
    db.session.commit()
    if locking.rowcount:
        # The administrator's notice besides the accounts page: which account, never what was typed.
        log.warning("staff account %s (id %d) locked until %s Beijing time after %d failed logins",
                    staff.username, staff.id, until.isoformat(timespec="minutes"), setting("LOGIN_LOCKOUT_FAILURES"))
    return bool(locking.rowcount)


def clear(staff: Staff) -> None:
    """After a successful login or an administrator's unlock (the caller commits)."""
    staff.failed_logins = 0
    staff.failed_since = None
    staff.locked_until = None


def locked_accounts(now: datetime) -> list[Staff]:
    return list(db.session.scalars(select(Staff).where(Staff.locked_until > naive(now)).order_by(Staff.username)))
