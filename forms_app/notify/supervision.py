"""The messages of 督办 (cases/supervision.py), written into the outbox in the step's own
transaction by supervision_store.take: a 督办 issued or sent back tells the case's owner (or,
before anyone accepted the case, the station's duty room); a reply tells the supervisor who
issued it. Each is one SMS with the console's link; the instruction itself stays on the case page."""
from __future__ import annotations

from datetime import datetime

from roster import Roster

from ..extensions import db
from ..models import Case, Staff
from . import events, outbox, texts
from .outbox import Message

EVENTS = {"issue": "case.supervised", "answer": "case.supervision_answered", "send_back": "case.supervision_sent_back"}


def _owner_or_duty_room(roster: Roster, case: Case):
    """The owner through their contact; a case nobody accepted yet: its station's duty room."""
    if case.owner is not None:
        return "staff", events.contact_recipient(roster, "staff", case.owner.display_name, case.owner.contact)
    station = roster.station(case.station_id) if roster.has_station(case.station_id) else None
    name = f"{station.name if station else case.station_id}值班室"
    return "duty_room", events.contact_recipient(roster, "duty_room", name, station.notify if station else None)


def step_messages(roster: Roster, case: Case, supervision, step: str) -> list[Message]:
    event = EVENTS.get(step)
    if event is None:
        return []
    values = {"number": case.number, "link": texts.staff_link(case.number), "due": f"{supervision.deadline:%m月%d日}"}
    if step == "answer":
        issuer = db.session.get(Staff, supervision.issued_by_id) if supervision.issued_by_id else None
        if issuer is None or not issuer.active:
            return []
        kind, recipient = "staff", events.contact_recipient(roster, "staff", issuer.display_name, issuer.contact)
    else:
        kind, recipient = _owner_or_duty_room(roster, case)
    text = texts.render(event, kind, **values)
    station = roster.station(case.station_id).name if roster.has_station(case.station_id) else case.station_id
    return [Message(event, recipient, text, case=case.number, detail=f"{station}：{text}")]


def write(roster: Roster, case: Case, supervision, step: str, now: datetime) -> None:
    found = step_messages(roster, case, supervision, step)
    if found:
        outbox.write(db.session.connection(), found, now)
