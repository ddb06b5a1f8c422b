"""The per-officer record (实绩档案): for each roster officer and month, at the stations one may
see, what the cases they are named on (cases/officers.py) and their appointments came to.

Which cases count: those of ``ranking.handled_in``, the month's cases of the ranking (registered
before the month ends and not ended before it began), on which the officer is named at one of the
stations. Of those:
- 办理 handled: all of them;
- 按时 on time: resolved, every step within its time limit (reports.on_time, the register's 是否按时);
- 30 分钟内到场 arrived: on-site dispatches arrived within settings.arrival_minutes, of 需到场 on-site ones;
- 化解 resolved: outcome resolved;
- 满意度: the mean of the residents' ratings, and how many rated.
Appointments: those with the officer at the stations starting in the month, 已到 attended
(the resident came, or the meeting became a case) and 未到 no-show (booking/outcomes.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from roster import Roster

from .. import clock
from ..cases.officers import people
from ..extensions import db
from ..models import ATTENDED, NO_SHOW, Appointment, Case
from . import ranking
from .ranking import cases_handled
from .reports import Sheet, arrived_in_time, month_bounds, on_time

COLUMNS = ["人员", "角色", "单位", "站点", "办理案件", "按时办结", "需到场", "30 分钟内到场", "化解", "满意度（平均分）",
           "评价数", "预约已到", "预约未到"]
WIDTHS = [10, 8, 22, 18, 8, 8, 8, 10, 6, 10, 8, 8, 8]
SATISFACTION = COLUMNS.index("满意度（平均分）")


@dataclass
class Record:
    officer: str
    name: str
    role: str  # the role's name: 法官, 网格员 …
    organisation: str
    stations: list[str]  # the names of the stations it covers, of those one may see
    cases: int = 0
    on_time: int = 0
    on_site: int = 0
    arrived: int = 0
    resolved: int = 0
    ratings: list[int] = field(default_factory=list)
    attended: int = 0
    no_shows: int = 0
    numbers: list[str] = field(default_factory=list)  # the case numbers counted, for the officer's page

    @property
    def satisfaction(self) -> float | None:
        return sum(self.ratings) / len(self.ratings) if self.ratings else None

    def add(self, case: Case, arrival_minutes: int, now: datetime) -> None:
        self.cases += 1
        self.numbers.append(case.number)
        self.on_time += case.resolved_at is not None and on_time(case, now)
        arrived = arrived_in_time(case, arrival_minutes)
        if arrived is not None:
            self.on_site += 1
            self.arrived += arrived
        self.resolved += case.outcome == "resolved"
        if case.satisfaction:
            self.ratings.append(case.satisfaction)


def officers_at(roster: Roster, stations: list[str]) -> dict[str, list[str]]:
    """Every person of the stations (board, then duty tables), in that order: officer id → station ids."""
    found: dict[str, list[str]] = {}
    for station in stations:
        for person in people(roster, station):
            found.setdefault(person.id, []).append(station)
    return found


def records(roster: Roster, month: str, stations: list[str], only: str | None = None,
            now: datetime | None = None, found: list[Case] | None = None) -> list[Record]:
    """One record per person of ``stations`` (or of ``only``, one officer id), counted at those
    stations; ``found``: the month's cases there (ranking.cases_handled), if already read."""
    now = now or clock.now()
    serving = officers_at(roster, stations)
    if only is not None:
        serving = {only: serving[only]} if only in serving else {}
    table = {}
    for officer_id, where in serving.items():
        person = roster.officer(officer_id)
        table[officer_id] = Record(officer_id, person.name, roster.role_name(person.role), person.organisation,
                                   [roster.station(s).name for s in where])
    for case in found if found is not None else cases_handled(month, stations):
        for named in case.officers:
            if named.officer_id in table and named.station_id in serving[named.officer_id]:
                table[named.officer_id].add(case, roster.settings.arrival_minutes, now)
    start, end = month_bounds(month)
    counted = db.session.execute(
        select(Appointment.officer_id, Appointment.station_id, Appointment.status, func.count())
        .where(Appointment.officer_id.in_(list(table)), Appointment.station_id.in_(stations),
               Appointment.starts_at >= start, Appointment.starts_at < end,
               Appointment.status.in_((ATTENDED, NO_SHOW)))
        .group_by(Appointment.officer_id, Appointment.station_id, Appointment.status)).all()
    for officer_id, station, status, count in counted:
        if station in serving[officer_id]:
            if status == ATTENDED:
                table[officer_id].attended += count
            else:
                table[officer_id].no_shows += count
    return list(table.values())


def rows(found: list[Record]) -> list[list]:
    """The sheet 实绩档案: numbers stay numbers, None where nobody rated."""
    return [[r.name, r.role, r.organisation, "、".join(r.stations), r.cases, r.on_time, r.on_site, r.arrived,
             r.resolved, r.satisfaction, len(r.ratings), r.attended, r.no_shows] for r in found]


def sheets(roster: Roster, month: str, stations: list[str], now: datetime | None = None) -> tuple[Sheet, ...]:
    """The monthly workbook's sheets of this module and of the ranking: 实绩档案, then the ranking
    by station and by grid leader."""
    found = cases_handled(month, stations)
    leader = f"{roster.role_name(ranking.grid_leader_role(roster))}（网格长）"
    return (Sheet("实绩档案", f"{month} 三官一师及驻站人员实绩档案", COLUMNS,
                  rows(records(roster, month, stations, now=now, found=found)), WIDTHS, decimals=frozenset({SATISFACTION})),
            Sheet("站点联动排名", f"{month} 站点联动治理排名（到场率、及时率、处置率）", ranking.COLUMNS,
                  ranking.rows(ranking.by_station(roster, found, stations, now)), ranking.WIDTHS, rates=ranking.RATES),
            Sheet("网格长排名", f"{month} {leader}联动治理排名（到场率、及时率、处置率）", ranking.COLUMNS,
                  ranking.rows(ranking.by_grid_leader(roster, found, stations, now)), ranking.WIDTHS, rates=ranking.RATES))
