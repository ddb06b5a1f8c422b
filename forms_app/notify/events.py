"""Which action tells whom: the messages of one action on a case, written into the outbox in the
action's own transaction (``after_case_action`` is called by cases/service.act before the caller
commits). Channels per recipient kind come from settings.notify in roster.yaml (``log`` if unset)."""
from __future__ import annotations

import os
from datetime import datetime

from roster import Roster

from ..clock import aware
from ..extensions import db
from ..models import Case
from . import outbox, texts
from .outbox import Message, Recipient


def channel_for(roster: Roster, kind: str) -> str:
    return (getattr(roster.settings, "notify", None) or {}).get(kind, "log")


def _station_name(roster: Roster, station_id: str) -> str:
    return roster.station(station_id).name if roster.has_station(station_id) else station_id


def _resident(roster: Roster, name: str, phone: str, quiet: bool) -> Recipient:
    return Recipient("resident", name, phone, channel_for(roster, "resident"), quiet=bool(quiet))


def registered_messages(roster: Roster, case: dict) -> list[Message]:
    """A case just registered (``case``: the row's values): its number for the resident, and the
    news for the station's duty room (Station.notify in roster.yaml), so that a clerk hears of it
    without watching the queue; the duty room's text names no resident."""
    number, station = case["number"], _station_name(roster, case["station_id"])
    topics = {c.code: c.name for c in roster.settings.categories}
    due = f"{aware(case['due_at']):%m月%d日}" if case.get("due_at") else "尽快"
    contact = roster.station(case["station_id"]).notify if roster.has_station(case["station_id"]) else None
    duty_room = contact_recipient(roster, "duty_room", f"{station}值班室", contact)
    return [Message("case.registered", _resident(roster, case["name"], case["phone"], case.get("quiet")),
                    texts.render("case.registered", "resident", number=number, station=station,
                                 link=texts.short_link(number)), case=number),
            Message("case.registered", duty_room,
                    texts.render("case.registered", "duty_room", number=number, due=due, link=texts.staff_link(number)),
                    case=number, detail=f"{station}：新诉求 {number}（{topics.get(case['category'], case['category'])}），"
                                        f"请在 {due} 前受理。")]


def case_messages(roster: Roster, case: Case, action: str, state_before: str) -> list[Message]:
    from ..cases import report_in
    from ..cases.flow import RESIDENT_OUTCOMES, RESIDENT_STATES

    resident = _resident(roster, case.name, case.phone, case.quiet)
    values = {"number": case.number, "link": texts.short_link(case.number),
              "state": RESIDENT_STATES.get(case.state, case.state)}
    found = []
    if action == "accept":
        event = "case.accepted"
    elif case.state != state_before and case.state in ("resolved", "rejected"):
        event = "case.result"  # the answer itself, which a resident who declined the rest still gets
        values["outcome"] = RESIDENT_OUTCOMES.get(case.outcome or "", "") if case.state == "resolved" else ""
    elif case.state != state_before and case.state == "followed_up":
        event = "case.follow_up"  # after the follow-up call: the tracking page asks for the rating
    elif case.state != state_before:
        event = "case.state_changed"
    else:
        event = None
    if event:
        found.append(Message(event, resident, texts.render(event, "resident", **values), case=case.number))
    if action == "dispatch" and case.department:
        found.append(dispatch_message(roster, case, report_in.link_for(case) or ""))
    if action == "hand_over" and case.handler is not None:
        found.append(handed_over_message(roster, case))
    return found


def handed_over_message(roster: Roster, case: Case) -> Message:
    """The handler (承办人) hears that the owner handed them the case, with the console's link (one
    SMS: who handed it over is on the case page, the owner stays answerable)."""
    handler = case.handler
    return Message("case.handed_over", contact_recipient(roster, "staff", handler.display_name, handler.contact),
                   texts.render("case.handed_over", "staff", number=case.number, link=texts.staff_link(case.number)),
                   case=case.number)


def dispatch_message(roster: Roster, case: Case, link: str) -> Message:
    """The 吹哨 to the department: one SMS with the number, the deadline and the report-in link;
    the case as the department needs it (the report-in page's facts) in the detail, for e-mail
    and webhooks. The resident's name and phone stay out: the page names whom to ask for."""
    topics = {c.code: c.name for c in roster.settings.categories}
    station = roster.station(case.station_id) if roster.has_station(case.station_id) else None
    values = {"number": case.number, "station": station.name if station else case.station_id,
              "category": topics.get(case.category, case.category), "on_site": case.dispatched_on_site,
              "due": f"{aware(case.due_at):%m月%d日}" if case.due_at else "尽快", "link": link,
              "arrival_minutes": roster.settings.arrival_minutes}
    detail = texts.render_detail("case.dispatched", "department", case=case, address=station.address if station else "",
                                 phones=station.phones if station else (), due_at=aware(case.due_at) if case.due_at else None,
                                 **values)
    return Message("case.dispatched", department_recipient(roster, case),
                   texts.render("case.dispatched", "department", **values), case=case.number, detail=detail)


def department_recipient(roster: Roster, case: Case) -> Recipient:
    """The department's contact for the case's station, else for its street
    (settings.department_contacts); without one, the message still goes to the outbox and the
    global webhook, and the console's list of messages shows it."""
    contacts = roster.settings.department_contacts.get(case.department or "", {})
    street = roster.station(case.station_id).street if roster.has_station(case.station_id) else None
    contact = contacts.get(case.station_id) or (contacts.get(street) if street else None)
    return contact_recipient(roster, "department", case.department or "", contact)


def after_case_action(roster: Roster, case: Case, action: str, state_before: str, now: datetime) -> None:
    messages = case_messages(roster, case, action, state_before)
    if messages:
        outbox.write(db.session.connection(), messages, now)


def booking_messages(roster: Roster, event: str, *, number: str, officer: str, station: str, starts_at: datetime,
                     name: str, phone: str, quiet: bool = False) -> list[Message]:
    """A booking made, cancelled or moved: the resident, and the officer the meeting is with."""
    who = roster.officer(officer) if roster.has_officer(officer) else None
    values = {"number": number, "when": f"{aware(starts_at):%m月%d日%H:%M}", "officer": who.name if who else officer,
              "station": _station_name(roster, station),
              "link": texts.short_link(number, kind="b")}
    found = [Message(event, _resident(roster, name, phone, quiet), texts.render(event, "resident", **values),
                     appointment=number)]
    if who is not None:
        found.append(Message(event, officer_recipient(roster, who), texts.render(event, "officer", **values),
                             appointment=number))
    return found


def reaches(recipient: Recipient) -> bool:
    """Whether a message to ``recipient`` leaves the board at all: the log channel reaches nobody,
    and a gateway needs an address to deliver to."""
    if recipient.channel == "email":
        return bool(recipient.target) and bool(os.environ.get("SMTP_HOST"))
    signed = bool(os.environ.get("NOTIFY_WEBHOOK_SECRET"))  # without it every webhook delivery fails
    if recipient.channel == "webhook" and recipient.target:
        return signed
    return bool(recipient.address) and signed and bool(outbox.global_webhook())


def resident_hears(roster: Roster, phone: str) -> bool:
    """Whether the messages to a resident leave the board (a gateway is set up), so that a page may
    promise them an SMS; the log channel alone must not make that promise."""
    return reaches(_resident(roster, "", phone, False))


def dispatch_notice(roster: Roster, case: Case, link: str) -> tuple[str, bool]:
    """What the clerk who dispatched is told, and whether the message reaches the department: if it
    cannot, the report-in link, shown this once, to pass on (its token reads out over the phone too)."""
    to = department_recipient(roster, case)
    if reaches(to):
        return f"吹哨通知和报到链接会发给{case.department}（{to.address}）。", True
    pass_on = f"并把报到链接用微信或短信发给对方（只显示这一次，也可以念给对方）：{link}"
    if to.address:
        return (f"{case.department}的联系方式 {to.address} 现在收不到通知（短信网关或邮件还没有接通）："
                f"请打电话通知，{pass_on}"), False
    return (f"名单里没有{case.department}的联系方式，收不到通知：请打电话通知，{pass_on}。"
            f"管理员可以在名单的 department_contacts 里给它添上联系方式。"), False


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
