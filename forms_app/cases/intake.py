"""登记 by staff (seed 000: 凡群众来电来访反映的诉求、公安机关移交的警情、社区排查反馈的问题…第一时间登记):
a request received by phone, at the counter, from the police, by a grid worker's sweep or from
another system, registered by the clerk who received it.

The same registration as the resident's form (service.register_unless_repeat): the repeat guard,
the deadlines, the ledger's first row and the resident's "case received" message all apply. The
clerk who registers is the first-contact owner (首问责任人) at once, and the ledger's 登记 row is
theirs, with the source; ``accept`` keeps that owner (flow.py). What the printed slip (回执) shows
is ``slip``: no more of the resident's phone than the web form's receipt page shows.
"""
from __future__ import annotations

from datetime import datetime

from flask import url_for

from roster import Roster

from ..models import Case
from . import service, sources
from .public import expected_words
from .refusal import IllegalAction

REGISTRARS = ("station", "admin")  # a street supervisor reads and supervises, and does not work cases
SIZES = ("a5", "receipt")  # the slip's paper: A5, or an 80 mm thermal receipt roll
NOT_A_REGISTRAR = "街道督查账号不办理案件，不能登记；请由站点工作人员登记"


def may_register(staff) -> bool:
    return staff.role in REGISTRARS


def register(roster: Roster, staff, fields: dict, stations: list[str],
             now: datetime | None = None) -> tuple[Case, bool]:
    """(the case, True) registered by ``staff`` from ``fields`` (those of
    service.register_unless_repeat, with ``source``), in the session's transaction (the caller
    commits); (the case already made, False) for the same text from the same phone at the same
    station within minutes. ``stations``: those the clerk works at. Raises IllegalAction."""
    if not may_register(staff):
        raise IllegalAction(NOT_A_REGISTRAR)
    if fields.get("station") not in stations:
        raise IllegalAction("只能登记到您所在的站点", "station")
    if fields.get("source") not in sources.STAFF_SOURCES:
        raise IllegalAction("请选择诉求的来源", "source")
    return service.register_unless_repeat(roster, now=now, repeat_window=service.DUPLICATE_WINDOW,
                                          registrar=staff, **fields)


def slip(roster: Roster, case: Case, now: datetime | None = None) -> dict:
    """What the printed slip says: what the web form's receipt page says (the number, the tracking
    link and the phone's last four digits that open it, the first response expected), and the
    station with its phones, for a resident who has no smartphone."""
    station = roster.station(case.station_id) if roster.has_station(case.station_id) else None
    street = roster.street(station.street) if station is not None else None  # a checked reference
    topics = {c.code: c.name for c in roster.settings.categories}
    return {
        "number": case.number, "phone_last4": case.phone[-4:] if case.phone else "",
        "track_url": url_for("complaints.track", _external=True),
        "track_link": url_for("complaints.track", number=case.number, _external=True),
        "station_name": station.name if station else case.station_id,
        "station_address": station.address if station else "",
        "phones": [(p.label, p.number) for p in station.phones] if station else [],
        "hotline": street.hotline if street is not None else None,
        "street_name": street.name if street is not None else "",
        "category": topics.get(case.category, case.category), "source": sources.label(case.source),
        "registered_at": case.created_at, "expected": expected_words(roster, case, now),
        "due_at": case.due_at,
    }
