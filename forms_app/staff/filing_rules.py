"""The rules of the filed monthly register (报送), without a database: when a month's register is
due, what its status is, and who may still withdraw a filing.

Seed 000 (信息报送制度): "每月30日前向综合治理办报送《社区平安服务驿站事件处置登记表》，运行工作情况、
存在问题及工作建议". The sentence before it names another month when it means one (the duty tables
are sent by the 30th "下一个月份的"); this one names none, so a month's register is sent within that
month: the register of 2026-11 is due by the end of 30 November (Beijing time), and a filing made
on the 30th is on time. February has no 30th: its register is due by its last day (28th or 29th).
A month's register can be filed once the month has begun, and later than the deadline too (then
it counts as 逾期报送).

A station withdraws its own filing (撤回) to correct it until the deadline: after the deadline the
street has the register as it was filed. An administrator may withdraw one at any time (to put a
mistake right), and the station then files again, late if the deadline has passed.
"""
from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time

DUE_DAY = 30
# the months a console page takes (years a register can have); the rules themselves take any month
# whose days exist (year 1 to 9998), as the report command does
MONTH = re.compile(r"(?:19|20|21)\d{2}-(?:0[1-9]|1[0-2])")
ANY_MONTH = re.compile(r"\d{4}-(?:0[1-9]|1[0-2])")

FILED, FILED_LATE, NOT_FILED, OVERDUE = "filed", "filed_late", "not_filed", "overdue"
STATUSES = {FILED: "已报送", FILED_LATE: "逾期报送", NOT_FILED: "未报送", OVERDUE: "逾期未报送"}

PARTS = {"work": "运行工作情况", "problems": "存在问题", "suggestions": "工作建议"}
PART_MAX = 5000  # characters of each narrative part


def valid_month(month: str | None) -> bool:
    return isinstance(month, str) and MONTH.fullmatch(month) is not None


def _parts(month: str) -> tuple[int, int]:
    if not isinstance(month, str) or not ANY_MONTH.fullmatch(month) or not 1 <= int(month[:4]) <= 9998:
        raise ValueError(f"not a month: {month!r}")
    year, number = month.split("-")
    return int(year), int(number)


def due_date(month: str) -> date:
    """The last day on which the month's register is on time: the 30th, or February's last day."""
    year, number = _parts(month)
    return date(year, number, min(DUE_DAY, calendar.monthrange(year, number)[1]))


def deadline(month: str) -> datetime:
    """The last moment (naive Beijing time, as stored) of the due date."""
    return datetime.combine(due_date(month), time.max)


def first_moment(month: str) -> datetime:
    year, number = _parts(month)
    return datetime(year, number, 1)


def may_file_yet(month: str, now: datetime) -> bool:
    """A month's register is filed once the month has begun, not before."""
    return now >= first_moment(month)


def status(month: str, filed_at: datetime | None, now: datetime) -> str:
    """已报送 (filed by the deadline), 逾期报送 (filed after it), 未报送 (not yet, still in time),
    逾期未报送 (not filed and the deadline has passed). Times are naive Beijing times."""
    due = deadline(month)
    if filed_at is not None:
        return FILED if filed_at <= due else FILED_LATE
    return NOT_FILED if now <= due else OVERDUE


def may_withdraw(role: str, month: str, now: datetime) -> bool:
    """Station staff until the deadline; an administrator at any time; a supervisor never (they read)."""
    if role == "admin":
        return True
    return role == "station" and now <= deadline(month)


def missing_parts(texts: dict[str, str]) -> list[str]:
    """The parts still empty: all three are needed to file (nothing to say is written “无”)."""
    return [name for name in PARTS if not (texts.get(name) or "").strip()]
