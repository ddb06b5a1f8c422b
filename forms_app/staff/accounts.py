"""Console accounts: logging in, and creating one (from the command line)."""
from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from roster import Roster

from .. import clock
from ..extensions import db, login_manager
from ..models import Staff

ROLES = {"station": "站点工作人员", "supervisor": "街道督查", "admin": "管理员"}
MIN_PASSWORD = 10


class AccountError(Exception):
    """Why an account cannot be made, in Chinese and English; ``field`` names the option at fault."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


@login_manager.user_loader
def load(staff_id: str) -> Staff | None:
    staff = db.session.get(Staff, int(staff_id))
    return staff if staff is not None and staff.active else None


def check_login(username: str, password: str) -> Staff | None:
    staff = db.session.scalar(select(Staff).where(Staff.username == username.strip()))
    if staff and staff.active and check_password_hash(staff.password_hash, password):
        return staff
    return None


def create(roster: Roster, username: str, display_name: str, role: str, stations: tuple[str, ...],
           street: str | None, password: str) -> Staff:
    """A new active account (the caller commits); raises AccountError."""
    unknown = [s for s in stations if not roster.has_station(s)]
    if unknown:
        raise AccountError(f"没有这些站点 / unknown stations: {', '.join(unknown)}", "--station")
    if role == "station" and not stations:
        raise AccountError("站点工作人员至少要有一个站点 / station staff need --station", "--station")
    if role == "supervisor" and street not in {s.id for s in roster.streets}:
        raise AccountError("督查要写 --street（已有的街道编号）/ supervisors need a known --street", "--street")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 位 / at least {MIN_PASSWORD} characters", "--password")
    if db.session.scalar(select(Staff.id).where(Staff.username == username)) is not None:
        raise AccountError(f"用户名已存在 / {username} exists", "USERNAME")
    staff = Staff(username=username, display_name=display_name, role=role, stations=",".join(stations),
                  street_id=street, password_hash=generate_password_hash(password), created_at=clock.now_naive())
    db.session.add(staff)
    return staff
