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
    resident = Recipient("resident", case.name, case.phone, channel_for(roster, "resident"), quiet=case.quiet)
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


def booking_messages(roster: Roster, event: str, *, number: str, officer: str, station: str, starts_at: datetime,
                     name: str, phone: str, quiet: bool = False) -> list[Message]:
    """A booking made, cancelled or moved: the resident, and the officer the meeting is with."""
    who = roster.officer(officer) if roster.has_officer(officer) else None
    values = {"number": number, "when": f"{aware(starts_at):%m月%d日%H:%M}", "officer": who.name if who else officer,
              "station": roster.station(station).name if roster.has_station(station) else station,
              "link": texts.short_link(number, kind="b")}
    found = [Message(event, Recipient("resident", name, phone, channel_for(roster, "resident"), quiet=quiet),
                     texts.render(event, "resident", **values), appointment=number)]
    if who is not None:
        found.append(Message(event, officer_recipient(roster, who), texts.render(event, "officer", **values),
                             appointment=number))
    return found


def officer_recipient(roster: Roster, officer) -> Recipient:
    """An officer's own contact (``notify:`` in officers.yaml) decides the channel."""
    return contact_recipient(roster, "officer", officer.name, getattr(officer, "notify", None))


def contact_recipient(roster: Roster, kind: str, name: str, contact: str | None) -> Recipient:
    """Whom a contact reaches, and how: a webhook URL is that webhook, an e-mail address is
    e-mail, and anything else (a phone, or nothing) goes through the channel settings.notify sets
    for ``kind``, with the phone as the address a gateway delivers to. One rule for officers
    (officers.yaml ``notify:``), staff (Staff.contact) and departments (settings.department_contacts)."""
    contact = (contact or "").strip()
    if contact.startswith(("http://", "https://")):
        return Recipient(kind, name, contact, "webhook", contact)
    if "@" in contact:
        return Recipient(kind, name, contact, "email", contact)
    return Recipient(kind, name, contact, channel_for(roster, kind))


def write_now(messages: list[Message], now: datetime) -> None:
    """Into the session's transaction (the caller commits)."""
    if messages:
        outbox.write(db.session.connection(), messages, now)
