"""Seed 002's monthly ranking (网格长联动治理排名): 到场率, 及时率, 处置率, per station and per grid
leader, and the month's cases it counts. The formulas are written here once; docs/kpis.md says
them in words, and the per-officer record (officer_records.py) counts with the same rules.

- the month's cases (``handled_in``): registered before the month ends and not ended before it
  began (ended: resolved, or closed by a rejection or the archive), so that a case worked across
  two months counts in both, and one registered on the 30th is not lost to the next month;
- 到场率 arrival rate: on-site dispatches arrived within ``settings.arrival_minutes`` / on-site dispatches;
- 及时率 on-time rate: ended cases whose every step kept its time limit (reports.on_time) / ended cases;
- 处置率 disposal rate: cases handled to an end (resolved, whatever the outcome, or rejected with
  its reason) / the month's cases. Not the 化解率 resolution rate (outcome resolved / resolved),
  which says how many disputes were settled, not how many were dealt with.

A grid leader (网格长) is the roster's ``grid-leader`` role where settings.roles adds one; the
built-in roles have none, and then the grid worker (``grid-worker``, 网格员) stands for it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from roster import Roster

from .. import clock
from ..cases.officers import people
from ..extensions import db
from ..models import Case
from .reports import arrived_in_time, month_bounds, on_time

GRID_LEADER, GRID_WORKER = "grid-leader", "grid-worker"
COLUMNS = ["排名", "名称", "所在", "案件数", "已处置", "处置率", "按时", "及时率", "需到场", "及时到场", "到场率", "综合得分"]
WIDTHS = [6, 16, 16, 8, 8, 8, 6, 8, 8, 8, 8, 9]
RATES = frozenset(COLUMNS.index(name) for name in ("处置率", "及时率", "到场率", "综合得分"))


def grid_leader_role(roster: Roster) -> str:
    return GRID_LEADER if GRID_LEADER in roster.roles else GRID_WORKER


def ended(case: Case) -> bool:
    """Handled to an end: resolved (化解 or not), or rejected with its reason (不予受理)."""
    return case.resolved_at is not None or case.state == "rejected"


def handled_in(month: str):
    """The SQL condition of the month's cases (see the module's words)."""
    start, end = month_bounds(month)
    return and_(Case.created_at < end, or_(Case.resolved_at >= start,
                                           and_(Case.resolved_at.is_(None), or_(Case.closed_at.is_(None),
                                                                                Case.closed_at >= start))))


def cases_handled(month: str, stations: list[str]) -> list[Case]:
    """The month's cases at ``stations``, with what the rates read of each loaded at once."""
    return list(db.session.scalars(select(Case).where(handled_in(month), Case.station_id.in_(stations))
                                   .options(selectinload(Case.ledger), selectinload(Case.officers))
                                   .order_by(Case.created_at, Case.id)))


@dataclass
class Tally:
    """The ranking's counts for one station or one person, and its three rates."""

    key: str
    name: str
    where: str
    handled: int = 0
    disposed: int = 0  # ended: the 及时率's whole and the 处置率's part
    on_time: int = 0  # of the ended ones
    on_site: int = 0
    arrived: int = 0  # within settings.arrival_minutes
    ranked: bool = False

    def add(self, case: Case, arrival_minutes: int, now: datetime) -> None:
        self.handled += 1
        if ended(case):
            self.disposed += 1
            self.on_time += on_time(case, now)
        arrived = arrived_in_time(case, arrival_minutes)
        if arrived is not None:
            self.on_site += 1
            self.arrived += arrived

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def arrival_rate(self) -> float | None:
        return self._rate(self.arrived, self.on_site)

    @property
    def on_time_rate(self) -> float | None:
        return self._rate(self.on_time, self.disposed)

    @property
    def disposal_rate(self) -> float | None:
        return self._rate(self.disposed, self.handled)

    @property
    def score(self) -> float | None:
        """The mean of the three rates there is something to rate for."""
        rates = [r for r in (self.arrival_rate, self.on_time_rate, self.disposal_rate) if r is not None]
        return sum(rates) / len(rates) if rates else None


def _ranked(tallies: list[Tally], minimum: int) -> list[Tally]:
    for tally in tallies:
        tally.ranked = tally.score is not None and tally.handled >= minimum  # one lucky case must not top it
    return sorted(tallies, key=lambda t: (not t.ranked, -(t.score or 0), -t.handled, t.key))


def by_station(roster: Roster, found: list[Case], stations: list[str], now: datetime | None = None) -> list[Tally]:
    now = now or clock.now()
    table = {s: Tally(s, roster.station(s).name, roster.street(roster.station(s).street).name) for s in stations}
    for case in found:
        if case.station_id in table:
            table[case.station_id].add(case, roster.settings.arrival_minutes, now)
    return _ranked(list(table.values()), roster.settings.ranking_min_cases)


def by_grid_leader(roster: Roster, found: list[Case], stations: list[str], now: datetime | None = None) -> list[Tally]:
    """Every grid leader of the stations (the board's, then the duty tables'), over the month's
    cases they are named on at those stations (cases/officers.py)."""
    now = now or clock.now()
    role = grid_leader_role(roster)
    table: dict[str, Tally] = {}
    for station in stations:
        for person in people(roster, station):
            if person.role == role:
                found_at = table.setdefault(person.id, Tally(person.id, person.name, roster.station(station).name))
                if roster.station(station).name not in found_at.where.split("、"):
                    found_at.where = f"{found_at.where}、{roster.station(station).name}"
    for case in found:
        for named in case.officers:
            if named.officer_id in table and named.station_id in stations:
                table[named.officer_id].add(case, roster.settings.arrival_minutes, now)
    return _ranked(list(table.values()), roster.settings.ranking_min_cases)


def rows(tallies: list[Tally]) -> list[list]:
    """Rates stay numbers (None when there is nothing to rate), for the spreadsheet to sort."""
    return [[rank if t.ranked else None, t.name, t.where, t.handled, t.disposed, t.disposal_rate, t.on_time,
             t.on_time_rate, t.on_site, t.arrived, t.arrival_rate, t.score] for rank, t in enumerate(tallies, start=1)]
