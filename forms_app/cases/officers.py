"""The roster officers who handled a case (三官一师 and the station's other roles: mediator, grid
worker …), named by the station's staff and chosen from that station's people only.

A station's people are those its board shows (assignments) and those of its monthly duty tables,
whatever the day: the officer a resident met last month stays nameable on the case it became.
The rules of ``name_officer`` and ``unname_officer`` (flow.py names them) get the station's people
through the flow's context (``choices["officer"]``); ``write`` keeps the ``case_officers`` rows.
"""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from roster import Roster
from roster.model import Officer

from ..clock import naive
from ..extensions import db
from ..models import Case, CaseOfficer, LedgerEntry
from .ledger import snapshot
from .refusal import IllegalAction

ACTIONS = ("name_officer", "unname_officer")
FROM_APPOINTMENT = "from_appointment"  # the ledger row of a meeting's officer carried onto its case (RECORDED in flow.py)
SYSTEM = "系统"
RACED = "这位人员刚刚有人记录或删除过，请刷新页面后再看"


def people(roster: Roster, station: str) -> list[Officer]:
    """The station's people, board order first, then those of its duty tables by role and name."""
    if not roster.has_station(station):
        return []
    found = list(roster.officers_at(station))
    seen = {o.id for o in found}
    extra = {entry.officer for table in roster.tables_at(station) for entry in table.entries
             if entry.officer not in seen and roster.has_officer(entry.officer)}
    return found + sorted((roster.officer(o) for o in extra), key=lambda o: (roster.role_order(o.role), o.name))


def words(roster: Roster, officer_id: str) -> str:
    """周明辉（法官）: how the ledger and the pages name an officer; the id if the roster lost them."""
    if not roster.has_officer(officer_id):
        return officer_id
    officer = roster.officer(officer_id)
    return f"{officer.name}（{roster.role_name(officer.role)}）"


def public(roster: Roster, case: Case) -> list[dict]:
    """The officers of a case as the board shows them, public names only (the API's ``officers``)."""
    found = []
    for officer_id in case.officer_ids:
        officer = roster.officer(officer_id) if roster.has_officer(officer_id) else None
        found.append({"id": officer_id, "name": officer.name if officer else None,
                      "role": officer.role if officer else None,
                      "role_name": roster.role_name(officer.role) if officer else None})
    return found


def validate_named(facts, payload: dict, context) -> None:
    chosen = payload["officer"]
    if chosen in facts.officers:
        raise IllegalAction("已经记录过这位人员", "officer")
    if chosen not in (context.choices or {}).get("officer", ()):
        raise IllegalAction("请从本站点名单上的人员里选择", "officer")


def validate_unnamed(facts, payload: dict, _context) -> None:
    if payload["officer"] not in facts.officers:
        raise IllegalAction("这位人员没有记录在这件案件上", "officer")


def write(roster: Roster, case: Case, action: str, officer_id: str, actor_name: str, now) -> str:
    """Add or remove the row of ``officer_id`` (the caller commits); returns how the ledger names
    them. Two clerks naming the same officer at once: the unique row refuses the second."""
    if action == "name_officer":
        try:
            with db.session.begin_nested():
                case.officers.append(CaseOfficer(officer_id=officer_id, station_id=case.station_id,
                                                 named_at=naive(now), named_by=actor_name))
                db.session.flush()
        except IntegrityError:
            db.session.expire(case, ["officers"])
            raise IllegalAction(RACED) from None
    else:
        for named in [n for n in case.officers if n.officer_id == officer_id]:
            case.officers.remove(named)
        db.session.flush()
    return words(roster, officer_id)


def attach(roster: Roster, case: Case, officer_id: str, appointment_number: str, actor, now) -> bool:
    """Name the officer of the meeting on the case it became (booking/outcomes.py), with its ledger
    row (``from_appointment``); the caller commits. ``actor``: the clerk (a Staff), or None for the
    system. False, and nothing written, when they are no longer one of the station's people."""
    if officer_id not in {o.id for o in people(roster, case.station_id)} or officer_id in case.officer_ids:
        return False
    name = actor.display_name if actor is not None else SYSTEM
    case.officers.append(CaseOfficer(officer_id=officer_id, station_id=case.station_id, named_at=naive(now),
                                     named_by=name))
    db.session.add(LedgerEntry(case_id=case.id, at=naive(now), actor_id=actor.id if actor is not None else None,
                               actor=name, action=FROM_APPOINTMENT,
                               after=snapshot({"officer_ids": case.officer_ids}),
                               note=f"预约 {appointment_number}，办理人员 {words(roster, officer_id)}"))
    return True
