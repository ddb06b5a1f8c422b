"""限时办结: each state's time limit in working days (roster settings, per category if set), and
whether a case has run past its own."""
from __future__ import annotations

from datetime import datetime

from roster import Roster

from .. import clock
from ..clock import aware, naive
from ..models import Case
from .flow import OPEN
from .workdays import add_workdays


def deadline_days(roster: Roster, category: str, state: str) -> int | None:
    override = roster.settings.category_deadlines.get(category, {})
    if state in override:
        return override[state]
    return roster.settings.deadlines.get(state)


def due_for(roster: Roster, category: str, state: str, since: datetime) -> datetime | None:
    """The end of the state's time limit from ``since``, naive as stored; None if it has none."""
    days = deadline_days(roster, category, state)
    return None if days is None else naive(add_workdays(aware(since), days))


def overdue(case: Case, now: datetime | None = None) -> bool:
    now = now or clock.now()
    return case.state in OPEN and case.due_at is not None and naive(now) > case.due_at


def expected_response(roster: Roster, case: Case) -> datetime | None:
    """The first response is due by the end of the "registered" deadline, from registration."""
    return due_for(roster, case.category, "registered", aware(case.created_at))


def notice_until(now: datetime) -> datetime:
    """How far ahead the owner and the street supervisor are told of a coming deadline
    (case.deadline_due): up to the end of the next working day, so that on the working day before a
    deadline they hear of it, across a weekend or a holiday too (due on Monday: told on Friday)."""
    day = aware(now).date()
    return naive(add_workdays(datetime.combine(day, datetime.min.time(), tzinfo=aware(now).tzinfo), 1))
