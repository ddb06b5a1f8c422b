"""Console accounts: logging in, sessions and their end, passwords, and creating one (from the
command line).

A session is only a signed cookie, so it cannot be deleted on the server; instead its id carries
the account's ``session_version`` (``Staff.get_id``), and ``end_sessions`` raises that number:
every cookie issued before then names an old version and ``load`` refuses it."""
from __future__ import annotations

import re
from functools import cache

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from roster import Roster
from roster.model import normalise_contact
from roster.phones import PhoneError

from .. import clock
from ..extensions import db, login_manager
from ..models import Staff
from . import lockout

ROLES = {"station": "站点工作人员", "supervisor": "街道督查", "admin": "管理员"}
MIN_PASSWORD = 10


class AccountError(Exception):
    """Why an account cannot be made, in Chinese and English; ``field`` names the option at fault."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


class Locked(Exception):
    """The account is locked after too many failed logins (lockout.py), for ``seconds`` more."""

    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds


SESSION_ID = re.compile(r"([0-9]+):([0-9]+)")


@login_manager.user_loader
def load(session_id: str) -> Staff | None:
    found = SESSION_ID.fullmatch(session_id or "")
    if found is None:
        return None  # also a cookie from before session versions: it cannot be ended, so it is not honoured
    staff = db.session.get(Staff, int(found[1]))
    if staff is None or not staff.active or staff.session_version != int(found[2]):
        return None
    return staff


def end_sessions(staff: Staff) -> None:
    """Every session of this account ends, on every device (the caller commits)."""
    staff.session_version = Staff.session_version + 1


@cache
def _decoy_hash() -> str:
    return generate_password_hash("no such account")


def check_login(username: str, password: str) -> Staff | None:
    """The account, or None for a wrong username or password alike; raises Locked."""
    staff = db.session.scalar(select(Staff).where(Staff.username == username.strip()))
    if staff is None or not staff.active:
        check_password_hash(_decoy_hash(), password)  # as slow as a real check: no hint the name is unknown
        return None
    now = clock.now()
    if lockout.is_locked(staff, now):
        check_password_hash(_decoy_hash(), password)  # as slow as any other answer
        raise Locked(lockout.seconds_left(staff, now))
    if not check_password_hash(staff.password_hash, password):
        if lockout.record_failure(staff, now):
            raise Locked(lockout.seconds_left(staff, now))
        return None
    lockout.clear(staff)
    db.session.commit()
    return staff


def check_new_password(password: str, field: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 位 / at least {MIN_PASSWORD} characters", field)


def change_password(staff: Staff, old: str, new: str, again: str) -> None:
    """A new password, and every other session of the account ends (the caller commits and
    signs the current one in again); raises AccountError naming the form field at fault."""
    if not check_password_hash(staff.password_hash, old):
        raise AccountError("原密码不对", "old_password")
    check_new_password(new, "new_password")
    if new != again:
        raise AccountError("两次输入的新密码不一样", "new_again")
    staff.password_hash = generate_password_hash(new)
    end_sessions(staff)


def check_contact(contact: str | None, field: str) -> str | None:
    """Where the deadline and arrival notices reach the account (notify/schedule.py): a phone, an
    e-mail address or a webhook URL, by the roster's rule for contacts; nothing is allowed too."""
    if not (contact or "").strip():
        return None
    try:
        return normalise_contact(contact)
    except PhoneError as exc:
        raise AccountError(f"联系方式有误：{exc.zh} / contact: {exc.en}", field) from None


def set_contact(staff: Staff, contact: str | None) -> bool:
    """The account's own contact for its notices, a phone or an e-mail address (the caller commits);
    False if it did not change; raises AccountError."""
    new = check_contact(contact, "contact")
    if new and new.startswith(("http://", "https://")):
        # the sender would POST wherever the URL points, inside the network too: not for every clerk to choose
        raise AccountError("这里只能填手机号或电子邮箱；要接 webhook，请管理员用 create-staff --contact 设置", "contact")
    if new == staff.contact:
        return False
    staff.contact = new
    return True


def create(roster: Roster, username: str, display_name: str, role: str, stations: tuple[str, ...],
           street: str | None, password: str, contact: str | None = None) -> Staff:
    """A new active account (the caller commits); raises AccountError."""
    unknown = [s for s in stations if not roster.has_station(s)]
    if unknown:
        raise AccountError(f"没有这些站点 / unknown stations: {', '.join(unknown)}", "--station")
    if role == "station" and not stations:
        raise AccountError("站点工作人员至少要有一个站点 / station staff need --station", "--station")
    if role == "supervisor" and street not in {s.id for s in roster.streets}:
        raise AccountError("督查要写 --street（已有的街道编号）/ supervisors need a known --street", "--street")
    contact = check_contact(contact, "--contact")
    check_new_password(password, "--password")
    if db.session.scalar(select(Staff.id).where(Staff.username == username)) is not None:
        raise AccountError(f"用户名已存在 / {username} exists", "USERNAME")
    staff = Staff(username=username, display_name=display_name, role=role, stations=",".join(stations),
                  street_id=street, contact=contact, password_hash=generate_password_hash(password),
                  created_at=clock.now_naive())
    db.session.add(staff)
    return staff
