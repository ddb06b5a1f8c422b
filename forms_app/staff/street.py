"""The street supervisor's overview (街道总览): every station of a street with its open, overdue
and due-soon cases and its unfinished 督办, beside the month's KPIs against the targets. The
KPIs are reports.station_kpis', the dashboard's and the register's own, not computed again; the
street's line adds up the same counts."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from roster import Roster

from ..cases.deadlines import overdue
from ..cases.flow import OPEN
from ..cases.supervision_store import unfinished_in
from ..clock import naive
from ..extensions import db
from ..models import Case
from . import reports
from .queue import DUE_SOON

RESOLUTION_TARGET = 0.9  # 化解率 ≥ 90% (seed 004), the line the dashboard draws too


@dataclass
class StationLine:
    station: str
    name: str
    kpi: reports.StationKpi
    open: int = 0
    overdue: int = 0
    due_soon: int = 0
    supervised: int = 0  # unfinished 督办
    supervision_overdue: int = 0  # of them, the reply overdue

    @property
    def on_target(self) -> bool | None:
        rate = self.kpi.resolution_rate
        return None if rate is None else rate >= RESOLUTION_TARGET


@dataclass
class Overview:
    street: str
    name: str
    month: str
    lines: list[StationLine] = field(default_factory=list)
    total: StationLine | None = None


def _sum(street_id: str, name: str, kpis: list[reports.StationKpi]) -> reports.StationKpi:
    total = reports.StationKpi(street_id, name, name)
    for kpi in kpis:
        total.cases += kpi.cases
        total.closed += kpi.closed
        total.resolved += kpi.resolved
        total.on_time += kpi.on_time
        total.dispatched_on_site += kpi.dispatched_on_site
        total.arrived += kpi.arrived
        total.ratings.extend(kpi.ratings)
    return total


def overview(roster: Roster, street_id: str, month: str, now: datetime) -> Overview:
    stations = [s.id for s in roster.stations_of(street_id)]
    kpis = {k.station: k for k in reports.station_kpis(roster, reports.cases_in(roster, month, stations=stations),
                                                       stations, now)}
    lines = {s: StationLine(s, roster.station(s).name, kpis[s]) for s in stations}
    soon = naive(now + DUE_SOON)
    for case in db.session.scalars(select(Case).where(Case.station_id.in_(stations), Case.state.in_(OPEN))):
        line = lines[case.station_id]
        line.open += 1
        if overdue(case, now):
            line.overdue += 1
        elif case.due_at is not None and case.due_at < soon:
            line.due_soon += 1
    today = naive(now).date()
    for found in unfinished_in(stations):
        lines[found.station_id].supervised += 1
        lines[found.station_id].supervision_overdue += found.overdue(today)
    name = roster.street(street_id).name
    total = StationLine(street_id, f"{name}合计", _sum(street_id, name, list(kpis.values())))
    for line in lines.values():
        for part in ("open", "overdue", "due_soon", "supervised", "supervision_overdue"):
            setattr(total, part, getattr(total, part) + getattr(line, part))
    return Overview(street_id, name, month, list(lines.values()), total)
