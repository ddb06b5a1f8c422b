"""Who may see and do what in the staff console.

Station staff: their own stations. Street supervisor: every station of their street, to
read and to supervise (督查 notes), not to work the cases. Administrator: everything.
Anything outside a person's reach answers 404, so that case numbers cannot be probed.
"""
from __future__ import annotations

from flask import abort

from roster import Roster
from roster.phones import mask_phone

from ..cases import flow
from ..cases import service as cases
from ..models import Case, Staff


def visible_stations(staff: Staff, roster: Roster) -> list[str]:
    if staff.role == "admin":
        return [s.id for s in roster.stations]
    if staff.role == "supervisor":
        return [s.id for s in roster.stations_of(staff.street_id or "")]
    own = {s for s in (staff.stations or "").split(",") if s}
    return [s.id for s in roster.stations if s.id in own]


def can_act(staff: Staff, action: str) -> bool:
    """The flow's table says who may take each action."""
    return flow.may(staff.role, action)


def case_or_404(number: str, staff: Staff, roster: Roster) -> Case:
    case = cases.by_number(number)
    if case is None or case.station_id not in visible_stations(staff, roster):
        abort(404)
    return case


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


__all__ = ["can_act", "case_or_404", "mask_name", "mask_phone", "visible_stations"]
