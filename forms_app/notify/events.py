"""Which action tells whom: the messages of one action on a case, written into the outbox in the
action's own transaction (``after_case_action`` is called by cases/service.act before the caller
commits). Channels per recipient kind come from settings.notify in roster.yaml (``log`` if unset)."""
from __future__ import annotations

from datetime import datetime

from roster import Roster

from ..clock import aware
from ..extensions import db
from ..models import Case
from . import outbox, texts
from .outbox import Message, Recipient


def channel_for(roster: Roster, kind: str) -> str:
    return (getattr(roster.settings, "notify", None) or {}).get(kind, "log")


def case_messages(roster: Roster, case: Case, action: str, state_before: str) -> list[Message]:
    station = roster.station(case.station_id).name if roster.has_station(case.station_id) else case.station_id
    resident = Recipient("resident", case.name, case.phone, channel_for(roster, "resident"))
    found = []
    if action == "accept":
        found.append(Message("case.accepted", resident, texts.render(
            "case.accepted", "resident", number=case.number, station=station, link=texts.short_link(case.number)),
            case=case.number))
    elif case.state != state_before:
        from ..cases.flow import RESIDENT_STATES

        found.append(Message("case.state_changed", resident, texts.render(
            "case.state_changed", "resident", number=case.number, state=RESIDENT_STATES.get(case.state, case.state),
            link=texts.short_link(case.number)), case=case.number))
    if action == "dispatch" and case.department:
        topics = {c.code: c.name for c in roster.settings.categories}
        due = f"{aware(case.due_at):%m月%d日}" if case.due_at else "尽快"
        department = Recipient("department", case.department, "", channel_for(roster, "department"))
        found.append(Message("case.dispatched", department, texts.render(
            "case.dispatched", "department", number=case.number, station=station,
            category=topics.get(case.category, case.category), on_site=case.dispatched_on_site, due=due, link=""),
            case=case.number))
    return found


def after_case_action(roster: Roster, case: Case, action: str, state_before: str, now: datetime) -> None:
    messages = case_messages(roster, case, action, state_before)
    if messages:
        outbox.write(db.session.connection(), messages, now)
