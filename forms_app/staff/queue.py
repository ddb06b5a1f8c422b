"""The case queue of the console: a person's cases, filtered and in working order, and the day's
appointments beside them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from ..cases.deadlines import overdue
from ..cases.flow import OPEN, STATES
from ..cases.sources import SOURCES
from ..cases.supervision_store import unfinished_case_ids, unfinished_of
from ..clock import naive
from ..extensions import db
from ..models import ATTENDED, BOOKED, NO_SHOW, Appointment, Case

DUE_SOON = timedelta(days=1)
LIMIT = 500
SHOWN_BY_DEFAULT = OPEN + ("resolved", "followed_up")  # what is still someone's to do


@dataclass(frozen=True)
class Filters:
    station: str = ""  # one of the person's stations, or all of them
    state: str = ""  # a state, "all", or (empty) the cases still to work
    category: str = ""
    owner: str = ""  # "me": the person's own cases, those they own and those handed to them (承办)
    due: str = ""  # "overdue" or "soon"
    source: str = ""  # 来源 (cases/sources.py): phone, counter … or all


def sorted_queue(found: list[Case], now: datetime, supervised: dict | None = None) -> list[Case]:
    """A case with an unfinished 督办 at the top (its reply overdue first, then by its deadline),
    then overdue, then by the nearest deadline, then the newest."""
    supervised = supervised or {}
    today = naive(now).date()

    def key(case: Case):
        late = overdue(case, now)
        due = case.due_at or datetime.max
        marked = supervised.get(case.id)
        first = (0, not marked.overdue(today), marked.deadline) if marked is not None else (1, True, datetime.max.date())
        return (*first, 0 if late else 1, due if case.state in OPEN else datetime.max, -case.created_at.timestamp())
    return sorted(found, key=key)


def cases_for(stations: list[str], filters: Filters, staff_id: int, now: datetime) -> list[Case]:
    query = select(Case).where(Case.station_id.in_(stations))
    if filters.station in stations:
        query = query.where(Case.station_id == filters.station)
    if filters.state in STATES:
        query = query.where(Case.state == filters.state)
    elif filters.state != "all":  # what is still to do, and whatever a 督办 still waits on
        query = query.where(or_(Case.state.in_(SHOWN_BY_DEFAULT), Case.id.in_(unfinished_case_ids())))
    if filters.category:
        query = query.where(Case.category == filters.category)
    if filters.source in SOURCES:
        query = query.where(Case.source == filters.source)
    if filters.owner == "me":
        query = query.where(or_(Case.owner_id == staff_id, Case.handler_id == staff_id))
    if filters.due == "overdue":
        query = query.where(Case.state.in_(OPEN), Case.due_at < naive(now))
    elif filters.due == "soon":
        query = query.where(Case.state.in_(OPEN), Case.due_at >= naive(now), Case.due_at < naive(now + DUE_SOON))
    found = list(db.session.scalars(query.limit(LIMIT)))
    return sorted_queue(found, now, unfinished_of([case.id for case in found]))


def appointments_today(stations: list[str], now: datetime) -> list[Appointment]:
    today = datetime.combine(now.date(), datetime.min.time())
    return db.session.scalars(select(Appointment).where(
        Appointment.station_id.in_(stations), Appointment.starts_at >= today,
        Appointment.starts_at < today + timedelta(days=1),
        Appointment.status.in_((BOOKED, ATTENDED, NO_SHOW)))
        .options(joinedload(Appointment.case)).order_by(Appointment.starts_at)).all()
