"""督办 in the monthly report: the month's 督办 as a sheet of the workbook (one row each, issued
that month) and their count among the month's figures on the dashboard."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from roster import Roster

from .. import clock
from ..cases import supervision as rules
from ..cases.supervision_store import Supervision, issued_between, unfinished_in
from ..extensions import db
from ..models import Case
from .reports import Sheet, month_bounds

COLUMNS = ["督办日期", "案件编号", "站点", "督办人", "督办要求", "回复期限", "状态", "书面回复", "回复人", "回复时间",
           "退回次数", "办结时间", "办结人", "是否按期回复"]
WIDTHS = [16, 11, 14, 10, 34, 11, 14, 34, 10, 16, 8, 16, 10, 10]


def replied_in_time(found: Supervision, today) -> bool | None:
    """Whether the (latest) written reply came by its deadline; None while it is still owed and not late."""
    if found.answered_at is not None and found.state not in rules.AWAITING_REPLY:
        return found.answered_at.date() <= found.deadline
    return False if found.overdue(today) else None


def rows(roster: Roster, month: str, stations: list[str], now: datetime | None = None) -> list[list]:
    start, end = month_bounds(month)
    found = issued_between(start, end, stations)
    numbers = {id_: number for id_, number in db.session.execute(db.select(Case.id, Case.number).where(
        Case.id.in_([s.case_id for s in found]))).all()} if found else {}
    today = (now or clock.now()).date()
    lines = []
    for s in found:
        station = roster.station(s.station_id).name if roster.has_station(s.station_id) else s.station_id
        in_time = replied_in_time(s, today)
        lines.append([s.issued_at, numbers.get(s.case_id, ""), station, s.issued_by, s.instruction, s.deadline,
                      s.state_name, s.reply, s.answered_by, s.answered_at, s.rounds, s.closed_at, s.closed_by,
                      {True: "是", False: "否", None: "待回复"}[in_time]])
    return lines


def sheets(roster: Roster, month: str, stations: list[str], now: datetime | None = None) -> tuple[Sheet, ...]:
    return (Sheet("督办", f"{month} 督办情况（督办要求、书面回复与办结）", COLUMNS, rows(roster, month, stations, now),
                  WIDTHS),)


@dataclass(frozen=True)
class Counts:
    issued: int  # issued in the month
    closed: int  # of them, 办结
    late: int  # of them, the reply late or still owed past its deadline
    open_now: int  # unfinished now, whenever issued


def counts(month: str, stations: list[str], now: datetime | None = None) -> Counts:
    start, end = month_bounds(month)
    found = issued_between(start, end, stations)
    today = (now or clock.now()).date()
    return Counts(len(found), sum(s.state == "closed" for s in found),
                  sum(replied_in_time(s, today) is False for s in found), len(unfinished_in(stations)))
